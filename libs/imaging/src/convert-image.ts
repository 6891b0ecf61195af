import { ImageGenError } from '@imagegen/common';
import { isOutputImageFormat, mimeTypeForFormat, type OutputImageFormat } from './image-format';
import { createPipeline, encodeAs, readImageHeader, runDecoding, type ImageHeader } from './image-header';
import { assertWithinByteLimit, assertWithinPixelLimit, resolveImageLimits, type ImageLimits } from './image-limits';
import { processedImage, qualityForCompression, type ProcessedImage } from './processed-image';

/** What {@link convertImage} should produce. */
export interface ConvertImageOptions {
  /** The output encoding. */
  format: OutputImageFormat;
  /**
   * 0–100, as OpenAI's `output_compression`: the JPEG or WebP quality (100 = best quality, largest file; 0 is
   * treated as 1). Ignored for PNG, which is lossless. Default: quality 90.
   */
  compression?: number;
  /** Size limits for the input; missing fields take {@link defaultImageLimits}. */
  limits?: Partial<ImageLimits>;
}

/**
 * Re-encodes an image (typically a provider's output) as PNG, JPEG or WebP.
 *
 * When the input already is `format` and no `compression` is given, the bytes are returned unchanged, so C2PA
 * provenance survives. Otherwise the image is decoded and re-encoded: EXIF orientation is applied (the output is
 * upright and carries no orientation tag), metadata including C2PA is dropped (`provenanceRemoved` says when that
 * happened), and transparency is flattened onto white for JPEG, which has no alpha channel.
 *
 * @throws ImageGenError `invalid_image` when the input is not a decodable PNG, JPEG, WebP or GIF within the limits.
 * @throws ImageGenError `invalid_request` for an unknown `format` or a `compression` outside 0–100.
 */
export async function convertImage(data: Uint8Array, options: ConvertImageOptions): Promise<ProcessedImage> {
  const limits = resolveImageLimits(options.limits);
  assertOutputFormat(options.format);
  const quality = qualityForCompression(options.compression);
  const header = await readCheckedHeader(data, limits);
  if (header.format === options.format && options.compression === undefined) {
    return passThrough(header, options.format);
  }
  return encodeImage(header, limits, options.format, quality, undefined);
}

/** Throws `invalid_request` unless `format` is one this library can write. */
export function assertOutputFormat(format: unknown): asserts format is OutputImageFormat {
  if (!isOutputImageFormat(format)) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `The output format must be png, jpeg or webp; got ${JSON.stringify(format)}.`,
      details: { setting: 'format', allowed: ['png', 'jpeg', 'webp'] },
    });
  }
}

/** Reads the header of image bytes and enforces both limits before anything is decoded. */
export async function readCheckedHeader(data: Uint8Array, limits: ImageLimits): Promise<ImageHeader> {
  const subject = 'The image';
  assertWithinByteLimit(data.byteLength, limits, subject);
  const header = await readImageHeader(data, subject);
  assertWithinPixelLimit(header.width, header.height, limits, subject);
  return header;
}

/** The input bytes as a result, untouched. Only valid when the input is already in `format` and upright. */
export function passThrough(header: ImageHeader, format: OutputImageFormat): ProcessedImage {
  return {
    data: header.buffer,
    format,
    mimeType: mimeTypeForFormat(format),
    width: header.width,
    height: header.height,
    hasAlpha: header.hasAlpha,
    byteLength: header.buffer.length,
    provenanceRemoved: false,
  };
}

/** Decodes, applies EXIF orientation, optionally resizes to cover `size` (centre crop), and encodes. */
export async function encodeImage(
  header: ImageHeader,
  limits: ImageLimits,
  format: OutputImageFormat,
  quality: number,
  size: { width: number; height: number } | undefined,
): Promise<ProcessedImage> {
  return runDecoding('The image', header.format, async () => {
    let pipeline = createPipeline(header.buffer, limits).autoOrient();
    if (size !== undefined) pipeline = pipeline.resize(size.width, size.height, { fit: 'cover', position: 'centre' });
    if (format === 'jpeg' && header.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
    const { data, info } = await encodeAs(pipeline, format, quality).toBuffer({ resolveWithObject: true });
    return processedImage(data, info, format, header.hasC2pa);
  });
}
