import sharp from 'sharp';
import { decodeImageInput } from './decode-image-input';
import { inspectImage } from './inspect-image';
import { measureMaskEditableFraction, prepareMask } from './prepare-mask';
import { alphaAt, makeBlackAndWhiteMask, makeImage } from './test-support/image-fixtures';
import type { ValidatedImage } from './validated-image';

describe('prepareMask', () => {
  let image: ValidatedImage;
  const white = { left: 40, top: 30, width: 100, height: 50 };

  beforeAll(async () => {
    image = await decodeImageInput(await makeImage({ width: 256, height: 160, format: 'png' }));
  });

  it('turns a black-and-white mask into alpha: white becomes transparent (edit), black opaque (keep)', async () => {
    const mask = await decodeImageInput(await makeBlackAndWhiteMask({ width: 256, height: 160, white, format: 'png' }));
    expect(mask.hasAlpha).toBe(false);
    const prepared = await prepareMask(mask, image);
    expect(prepared).toMatchObject({ format: 'png', mimeType: 'image/png', width: 256, height: 160, conversion: 'from-luminance' });
    expect(await alphaAt(prepared.data, white.left + 10, white.top + 10)).toBe(0);
    expect(await alphaAt(prepared.data, 5, 5)).toBe(255);
    expect(prepared.editableFraction).toBeCloseTo((100 * 50) / (256 * 160), 5);
    expect(prepared.warnings.map((warning) => warning.code)).toEqual(['mask_converted_from_luminance']);
    await expect(inspectImage(prepared.data)).resolves.toMatchObject({ format: 'png', hasAlpha: true, width: 256, height: 160 });
  });

  it('reads a JPEG black-and-white mask despite compression noise', async () => {
    const mask = await decodeImageInput(await makeBlackAndWhiteMask({ width: 256, height: 160, white, format: 'jpeg' }));
    const prepared = await prepareMask(mask, image);
    expect(await alphaAt(prepared.data, white.left + 50, white.top + 25)).toBe(0);
    expect(await alphaAt(prepared.data, 250, 150)).toBe(255);
    // About 4% of the white rectangle decodes as 254 or less; those pixels must still be editable.
    expect(prepared.editableFraction).toBeCloseTo((100 * 50) / (256 * 160), 3);
  });

  it('refuses a mask of another size, naming both sizes', async () => {
    const small = { left: 10, top: 10, width: 20, height: 20 };
    const mask = await decodeImageInput(await makeBlackAndWhiteMask({ width: 128, height: 80, white: small, format: 'png' }));
    await expect(prepareMask(mask, image)).rejects.toMatchObject({
      code: 'invalid_image',
      message: 'The mask is 128x80 pixels but the image is 256x160; a mask must have exactly the size of the image it edits.',
    });
  });

  it('passes a PNG mask with alpha through unchanged', async () => {
    const bytes = await makeImage({ width: 256, height: 160, format: 'png', alpha: true });
    const prepared = await prepareMask(await decodeImageInput(bytes), image);
    expect(prepared.conversion).toBe('none');
    expect(prepared.data.equals(bytes)).toBe(true);
    expect(prepared.warnings).toEqual([]);
  });

  it('re-encodes a WebP mask with alpha as PNG, keeping the alpha', async () => {
    const bytes = await makeImage({ width: 256, height: 160, format: 'webp', alpha: true });
    const prepared = await prepareMask(await decodeImageInput(bytes), image);
    expect(prepared.conversion).toBe('re-encoded');
    expect((await inspectImage(prepared.data)).format).toBe('png');
    // The fixture's alpha ramps from 0 at the left edge to 255 at the right edge.
    expect(await alphaAt(prepared.data, 0, 80)).toBe(0);
    expect(await alphaAt(prepared.data, 255, 80)).toBe(255);
  });

  it('reads a mask whose alpha channel is opaque everywhere as black-and-white', async () => {
    const bw = await makeBlackAndWhiteMask({ width: 256, height: 160, white, format: 'png' });
    const opaqueRgba = await sharp(bw).ensureAlpha(1).png().toBuffer();
    const mask = await decodeImageInput(opaqueRgba);
    expect(mask.hasAlpha).toBe(true);
    const prepared = await prepareMask(mask, image);
    expect(prepared.conversion).toBe('from-luminance');
    expect(await alphaAt(prepared.data, white.left, white.top)).toBe(0);
  });

  it('warns when a mask would edit nothing or everything', async () => {
    const allBlack = await makeBlackAndWhiteMask({
      width: 256,
      height: 160,
      white: { left: 0, top: 0, width: 0, height: 0 },
      format: 'png',
    });
    const nothing = await prepareMask(await decodeImageInput(allBlack), image);
    expect(nothing.editableFraction).toBe(0);
    expect(nothing.warnings.map((warning) => warning.code)).toContain('mask_edits_nothing');

    const allWhite = await makeBlackAndWhiteMask({
      width: 256,
      height: 160,
      white: { left: 0, top: 0, width: 256, height: 160 },
      format: 'png',
    });
    const everything = await prepareMask(await decodeImageInput(allWhite), image);
    expect(everything.editableFraction).toBe(1);
    expect(everything.warnings.map((warning) => warning.code)).toContain('mask_edits_everything');
  });
});

describe('measureMaskEditableFraction', () => {
  it('measures the fully transparent share of a prepared mask', async () => {
    const white = { left: 0, top: 0, width: 64, height: 100 };
    const mask = await decodeImageInput(await makeBlackAndWhiteMask({ width: 256, height: 100, white, format: 'png' }));
    const prepared = await prepareMask(mask, mask);
    await expect(measureMaskEditableFraction(prepared.data)).resolves.toBeCloseTo(0.25, 5);
  });

  it('finds nothing editable in a mask without alpha', async () => {
    const opaque = await makeImage({ width: 32, height: 32, format: 'jpeg' });
    await expect(measureMaskEditableFraction(opaque)).resolves.toBe(0);
  });
});
