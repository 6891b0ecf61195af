import { ImageGenError } from '@imagegen/common';
import type { OutputInfo } from 'sharp';
import { hasC2paManifest } from './c2pa';
import { mimeTypeForFormat, type OutputImageFormat } from './image-format';

/** An image this library encoded (or passed through unchanged) for storage or a response. */
export interface ProcessedImage {
  /** The encoded bytes; when the input was passed through unchanged, the same memory as the input. */
  data: Buffer;
  /** The encoding of `data`. */
  format: OutputImageFormat;
  /** The MIME type of `format`. */
  mimeType: string;
  /** Pixel width of `data`. */
  width: number;
  /** Pixel height of `data`. */
  height: number;
  /** Whether `data` has an alpha channel. */
  hasAlpha: boolean;
  /** Size of `data` in bytes. */
  byteLength: number;
  /**
   * True when the input carried C2PA provenance and `data` no longer does, because re-encoding drops it. Record it
   * in the image's metadata; false when the input had none or the bytes were passed through unchanged.
   */
  provenanceRemoved: boolean;
}

/** JPEG and WebP quality used when the caller gives no `compression`. */
export const defaultQuality = 90;

/**
 * Turns an OpenAI-style `compression` (0–100, higher keeps more quality, as in `output_compression`) into an encoder
 * quality (1–100).
 */
export function qualityForCompression(compression: number | undefined): number {
  if (compression === undefined) return defaultQuality;
  if (!Number.isInteger(compression) || compression < 0 || compression > 100) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `compression must be a whole number from 0 to 100; got ${String(compression)}.`,
      details: { setting: 'compression' },
    });
  }
  return Math.max(1, compression);
}

/** Builds the result of an encode, checking the output for provenance rather than assuming it was dropped. */
export function processedImage(data: Buffer, info: OutputInfo, format: OutputImageFormat, inputHadC2pa: boolean): ProcessedImage {
  return {
    data,
    format,
    mimeType: mimeTypeForFormat(format),
    width: info.width,
    height: info.height,
    hasAlpha: info.channels === 2 || info.channels === 4,
    byteLength: data.length,
    provenanceRemoved: inputHadC2pa && !hasC2paManifest(data),
  };
}
