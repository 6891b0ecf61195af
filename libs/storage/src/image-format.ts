/**
 * The encodings a stored image may have; the same names the providers use for `outputFormat`. `gif` is an animation
 * (OpenAI GIF output) and `svg` a vector drawing (OpenAI SVG output, stored only after sanitizing).
 */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';

/** Every {@link ImageFormat}, in a stable order. */
export const imageFormats: readonly ImageFormat[] = ['png', 'jpeg', 'webp', 'gif', 'svg'];

const extensionByFormat: Readonly<Record<ImageFormat, string>> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif', svg: 'svg' };
const mimeTypeByFormat: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};
const formatByExtension: ReadonlyMap<string, ImageFormat> = new Map([
  ['png', 'png'],
  ['jpg', 'jpeg'],
  ['webp', 'webp'],
  ['gif', 'gif'],
  ['svg', 'svg'],
]);

/** True for `png`, `jpeg`, `webp`, `gif` and `svg`. */
export function isImageFormat(value: unknown): value is ImageFormat {
  return typeof value === 'string' && (imageFormats as readonly string[]).includes(value);
}

/** The file extension (without dot) used on disk: `png`, `jpg`, `webp`, `gif` or `svg`. */
export function extensionOfFormat(format: ImageFormat): string {
  return extensionByFormat[format];
}

/** The MIME type of a format: `image/png`, `image/jpeg`, `image/webp`, `image/gif` or `image/svg+xml`. */
export function mimeTypeOfFormat(format: ImageFormat): string {
  return mimeTypeByFormat[format];
}

/** The format a stored file's extension stands for, or `undefined` for any other extension. */
export function formatOfExtension(extension: string): ImageFormat | undefined {
  return formatByExtension.get(extension);
}
