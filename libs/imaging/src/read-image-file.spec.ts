import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readImageFile } from './read-image-file';
import { makeImage } from './test-support/image-fixtures';

describe('readImageFile', () => {
  let root: string;
  let allowed: string;
  let outside: string;
  let png: Buffer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'imaging-read-'));
    allowed = path.join(root, 'allowed');
    outside = path.join(root, 'outside');
    await mkdir(path.join(allowed, 'nested'), { recursive: true });
    await mkdir(outside);
    png = await makeImage({ width: 48, height: 32, format: 'png' });
    await writeFile(path.join(allowed, 'inside.png'), png);
    await writeFile(path.join(allowed, 'nested', 'deep.png'), png);
    await writeFile(path.join(outside, 'secret.png'), png);
    await writeFile(path.join(allowed, 'notes.txt'), 'a shopping list\n');
    await writeFile(path.join(allowed, 'photo.png'), await makeImage({ width: 10, height: 10, format: 'jpeg' }));
    await symlink(path.join(outside, 'secret.png'), path.join(allowed, 'escape.png'));
    await symlink(path.join(allowed, 'inside.png'), path.join(allowed, 'alias.png'));
    await symlink(allowed, path.join(root, 'allowed-link'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const read = (filePath: string, maxBytes?: number) =>
    readImageFile(filePath, { allowedFolders: [allowed], limits: maxBytes === undefined ? undefined : { maxBytes } });

  it('reads an image inside an allowed folder, subfolders included', async () => {
    await expect(read(path.join(allowed, 'inside.png'))).resolves.toMatchObject({ format: 'png', width: 48, height: 32 });
    const deep = await read(path.join(allowed, 'nested', 'deep.png'));
    expect(deep.data.equals(png)).toBe(true);
  });

  it('follows a symbolic link that stays inside the allowed folders', async () => {
    await expect(read(path.join(allowed, 'alias.png'))).resolves.toMatchObject({ format: 'png' });
  });

  it('accepts an allowed folder given through a symbolic link, and file:// URLs', async () => {
    const image = await readImageFile(pathToFileURL(path.join(allowed, 'inside.png')).href, {
      allowedFolders: [path.join(root, 'allowed-link')],
    });
    expect(image.width).toBe(48);
  });

  it('refuses a file outside the allowed folders and names the allowed folders', async () => {
    await expect(read(path.join(outside, 'secret.png'))).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining(`is outside the folders images may be read from: ${allowed}`),
      details: { allowedFolders: [allowed] },
    });
  });

  it('refuses a symbolic link that escapes the allowed folders', async () => {
    await expect(read(path.join(allowed, 'escape.png'))).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/through a symbolic link.*outside/),
    });
  });

  it('refuses ".." that climbs out of an allowed folder', async () => {
    await expect(read(`${allowed}/../outside/secret.png`)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(read(`${allowed}/nested/../../outside/secret.png`)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('accepts ".." that stays inside an allowed folder', async () => {
    await expect(read(`${allowed}/nested/../inside.png`)).resolves.toMatchObject({ format: 'png' });
  });

  it('answers not_found for a missing file inside an allowed folder', async () => {
    await expect(read(path.join(allowed, 'missing.png'))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('missing.png'),
    });
  });

  it('does not reveal whether a file exists outside the allowed folders', async () => {
    await expect(read(path.join(outside, 'missing.png'))).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('refuses a relative path, whose meaning would depend on the working directory', async () => {
    await expect(read('allowed/inside.png')).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/not an absolute path.*inside one of/),
    });
  });

  it('refuses everything when no folder is allowed', async () => {
    await expect(readImageFile(path.join(allowed, 'inside.png'), { allowedFolders: [] })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/disabled/),
    });
  });

  it('refuses a folder', async () => {
    await expect(read(path.join(allowed, 'nested'))).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/not a regular file/),
    });
  });

  it('refuses a text file as not an image', async () => {
    await expect(read(path.join(allowed, 'notes.txt'))).rejects.toMatchObject({
      code: 'invalid_image',
      message: expect.stringMatching(/notes\.txt is text/),
    });
  });

  it('trusts the bytes over the extension, with a warning', async () => {
    const image = await read(path.join(allowed, 'photo.png'));
    expect(image.format).toBe('jpeg');
    expect(image.warnings).toEqual([
      expect.objectContaining({ code: 'declared_type_mismatch', message: expect.stringMatching(/\.png but the bytes are JPEG/) }),
    ]);
  });

  it('checks the size before reading: a 2 GB file is refused at once', async () => {
    const huge = path.join(allowed, 'huge.png');
    await writeFile(huge, png);
    await truncate(huge, 2_000_000_000); // sparse: takes no disk space
    const started = performance.now();
    await expect(read(huge, 10_000_000)).rejects.toMatchObject({
      code: 'invalid_image',
      message: expect.stringMatching(/is 2000 MB; the limit is 10 MB/),
    });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses allowed folders that are not absolute paths', async () => {
    await expect(readImageFile(path.join(allowed, 'inside.png'), { allowedFolders: ['relative'] })).rejects.toMatchObject({
      code: 'invalid_config',
    });
  });
});
