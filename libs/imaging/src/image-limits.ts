import { ImageGenError } from '@imagegen/common';

/**
 * Size limits applied to every image this library reads. Bytes are checked before anything is decoded and the
 * pixel count is read from the header before any pixel is decoded, so an oversized file or a decompression bomb
 * is refused cheaply.
 */
export interface ImageLimits {
  /** The largest encoded image accepted, in bytes. */
  maxBytes: number;
  /** The largest width × height accepted, in pixels (one frame of an animation). */
  maxPixels: number;
}

/**
 * The limits used where a caller passes none: 50 MB (OpenAI's per-image upload cap) and 50 megapixels (larger
 * than any model's output, large enough for a phone photo, small enough to decode in a few hundred MB of memory).
 */
export const defaultImageLimits: Readonly<ImageLimits> = Object.freeze({ maxBytes: 50_000_000, maxPixels: 50_000_000 });

/** Fills missing limits from {@link defaultImageLimits} and refuses limits that are not positive integers. */
export function resolveImageLimits(limits: Partial<ImageLimits> | undefined): ImageLimits {
  const resolved = { ...defaultImageLimits, ...stripUndefined(limits ?? {}) };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ImageGenError({
        code: 'invalid_request',
        message: `The image limit ${name} must be a positive whole number; got ${String(value)}.`,
        details: { setting: name },
      });
    }
  }
  return resolved;
}

/** Throws `invalid_image` when an encoded image is larger than the byte limit. */
export function assertWithinByteLimit(byteLength: number, limits: ImageLimits, subject: string, approximate = false): void {
  if (byteLength <= limits.maxBytes) return;
  throw new ImageGenError({
    code: 'invalid_image',
    message: `${subject} is ${approximate ? 'about ' : ''}${formatByteSize(byteLength)}; the limit is ${formatByteSize(limits.maxBytes)}.`,
    details: { byteLength, maxBytes: limits.maxBytes },
  });
}

/** Throws `invalid_image` when the dimensions an image declares exceed the pixel limit. */
export function assertWithinPixelLimit(width: number, height: number, limits: ImageLimits, subject: string): void {
  const pixels = width * height;
  if (pixels <= limits.maxPixels) return;
  throw new ImageGenError({
    code: 'invalid_image',
    message:
      `${subject} declares ${width}x${height} pixels (${formatMegapixels(pixels)}); the limit is ` +
      `${formatMegapixels(limits.maxPixels)}. Scale it down before sending it.`,
    details: { width, height, pixels, maxPixels: limits.maxPixels },
  });
}

/** `512 bytes`, `340 kB`, `12.5 MB`: decimal units, as people read file sizes. */
export function formatByteSize(byteLength: number): string {
  if (byteLength < 1000) return `${byteLength} bytes`;
  if (byteLength < 1_000_000) return `${trimNumber(byteLength / 1000)} kB`;
  return `${trimNumber(byteLength / 1_000_000)} MB`;
}

function formatMegapixels(pixels: number): string {
  return `${trimNumber(pixels / 1_000_000)} megapixels`;
}

function trimNumber(value: number): string {
  return value >= 100 ? Math.round(value).toString() : String(Math.round(value * 10) / 10);
}

function stripUndefined(limits: Partial<ImageLimits>): Partial<ImageLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
