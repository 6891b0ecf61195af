import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { resolveImageInput } from './image-input';

describe('image arguments', () => {
  let folder: string;
  const context = (stdin: NodeJS.ReadableStream & { isTTY?: boolean } = Readable.from([])) => ({ stdin, maxBytes: 64, cwd: folder });

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-input-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('reads a file relative to the working folder', async () => {
    fs.writeFileSync(path.join(folder, 'a.png'), 'png bytes');
    expect(await resolveImageInput('a.png', 'image', context())).toEqual({ kind: 'bytes', data: Buffer.from('png bytes') });
  });

  it('takes stored ids and generated-images:// URIs as stored images', async () => {
    expect(await resolveImageInput('img_20260101120000_0123456789ab', 'image', context())).toEqual({
      kind: 'stored',
      imageId: 'img_20260101120000_0123456789ab',
    });
    expect(await resolveImageInput('generated-images://img_20260101120000_0123456789ab', 'mask', context())).toEqual({
      kind: 'stored',
      imageId: 'img_20260101120000_0123456789ab',
    });
  });

  it('prefers a file over an id of the same name', async () => {
    fs.writeFileSync(path.join(folder, 'img_20260101120000_0123456789ab'), 'file');
    expect((await resolveImageInput('img_20260101120000_0123456789ab', 'image', context())).kind).toBe('bytes');
  });

  it('reads standard input for -', async () => {
    expect(await resolveImageInput('-', 'image', context(Readable.from([Buffer.from('ab'), Buffer.from('cd')])))).toEqual({
      kind: 'bytes',
      data: Buffer.from('abcd'),
    });
  });

  it('refuses an empty or interactive standard input, and inputs over the size limit', async () => {
    await expect(resolveImageInput('-', 'image', context(Readable.from([])))).rejects.toMatchObject({ code: 'invalid_image' });
    const terminal = Object.assign(Readable.from([]), { isTTY: true });
    await expect(resolveImageInput('-', 'image', context(terminal))).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(resolveImageInput('-', 'image', context(Readable.from([Buffer.alloc(65)])))).rejects.toMatchObject({
      code: 'invalid_image',
    });
    fs.writeFileSync(path.join(folder, 'big.png'), Buffer.alloc(65));
    await expect(resolveImageInput('big.png', 'image', context())).rejects.toMatchObject({
      code: 'invalid_image',
      details: { setting: 'IMAGES__MAX_INPUT_BYTES' },
    });
  });

  it('reports a missing file or a folder as not found', async () => {
    await expect(resolveImageInput('missing.png', 'image', context())).rejects.toMatchObject({ code: 'not_found' });
    await expect(resolveImageInput('.', 'mask', context())).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('folder'),
    });
  });
});
