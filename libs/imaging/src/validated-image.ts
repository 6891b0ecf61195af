import { formatForMimeType, mimeTypeForFormat, type ImageFormat } from './image-format';
import { createPipeline, formatDisplayName, readImageHeader, runDecoding } from './image-header';
import { assertWithinByteLimit, assertWithinPixelLimit, type ImageLimits } from './image-limits';

/** Facts about an encoded image, all read from its bytes. */
export interface ImageInfo {
  /** The real format, detected from the bytes (never taken from a name or a declared MIME type). */
  format: ImageFormat;
  /** The MIME type of `format`. */
  mimeType: string;
  /** Pixel width as stored (EXIF orientation is not applied). */
  width: number;
  /** Pixel height as stored (EXIF orientation is not applied). */
  height: number;
  /** Whether the image has an alpha channel (it may still be fully opaque). */
  hasAlpha: boolean;
  /** Size of the encoded bytes. */
  byteLength: number;
  /** Whether the bytes embed C2PA provenance (a PNG `caBX` chunk, JPEG APP11 JUMBF or WebP `C2PA` chunk). */
  hasC2pa: boolean;
}

/** Why a {@link ImageWarning} was raised. */
export type ImageWarningCode =
  | 'declared_type_mismatch'
  | 'animation_first_frame_only'
  | 'mask_converted_from_luminance'
  | 'mask_edits_nothing'
  | 'mask_edits_everything';

/** Something about an accepted input that its sender may not expect; for the engine to pass on to the user. */
export interface ImageWarning {
  /** Stable code for programs. */
  code: ImageWarningCode;
  /** A sentence for a person. */
  message: string;
}

/**
 * Untrusted input that passed validation: bytes of an accepted format, within the limits, fully decodable.
 * `data` is this library's own copy; changing the caller's original bytes later does not change it.
 */
export interface ValidatedImage extends ImageInfo {
  /** The encoded bytes, unchanged from the input. */
  data: Buffer;
  /** What the caller may want to tell the user, e.g. that a declared MIME type disagreed with the bytes. */
  warnings: readonly ImageWarning[];
}

/** What a declared type was and where it came from, so a disagreement can be reported in the sender's terms. */
export interface DeclaredType {
  /** The format the sender claimed, or `undefined` when the claim names no accepted image format. */
  format: ImageFormat | undefined;
  /** The claim as written (`image/jpeg`, `.png`). */
  text: string;
  /** Where the claim came from: `the data URL`, `the declared MIME type`, `the file name`. */
  source: string;
}

/**
 * Checks bytes in the order that keeps hostile input cheap: size, magic number, header dimensions, and only then
 * a full decode (which catches truncated and corrupt data before a provider sees it).
 */
export async function validateImageBytes(
  data: Buffer,
  limits: ImageLimits,
  subject: string,
  declared: DeclaredType | undefined,
): Promise<ValidatedImage> {
  assertWithinByteLimit(data.length, limits, subject);
  const header = await readImageHeader(data, subject);
  assertWithinPixelLimit(header.width, header.height, limits, subject);
  // Shrinking to a few pixels still reads every byte of the compressed data, without allocating the full image.
  await runDecoding(subject, header.format, () => createPipeline(data, limits).resize(8, 8, { fit: 'fill' }).raw().toBuffer());
  const warnings: ImageWarning[] = [];
  if (declared !== undefined && declared.format !== header.format) {
    warnings.push({
      code: 'declared_type_mismatch',
      message:
        `${declared.source} says ${declared.text} but the bytes are ${formatDisplayName(header.format)}; ` +
        `the image was treated as ${formatDisplayName(header.format)}.`,
    });
  }
  if (header.frames > 1) {
    // Image models take still images: the first frame is decoded, sent and edited; the rest is dropped.
    warnings.push({
      code: 'animation_first_frame_only',
      message: `${subject} is animated (${header.frames} frames); only its first frame is used, and the result is a still image.`,
    });
  }
  return {
    data,
    format: header.format,
    mimeType: mimeTypeForFormat(header.format),
    width: header.width,
    height: header.height,
    hasAlpha: header.hasAlpha,
    byteLength: data.length,
    hasC2pa: header.hasC2pa,
    warnings,
  };
}

/** A {@link DeclaredType} for a MIME type, or `undefined` when nothing was declared. */
export function declaredMimeType(mimeType: string | undefined, source: string): DeclaredType | undefined {
  const text = mimeType?.trim() ?? '';
  if (text === '') return undefined;
  return { format: formatForMimeType(text), text, source };
}
