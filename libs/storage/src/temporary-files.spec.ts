import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createManualClock } from '@imagegen/common';
import { createFileSystemImageStore } from './file-system-image-store';
import { temporaryFileSuffix } from './temporary-files';

describe('temporary files of a process that died mid-save', () => {
  it('are removed when a store opens; those of live processes stay', async () => {
    const basePath = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-sweep-'));
    const clock = createManualClock(new Date('2026-12-01T10:00:00Z'));
    const today = path.join(basePath, 'images', '2026', '12', '01');
    fs.mkdirSync(today, { recursive: true });
    // A process that has exited: its pid is free.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    const abandoned = path.join(today, `.tmp-img_20261201095959_0123456789ab.png.${deadPid}-abcdef-01234567`);
    const ours = path.join(today, `.tmp-img_20261201100000_0123456789ab.png.${temporaryFileSuffix()}`);
    fs.writeFileSync(abandoned, Buffer.alloc(1024));
    fs.writeFileSync(ours, Buffer.alloc(1024));
    // The crash happened after the index state was last written.
    const before = new Date(Date.now() - 60_000);
    fs.writeFileSync(path.join(basePath, 'images.state.json'), '{}');
    fs.utimesSync(path.join(basePath, 'images.state.json'), before, before);
    const store = await createFileSystemImageStore({ basePath, clock, minFreeBytes: 0 });
    expect(fs.existsSync(abandoned)).toBe(false);
    expect(fs.existsSync(ours)).toBe(true);
    await store.close();
    fs.rmSync(basePath, { recursive: true, force: true });
  });
});
