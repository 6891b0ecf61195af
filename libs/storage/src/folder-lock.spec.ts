import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { createNodeStorageFileSystem, type StorageFileSystem } from './storage-file-system';
import { openTestStore, removeTemporaryFolders, sampleInput, makeTemporaryFolder } from './test-support/fixtures';

afterEach(removeTemporaryFolders);

const lockFile = (basePath: string, owner: Record<string, unknown>) =>
  fs.writeFileSync(
    path.join(basePath, 'images.lock'),
    JSON.stringify({ host: hostname(), acquiredAtMs: Date.now(), token: 'other', ...owner }),
  );

describe('the folder lock', () => {
  it('waits for a writer that is alive and fails with a retryable storage_failed when it does not let go', async () => {
    const { store, basePath } = await openTestStore({ lockTimeoutMs: 50 });
    lockFile(basePath, { pid: process.pid, processStartMs: Math.round(performance.timeOrigin) });
    const failure = store.save(sampleInput());
    await expect(failure).rejects.toMatchObject({ code: 'storage_failed', retryable: true });
    await expect(failure).rejects.toThrow(/busy/);
    expect(fs.existsSync(path.join(basePath, 'images.lock'))).toBe(true);
    fs.rmSync(path.join(basePath, 'images.lock'));
    await expect(store.save(sampleInput())).resolves.toMatchObject({ mimeType: 'image/png' });
  });

  it.each([
    ['a process that has exited', () => ({ pid: spawnSync(process.execPath, ['-e', '']).pid, processStartMs: 1 })],
    ['an earlier process that had the same pid', () => ({ pid: process.pid, processStartMs: Math.round(performance.timeOrigin) - 60_000 })],
  ])('breaks a lock left by %s', async (_what, owner) => {
    const basePath = makeTemporaryFolder();
    lockFile(basePath, owner());
    const { store, logger } = await openTestStore({ basePath, lockTimeoutMs: 1000 });
    await expect(store.save(sampleInput())).resolves.toMatchObject({ mimeType: 'image/png' });
    expect(logger.lines.some((line) => line.message === 'Broke an abandoned storage lock')).toBe(true);
    expect(fs.existsSync(path.join(basePath, 'images.lock'))).toBe(false);
  });

  it('leaves no lock file behind when the disk fills up while the lock is written, and the next save does not wait', async () => {
    const base = createNodeStorageFileSystem();
    let diskFull = false;
    // A full disk as a filesystem shows it: the exclusive create succeeds, the write that follows does not.
    const fileSystem: StorageFileSystem = {
      ...base,
      async createFile(filePath, data, options) {
        if (!diskFull || !filePath.endsWith('images.lock')) return base.createFile(filePath, data, options);
        fs.writeFileSync(filePath, '', { flag: 'wx' });
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    };
    const { store, basePath } = await openTestStore({ lockTimeoutMs: 5000, fileSystem });
    diskFull = true;
    await expect(store.save(sampleInput())).rejects.toMatchObject({ code: 'storage_failed' });
    expect(fs.existsSync(path.join(basePath, 'images.lock'))).toBe(false);
    diskFull = false;
    const started = Date.now();
    await expect(store.save(sampleInput())).resolves.toMatchObject({ mimeType: 'image/png' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('the filesystem leaves no partial file when a create fails after opening', async () => {
    const folder = makeTemporaryFolder();
    const target = path.join(folder, 'partial.bin');
    // Data whose reading fails once the file is open: the same position as a write refused by a full disk.
    const unreadable = new Proxy(new Uint8Array(4), {
      get(object, property) {
        if (property === 'byteLength' || property === 'length' || property === 'buffer')
          throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        return Reflect.get(object, property);
      },
    });
    await expect(createNodeStorageFileSystem().createFile(target, unreadable, { mode: 0o600, durable: false })).rejects.toBeDefined();
    expect(fs.existsSync(target)).toBe(false);
  });

  it.each([
    ['an empty', ''],
    ['a half-written', '{"host": "'],
  ])('breaks %s lock file within a second instead of queueing saves behind it', async (_what, content) => {
    const basePath = makeTemporaryFolder();
    const lockPath = path.join(basePath, 'images.lock');
    fs.writeFileSync(lockPath, content);
    const { store, logger } = await openTestStore({ basePath, lockTimeoutMs: 5000 });
    const started = Date.now();
    await expect(store.save(sampleInput())).resolves.toMatchObject({ mimeType: 'image/png' });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(logger.lines.some((line) => line.message === 'Broke an abandoned storage lock')).toBe(true);
    expect(fs.existsSync(lockPath)).toBe(false);
  });
});
