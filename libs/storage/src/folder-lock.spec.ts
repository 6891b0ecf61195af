import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
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
});
