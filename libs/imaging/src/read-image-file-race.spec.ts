import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readImageFile } from './read-image-file';
import { makeImage } from './test-support/image-fixtures';

// Swaps `<allowed>/swap` between a real folder and a symbolic link to a folder outside, as fast as it can, until
// told to stop through the shared flag. Plain JavaScript: the worker runs outside the test transform.
const swapperSource = `
const { renameSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const { swap, realFolder, linkToOutside, stop } = workerData;
const flag = new Int32Array(stop);
const move = (from, to) => { try { renameSync(from, to); } catch {} };
while (Atomics.load(flag, 0) === 0) {
  move(realFolder, swap);
  move(swap, realFolder);
  move(linkToOutside, swap);
  move(swap, linkToOutside);
}
`;

describe('readImageFile under a racing folder swap', () => {
  let root: string;
  let allowed: string;
  let outsideImage: Buffer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'imaging-race-'));
    allowed = path.join(root, 'allowed');
    const outside = path.join(root, 'outside');
    await mkdir(path.join(allowed, 'real'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(allowed, 'real', 'photo.png'), await makeImage({ width: 16, height: 16, format: 'png' }));
    outsideImage = await makeImage({ width: 24, height: 24, format: 'png' });
    await writeFile(path.join(outside, 'photo.png'), outsideImage);
    await symlink(outside, path.join(allowed, 'link'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('never returns a file outside the allowed folders in 1,000 racing attempts', async () => {
    const stop = new SharedArrayBuffer(4);
    const worker = new Worker(swapperSource, {
      eval: true,
      workerData: {
        swap: path.join(allowed, 'swap'),
        realFolder: path.join(allowed, 'real'),
        linkToOutside: path.join(allowed, 'link'),
        stop,
      },
    });
    const outcomes = { inside: 0, outside: 0, refused: 0 };
    // Reads before the swapper runs would all be refused (no `swap` yet) and race nothing.
    await new Promise((resolve) => worker.once('online', resolve));
    try {
      // At least 1,000 racing reads, and on until one has landed on the real folder (a fast machine may finish 1,000
      // reads between two swaps), within a bound.
      for (let attempt = 0; attempt < 1_000 || (outcomes.inside === 0 && attempt < 20_000); attempt++) {
        try {
          const image = await readImageFile(path.join(allowed, 'swap', 'photo.png'), { allowedFolders: [allowed] });
          if (image.data.equals(outsideImage)) outcomes.outside++;
          else outcomes.inside++;
        } catch {
          outcomes.refused++;
        }
      }
    } finally {
      Atomics.store(new Int32Array(stop), 0, 1);
      await worker.terminate();
    }
    expect(outcomes.outside).toBe(0);
    // The race must really have been run: some reads landed on the real folder.
    expect(outcomes.inside).toBeGreaterThan(0);
  }, 60_000);

  it("reads a hard link inside an allowed folder: it is that folder's file, whatever other names it has", async () => {
    const hardLinked = path.join(allowed, 'hard-link.png');
    await link(path.join(root, 'outside', 'photo.png'), hardLinked);
    const image = await readImageFile(hardLinked, { allowedFolders: [allowed] });
    expect(image.data.equals(outsideImage)).toBe(true);
  });
});
