import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createManualClock, createMemoryLogger } from '@imagegen/common';
import { createFileSystemImageStore, type FileSystemImageStoreOptions } from '../file-system-image-store';
import type { SaveImageInput } from '../image-store';
import { createRecordingFileSystem } from './recording-file-system';

const folders: string[] = [];

/** A fresh folder under the OS temp folder, removed by {@link removeTemporaryFolders}. */
export function makeTemporaryFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-storage-'));
  folders.push(folder);
  return folder;
}

/** Removes every folder made by {@link makeTemporaryFolder}; call in afterEach. */
export function removeTemporaryFolders(): void {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
}

/** Bytes that stand in for an encoded image (storage never decodes them). */
/** Bytes that start like a PNG (the store checks the signature on read) and are `fill` after it. */
export const fakePng = (fill = 1, length = 64) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(Math.max(0, length - 8), fill)]);

/** A complete save request. */
export function sampleInput(overrides: Partial<SaveImageInput> = {}): SaveImageInput {
  return {
    bytes: fakePng(),
    format: 'png',
    width: 1024,
    height: 1024,
    prompt: 'a red fox in the snow',
    provider: 'openai',
    modelRequested: 'gpt-image',
    modelUsed: 'gpt-image-1',
    parameters: { size: '1024x1024', quality: 'high' },
    ...overrides,
  };
}

/** Everything a store test needs: a temp folder, a manual clock, a memory logger and a recording filesystem. */
export async function openTestStore(options: Partial<FileSystemImageStoreOptions> & { start?: string } = {}) {
  const basePath = options.basePath ?? makeTemporaryFolder();
  const clock = options.clock ?? createManualClock(new Date(options.start ?? '2026-11-25T14:30:22Z'));
  const logger = createMemoryLogger();
  const fileSystem = createRecordingFileSystem();
  const store = await createFileSystemImageStore({ minFreeBytes: 0, fileSystem, logger, ...options, basePath, clock });
  return { store, basePath, clock: clock as ReturnType<typeof createManualClock>, logger, fileSystem };
}

/** All files under a folder, relative, sorted, with `/` separators. */
export function listFiles(folder: string): string[] {
  const found: string[] = [];
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else found.push(path.relative(folder, full).split(path.sep).join('/'));
    }
  };
  if (fs.existsSync(folder)) visit(folder);
  return found.sort();
}
