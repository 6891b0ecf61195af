import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openedFileLocation } from './opened-file-location';

describe('openedFileLocation', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'imaging-opened-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const noDescriptorFolder = () => path.join(root, 'no-such-descriptor-folder');

  it.each([
    ['the kernel', undefined],
    ['the portable fallback', 'fallback'],
  ])('names the opened file through %s', async (_how, mode) => {
    const file = path.join(root, `plain-${mode ?? 'kernel'}.png`);
    await writeFile(file, 'x');
    const handle = await open(file, 'r');
    try {
      const location = await openedFileLocation(handle, file, await handle.stat(), mode ? noDescriptorFolder() : undefined);
      expect(location).toBe(file);
    } finally {
      await handle.close();
    }
  });

  it('the portable fallback refuses when the name now leads to another file', async () => {
    const file = path.join(root, 'swapped.png');
    await writeFile(file, 'first');
    const handle = await open(file, 'r');
    try {
      const opened = await handle.stat();
      await writeFile(path.join(root, 'other.png'), 'second');
      await rename(path.join(root, 'other.png'), file);
      expect(await openedFileLocation(handle, file, opened, noDescriptorFolder())).toBeUndefined();
      // The kernel names a replaced file "… (deleted)"; that is no location either.
      expect(await openedFileLocation(handle, file, opened)).toBeUndefined();
    } finally {
      await handle.close();
    }
  });
});
