import sharp from 'sharp';
import { decodeImageInput } from './decode-image-input';
import { prepareMarkup } from './prepare-markup';
import { makeImage } from './test-support/image-fixtures';

/** A transparent layer with one opaque red square: what a person draws on the image. */
async function overlay(width: number, height: number, format: 'png' | 'webp' = 'png', drawn = true): Promise<Buffer> {
  const layer = sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } });
  const square = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
    .png()
    .toBuffer();
  return (drawn ? layer.composite([{ input: square, left: 4, top: 4 }]) : layer).toFormat(format, { lossless: true }).toBuffer();
}

describe('prepareMarkup', () => {
  const first = { width: 32, height: 32 };

  it('keeps a transparent PNG overlay as it is and measures how much is drawn', async () => {
    const bytes = await overlay(32, 32);
    const prepared = await prepareMarkup(await decodeImageInput(bytes), first);
    expect(prepared.data).toEqual(bytes);
    expect(prepared.mimeType).toBe('image/png');
    expect(prepared.drawnFraction).toBeCloseTo(64 / 1024, 5);
  });

  it('re-encodes a WebP overlay as PNG', async () => {
    const prepared = await prepareMarkup(await decodeImageInput(await overlay(32, 32, 'webp')), first);
    expect((await sharp(prepared.data).metadata()).format).toBe('png');
  });

  it.each<[string, () => Promise<Buffer>, string]>([
    ['of another size', () => overlay(16, 16), 'first image is 32x32'],
    ['without alpha', () => makeImage({ width: 32, height: 32, format: 'png' }), 'no alpha channel'],
    ['with nothing drawn', () => overlay(32, 32, 'png', false), 'nothing is drawn'],
    [
      'opaque everywhere',
      () =>
        sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 1 } } })
          .png()
          .toBuffer(),
      'covers the whole image',
    ],
  ])('refuses an overlay %s', async (_name, make, message) => {
    await expect(prepareMarkup(await decodeImageInput(await make()), first)).rejects.toMatchObject({
      code: 'invalid_image',
      message: expect.stringContaining(message),
      details: expect.objectContaining({ setting: 'markup' }),
    });
  });
});
