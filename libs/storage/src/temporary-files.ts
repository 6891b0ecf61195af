import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Clock, Logger } from '@imagegen/common';
import { generateImageId } from './image-id';
import type { StorageFileSystem } from './storage-file-system';
import { absoluteDirectory, directoryOfImageId, temporaryFilePrefix, type StoragePaths } from './storage-paths';

/** A token for this run of this process: a restarted container often gets the same pid, never the same token. */
const processRun = randomBytes(3).toString('hex');

/**
 * The suffix of a temporary file name: the writing process's pid and run token, then random hex. It lets a store that
 * opens later tell the leftovers of a process that died (swept at once) from the writes of a live one (left alone).
 */
export function temporaryFileSuffix(): string {
  return `${process.pid}-${processRun}-${randomBytes(4).toString('hex')}`;
}

/** Whether the process that wrote a temporary file named with {@link temporaryFileSuffix} is gone. */
function writerIsGone(fileName: string): boolean {
  const match = /\.(\d+)-([0-9a-f]{6})-[0-9a-f]{8}$/.exec(fileName);
  if (!match) return false;
  const pid = Number(match[1]);
  if (pid === process.pid) return match[2] !== processRun;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** What {@link sweepAbandonedTemporaryFiles} looks at. */
export interface TemporarySweepContext {
  fileSystem: StorageFileSystem;
  paths: StoragePaths;
  clock: Clock;
  createSubdirectories: boolean;
  logger: Logger;
}

/**
 * Removes the temporary files of writes whose process died (a crash or `kill -9` mid-save), in the folders saves of
 * today and yesterday go to — where a process that just died wrote — when they changed after the index state. Run
 * before the index is opened (opening may record the state again). Older leftovers are removed by retention's
 * hourly sweep of stale temporaries. Best effort: never rejects; returns how many files were removed.
 */
export async function sweepAbandonedTemporaryFiles(context: TemporarySweepContext): Promise<number> {
  const now = context.clock.now().getTime();
  const directories = new Set<string>();
  for (const instant of [now, now - 24 * 3_600_000]) {
    const idOfThatDay = generateImageId({ now: () => new Date(instant) });
    directories.add(directoryOfImageId(idOfThatDay, context.createSubdirectories));
  }
  // A save that died wrote its temporary file after the last change was recorded, so its folder is newer than the
  // index state: folders older than that are not listed (opening a large, quiet store stays free of listings).
  const state = await context.fileSystem.stat(context.paths.statePath).catch(() => undefined);
  let removed = 0;
  for (const directory of directories) {
    const folder = absoluteDirectory(context.paths.imagesPath, directory);
    const facts = await context.fileSystem.stat(folder).catch(() => undefined);
    if (facts?.kind !== 'directory' || (state !== undefined && facts.mtimeMs <= state.mtimeMs)) continue;
    const entries = await context.fileSystem.readDirectory(folder).catch(() => []);
    for (const entry of entries) {
      if (entry.kind !== 'file' || !entry.name.startsWith(temporaryFilePrefix) || !writerIsGone(entry.name)) continue;
      if (await context.fileSystem.removeFile(path.join(folder, entry.name)).catch(() => false)) removed += 1;
    }
  }
  if (removed > 0) context.logger.info('Removed temporary files left by a process that stopped mid-save', { files: removed });
  return removed;
}
