import sharp from 'sharp';
import { convertImage } from './convert-image';
import { inspectImage } from './inspect-image';
import { makeImage } from './test-support/image-fixtures';

describe('convertImage', () => {
  let png: Buffer;

  beforeAll(async () => {
    png = await makeImage({ width: 320, height: 200, format: 'png' });
  });

  it.each(['jpeg', 'webp'] as const)('re-encodes PNG as %s at the same size', async (format) => {
    const converted = await convertImage(png, { format });
    expect(converted).toMatchObject({ format, mimeType: `image/${format}`, width: 320, height: 200, provenanceRemoved: false });
    expect(converted.byteLength).toBe(converted.data.length);
    await expect(inspectImage(converted.data)).resolves.toMatchObject({ format, width: 320, height: 200 });
  });

  it('maps compression to quality: lower compression values give smaller JPEG and WebP files', async () => {
    for (const format of ['jpeg', 'webp'] as const) {
      const low = await convertImage(png, { format, compression: 20 });
      const high = await convertImage(png, { format, compression: 95 });
      expect(low.byteLength).toBeLessThan(high.byteLength);
    }
  });

  it('ignores compression for lossless PNG', async () => {
    const jpeg = await makeImage({ width: 64, height: 64, format: 'jpeg' });
    const a = await convertImage(jpeg, { format: 'png', compression: 5 });
    const b = await convertImage(jpeg, { format: 'png', compression: 95 });
    expect(a.format).toBe('png');
    expect(a.data.equals(b.data)).toBe(true);
  });

  it('returns the bytes unchanged when the image already has the requested format', async () => {
    const same = await convertImage(png, { format: 'png' });
    expect(same.data.equals(png)).toBe(true);
  });

  it('flattens transparency onto white for JPEG', async () => {
    const transparentLeft = await makeImage({ width: 64, height: 64, format: 'png', alpha: true });
    const jpeg = await convertImage(transparentLeft, { format: 'jpeg' });
    expect(jpeg.hasAlpha).toBe(false);
    const { data } = await sharp(jpeg.data).raw().toBuffer({ resolveWithObject: true });
    // Column 0 was fully transparent; on a black background it would be dark.
    expect(Math.min(data[0] ?? 0, data[1] ?? 0, data[2] ?? 0)).toBeGreaterThan(230);
  });

  it('applies EXIF orientation so the output is upright', async () => {
    const rotated = await sharp(await makeImage({ width: 300, height: 200, format: 'jpeg' }))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    await expect(inspectImage(rotated)).resolves.toMatchObject({ width: 300, height: 200 });
    const converted = await convertImage(rotated, { format: 'png' });
    expect(converted).toMatchObject({ width: 200, height: 300 });
  });

  it('refuses an unknown format or a compression outside 0–100', async () => {
    await expect(convertImage(png, { format: 'gif' as never })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(convertImage(png, { format: 'jpeg', compression: 101 })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/0 to 100/),
    });
  });

  it('refuses input that is not an image', async () => {
    await expect(convertImage(Buffer.from('<html></html>'), { format: 'png' })).rejects.toMatchObject({
      code: 'invalid_image',
      message: expect.stringMatching(/HTML document/),
    });
  });

  it('refuses a truncated image it has to decode', async () => {
    await expect(convertImage(png.subarray(0, png.length - 200), { format: 'jpeg' })).rejects.toMatchObject({
      code: 'invalid_image',
      message: expect.stringMatching(/damaged or incomplete PNG/),
    });
  });
});
