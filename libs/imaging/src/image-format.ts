/**
 * The image encodings this library accepts and produces, with their MIME types and file extensions.
 */

/** An encoding accepted as input: PNG, JPEG, WebP or GIF (only the first frame of an animation is used). */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** An encoding this library writes: the three the image providers take and return. GIF is read, never written. */
export type OutputImageFormat = 'png' | 'jpeg' | 'webp';

/** Every {@link ImageFormat}, in a stable order. */
export const imageFormats: readonly ImageFormat[] = ['png', 'jpeg', 'webp', 'gif'];

/** Every {@link OutputImageFormat}, in a stable order. */
export const outputImageFormats: readonly OutputImageFormat[] = ['png', 'jpeg', 'webp'];

const mimeTypeByFormat: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

const extensionByFormat: Readonly<Record<ImageFormat, string>> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif' };

// Non-standard spellings that tools and browsers still emit; they name the same encodings.
const formatByMimeType: ReadonlyMap<string, ImageFormat> = new Map([
  ['image/png', 'png'],
  ['image/x-png', 'png'],
  ['image/apng', 'png'],
  ['image/jpeg', 'jpeg'],
  ['image/jpg', 'jpeg'],
  ['image/pjpeg', 'jpeg'],
  ['image/webp', 'webp'],
  ['image/gif', 'gif'],
]);

const formatByExtension: ReadonlyMap<string, ImageFormat> = new Map([
  ['png', 'png'],
  ['apng', 'png'],
  ['jpg', 'jpeg'],
  ['jpeg', 'jpeg'],
  ['jpe', 'jpeg'],
  ['jfif', 'jpeg'],
  ['webp', 'webp'],
  ['gif', 'gif'],
]);

/** True for `png`, `jpeg`, `webp` and `gif`. */
export function isImageFormat(value: unknown): value is ImageFormat {
  return value === 'png' || value === 'jpeg' || value === 'webp' || value === 'gif';
}

/** True for `png`, `jpeg` and `webp`: the formats {@link convertImage} and {@link fitToSize} can write. */
export function isOutputImageFormat(value: unknown): value is OutputImageFormat {
  return value === 'png' || value === 'jpeg' || value === 'webp';
}

/** The MIME type of a format: `image/png`, `image/jpeg`, `image/webp` or `image/gif`. */
export function mimeTypeForFormat(format: ImageFormat): string {
  return mimeTypeByFormat[format];
}

/**
 * The file extension of a format, without the dot: `png`, `jpg`, `webp`, `gif`. JPEG is `jpg` (not `jpeg`)
 * because that is what every operating system and the `@imagegen/storage` file names use.
 */
export function extensionForFormat(format: ImageFormat): string {
  return extensionByFormat[format];
}

/**
 * The format a MIME type names, ignoring case and parameters (`image/JPEG; q=1` → `jpeg`) and accepting common
 * aliases (`image/jpg`, `image/x-png`); `undefined` for anything else. Never use it to decide what bytes are:
 * only the bytes tell that.
 */
export function formatForMimeType(mimeType: string): ImageFormat | undefined {
  const essence = mimeType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return formatByMimeType.get(essence);
}

/** The format a file extension (with or without the dot, any case) usually stands for; `undefined` if unknown. */
export function formatForExtension(extension: string): ImageFormat | undefined {
  return formatByExtension.get(extension.replace(/^\./, '').toLowerCase());
}
