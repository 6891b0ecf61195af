import { ImageGenError } from '@imagegen/common';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { hasC2paManifest } from './c2pa';
import { detectContent } from './detect-image-format';
import type { ImageFormat, OutputImageFormat } from './image-format';
import type { ImageLimits } from './image-limits';

/** What the header of an accepted image says, read without decoding any pixel. */
export interface ImageHeader {
  /** The encoded bytes (a view of the caller's bytes, not a copy). */
  buffer: Buffer;
  /** The format detected from the bytes. */
  format: ImageFormat;
  /** Stored pixel width (EXIF orientation not applied). */
  width: number;
  /** Stored pixel height (EXIF orientation not applied). */
  height: number;
  /** Width once EXIF orientation is applied, as a viewer shows it. */
  orientedWidth: number;
  /** Height once EXIF orientation is applied, as a viewer shows it. */
  orientedHeight: number;
  /** Whether the image has an alpha channel. */
  hasAlpha: boolean;
  /** Whether the bytes embed a C2PA manifest store. */
  hasC2pa: boolean;
  /** Frames in the file: more than 1 for an animated GIF or WebP, of which only the first is ever used. */
  frames: number;
}

const displayNameByFormat: Readonly<Record<ImageFormat, string>> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', gif: 'GIF' };

/** `PNG`, `JPEG`, `WebP`, `GIF`: how formats are named in messages. */
export function formatDisplayName(format: ImageFormat): string {
  return displayNameByFormat[format];
}

/**
 * Reads the header of untrusted bytes: refuses empty input and anything that is not PNG, JPEG, WebP or GIF
 * (naming what it is instead), then asks sharp for the dimensions without decoding pixels.
 * `subject` starts every message, e.g. `The image` or `The mask`.
 */
export async function readImageHeader(data: Uint8Array, subject: string): Promise<ImageHeader> {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length === 0) {
    throw new ImageGenError({ code: 'invalid_image', message: `${subject} is empty (0 bytes).` });
  }
  const detected = detectContent(buffer);
  if (!detected.accepted) {
    const message =
      detected.description === 'not an image'
        ? `${subject} is not an image: its bytes match none of the accepted formats (PNG, JPEG, WebP, GIF).`
        : `${subject} is ${detected.description}, not an image in an accepted format (PNG, JPEG, WebP, GIF).`;
    throw new ImageGenError({ code: 'invalid_image', message, details: { detected: detected.description } });
  }
  const format = detected.format;
  let metadata: Metadata;
  try {
    // No pixel limit here on purpose: reading the header decodes no pixels, and the dimensions it yields are what
    // lets the caller's limit check name the declared size of a decompression bomb.
    metadata = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw damagedImageError(subject, format, error);
  }
  if (metadata.format !== format || !(metadata.width > 0) || !(metadata.height > 0)) {
    throw damagedImageError(subject, format, undefined);
  }
  return {
    buffer,
    format,
    width: metadata.width,
    height: metadata.height,
    orientedWidth: metadata.autoOrient?.width ?? metadata.width,
    orientedHeight: metadata.autoOrient?.height ?? metadata.height,
    hasAlpha: metadata.hasAlpha,
    hasC2pa: hasC2paManifest(buffer),
    frames: metadata.pages ?? 1,
  };
}

/**
 * A sharp pipeline over already-checked bytes, with the pixel limit enforced by sharp as a second line of defence
 * and decoding errors (not mere warnings) treated as failures.
 */
export function createPipeline(buffer: Buffer, limits: ImageLimits): Sharp {
  return sharp(buffer, { limitInputPixels: limits.maxPixels, failOn: 'error' });
}

/** Runs sharp work on one input, turning a decoding failure into `invalid_image` naming the input and its format. */
export async function runDecoding<T>(subject: string, format: ImageFormat, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (ImageGenError.isInstance(error)) throw error;
    throw damagedImageError(subject, format, error);
  }
}

/** Sets the output encoding; `quality` (1–100) applies to JPEG and WebP only. */
export function encodeAs(pipeline: Sharp, format: OutputImageFormat, quality: number): Sharp {
  switch (format) {
    case 'png':
      return pipeline.png();
    case 'jpeg':
      return pipeline.jpeg({ quality });
    case 'webp':
      return pipeline.webp({ quality });
  }
}

function damagedImageError(subject: string, format: ImageFormat, cause: unknown): ImageGenError {
  return new ImageGenError({
    code: 'invalid_image',
    message: `${subject} is a damaged or incomplete ${formatDisplayName(format)} file: it could not be decoded.`,
    details: { format },
    cause,
  });
}
