import { ImageGenError } from '@imagegen/common';
import sharp from 'sharp';
import { createPipeline, runDecoding } from './image-header';
import { resolveImageLimits, type ImageLimits } from './image-limits';
import type { ValidatedImage } from './validated-image';

/** A markup overlay ready for an OpenAI edit: a PNG with alpha, the first image's size, with transparent pixels. */
export interface PreparedMarkup {
  /** PNG bytes (the input's own bytes when it already was a PNG). */
  data: Buffer;
  /** Always `image/png`. */
  mimeType: 'image/png';
  width: number;
  height: number;
  /** Share of pixels that carry drawing (not fully transparent), 0–1. */
  drawnFraction: number;
}

/**
 * Checks a markup overlay the way the API describes it ("a transparent PNG overlaid on the first image … must match
 * that image's dimensions and contain transparent pixels") and returns it as PNG. A WebP or PNG with alpha is
 * accepted (WebP is re-encoded); an overlay without alpha, fully opaque, fully transparent (nothing drawn) or of another
 * size than the image is refused.
 *
 * @throws ImageGenError `invalid_image`, naming what is wrong.
 */
export async function prepareMarkup(
  markup: ValidatedImage,
  image: Pick<ValidatedImage, 'width' | 'height'>,
  options: { limits?: Partial<ImageLimits> } = {},
): Promise<PreparedMarkup> {
  const limits = resolveImageLimits(options.limits);
  if (markup.width !== image.width || markup.height !== image.height) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: `The markup is ${markup.width}x${markup.height} but the first image is ${image.width}x${image.height}; draw it at the image's size.`,
      details: { setting: 'markup', expected: `${image.width}x${image.height}`, actual: `${markup.width}x${markup.height}` },
    });
  }
  if (!markup.hasAlpha) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: 'The markup must be a transparent PNG (drawing on a see-through layer); this one has no alpha channel.',
      details: { setting: 'markup' },
    });
  }
  const alpha = await runDecoding('The markup', markup.format, () =>
    createPipeline(markup.data, limits).ensureAlpha().extractChannel('alpha').raw().toBuffer(),
  );
  let transparent = 0;
  for (const value of alpha) if (value === 0) transparent += 1;
  const drawnFraction = 1 - transparent / alpha.length;
  if (transparent === 0) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: 'The markup covers the whole image: it must be transparent except where it marks the change.',
      details: { setting: 'markup' },
    });
  }
  if (transparent === alpha.length) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: 'The markup is fully transparent: nothing is drawn on it. Draw the change, or leave the markup out.',
      details: { setting: 'markup' },
    });
  }
  const data = markup.format === 'png' ? markup.data : await sharp(markup.data).png().toBuffer();
  return { data, mimeType: 'image/png', width: markup.width, height: markup.height, drawnFraction };
}
