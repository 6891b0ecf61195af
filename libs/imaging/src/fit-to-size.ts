import { ImageGenError } from '@imagegen/common';
import { assertOutputFormat, encodeImage, passThrough, readCheckedHeader } from './convert-image';
import type { OutputImageFormat } from './image-format';
import { resolveImageLimits, type ImageLimits } from './image-limits';
import { qualityForCompression, type ProcessedImage } from './processed-image';

/** The exact size and encoding {@link fitToSize} should produce. */
export interface FitToSizeOptions {
  /** Output width in pixels (a whole number from 1 to 16384). */
  width: number;
  /** Output height in pixels (a whole number from 1 to 16384). */
  height: number;
  /** Output encoding; default: the input's format, or PNG when the input is a GIF. */
  format?: OutputImageFormat;
  /** 0–100 JPEG/WebP quality, as in {@link ConvertImageOptions.compression}. */
  compression?: number;
  /** Size limits for the input (and for the requested size); missing fields take {@link defaultImageLimits}. */
  limits?: Partial<ImageLimits>;
}

/**
 * How the source was made to fit: `unchanged` (already that size; bytes re-encoded only if the format or
 * compression asked for it), `scaled` (same aspect ratio, resized only) or `cropped` (aspect ratio differed: scaled
 * to cover the size, then the overflow was cut off equally on both sides).
 */
export type FitResizeMode = 'unchanged' | 'scaled' | 'cropped';

/** The result of {@link fitToSize}. */
export interface FittedImage extends ProcessedImage {
  /** What was done to reach the size; `cropped` means part of the picture was cut off. */
  resizeMode: FitResizeMode;
  /** Width of the source as displayed (EXIF orientation applied). */
  sourceWidth: number;
  /** Height of the source as displayed (EXIF orientation applied). */
  sourceHeight: number;
}

const largestSide = 16384;

/**
 * Resizes an image to exactly `width`×`height`, for sizes a model cannot produce natively (1200x630 from a
 * 1536x1024 output). Scales to cover the size and crops the centre ("cover"); enlarges when the source is smaller.
 * An image already of that size, in the requested format, with no `compression` given, is returned unchanged (so its
 * C2PA provenance survives). Otherwise the same rules as {@link convertImage} apply (orientation applied, metadata
 * and C2PA dropped, alpha flattened onto white for JPEG).
 *
 * @throws ImageGenError `invalid_request` for a size that is not whole numbers from 1 to 16384, or whose pixel count
 *   exceeds `limits.maxPixels`; for a bad `format` or `compression`.
 * @throws ImageGenError `invalid_image` when the input is not a decodable image within the limits.
 */
export async function fitToSize(data: Uint8Array, options: FitToSizeOptions): Promise<FittedImage> {
  const limits = resolveImageLimits(options.limits);
  assertTargetSize(options.width, options.height, limits);
  if (options.format !== undefined) assertOutputFormat(options.format);
  const quality = qualityForCompression(options.compression);
  const header = await readCheckedHeader(data, limits);
  const format = options.format ?? (header.format === 'gif' ? 'png' : header.format);
  const source = { sourceWidth: header.orientedWidth, sourceHeight: header.orientedHeight };
  const upright = header.orientedWidth === header.width && header.orientedHeight === header.height;
  const sameSize = header.orientedWidth === options.width && header.orientedHeight === options.height;
  if (sameSize && upright && header.format === format && options.compression === undefined) {
    return { ...passThrough(header, format), resizeMode: 'unchanged', ...source };
  }
  const sameAspect = header.orientedWidth * options.height === header.orientedHeight * options.width;
  const resizeMode: FitResizeMode = sameSize ? 'unchanged' : sameAspect ? 'scaled' : 'cropped';
  const size = sameSize ? undefined : { width: options.width, height: options.height };
  const encoded = await encodeImage(header, limits, format, quality, size);
  return { ...encoded, resizeMode, ...source };
}

function assertTargetSize(width: number, height: number, limits: ImageLimits): void {
  const valid = (side: number) => Number.isInteger(side) && side >= 1 && side <= largestSide;
  if (!valid(width) || !valid(height)) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `The target size must be whole numbers of pixels from 1 to ${largestSide}; got ${String(width)}x${String(height)}.`,
      details: { setting: 'size' },
    });
  }
  if (width * height > limits.maxPixels) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `The target size ${width}x${height} exceeds the limit of ${limits.maxPixels} pixels.`,
      details: { setting: 'size', maxPixels: limits.maxPixels },
    });
  }
}
