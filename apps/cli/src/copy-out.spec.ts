import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyOut, plannedOutPaths } from './copy-out';

describe('--out', () => {
  let folder: string;
  const image = (imageId: string, format: 'png' | 'jpeg' | 'webp' = 'png') => ({
    imageId,
    format,
    readData: () => Promise.resolve(Buffer.from(`bytes of ${imageId}`)),
  });

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-out-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('names files by image id inside an existing folder or a path ending in a slash', async () => {
    expect(await plannedOutPaths([image('img_a'), image('img_b', 'jpeg')], folder, '/')).toEqual([
      path.join(folder, 'img_a.png'),
      path.join(folder, 'img_b.jpg'),
    ]);
    expect(await plannedOutPaths([image('img_a')], 'new/', folder)).toEqual([path.join(folder, 'new', 'img_a.png')]);
  });

  it('numbers several images written to one file name', async () => {
    expect(await plannedOutPaths([image('img_a'), image('img_b')], 'cat.png', folder)).toEqual([
      path.join(folder, 'cat-1.png'),
      path.join(folder, 'cat-2.png'),
    ]);
    expect(await plannedOutPaths([image('img_a')], 'cat.png', folder)).toEqual([path.join(folder, 'cat.png')]);
  });

  it('writes the bytes, creates folders, and leaves no temporary files', async () => {
    const outcome = await copyOut([image('img_a')], 'deep/inside/a.png', { cwd: folder });
    expect(fs.readFileSync(path.join(folder, 'deep', 'inside', 'a.png'), 'utf8')).toBe('bytes of img_a');
    expect(fs.readdirSync(path.join(folder, 'deep', 'inside'))).toEqual(['a.png']);
    expect(outcome.warnings).toEqual([]);
  });

  it('warns when the file name does not match the format', async () => {
    const outcome = await copyOut([image('img_a', 'webp')], 'a.png', { cwd: folder });
    expect(outcome.warnings[0]).toContain('WEBP');
  });

  it('writes nothing when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(copyOut([image('img_a'), image('img_b')], 'x.png', { cwd: folder, signal: controller.signal })).rejects.toMatchObject({
      code: 'cancelled',
    });
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('fails with storage_failed, removing copies already made, when a destination cannot be written', async () => {
    fs.mkdirSync(path.join(folder, 'x-2.png'));
    await expect(copyOut([image('img_a'), image('img_b')], 'x.png', { cwd: folder })).rejects.toMatchObject({ code: 'storage_failed' });
    expect(fs.existsSync(path.join(folder, 'x-1.png'))).toBe(false);
    expect(fs.readdirSync(folder)).toEqual(['x-2.png']);
  });
});
