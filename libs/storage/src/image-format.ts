/** The encodings a stored image may have; the same names the providers use for `outputFormat`. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** Every {@link ImageFormat}, in a stable order. */
export const imageFormats: readonly ImageFormat[] = ['png', 'jpeg', 'webp'];

const extensionByFormat: Readonly<Record<ImageFormat, string>> = { png: 'png', jpeg: 'jpg', webp: 'webp' };
const mimeTypeByFormat: Readonly<Record<ImageFormat, string>> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
const formatByExtension: ReadonlyMap<string, ImageFormat> = new Map([
  ['png', 'png'],
  ['jpg', 'jpeg'],
  ['webp', 'webp'],
]);

/** True for `png`, `jpeg` and `webp`. */
export function isImageFormat(value: unknown): value is ImageFormat {
  return value === 'png' || value === 'jpeg' || value === 'webp';
}

/** The file extension (without dot) used on disk: `png`, `jpg` or `webp`. */
export function extensionOfFormat(format: ImageFormat): string {
  return extensionByFormat[format];
}

/** The MIME type of a format: `image/png`, `image/jpeg` or `image/webp`. */
export function mimeTypeOfFormat(format: ImageFormat): string {
  return mimeTypeByFormat[format];
}

/** The format a stored file's extension stands for, or `undefined` for any other extension. */
export function formatOfExtension(extension: string): ImageFormat | undefined {
  return formatByExtension.get(extension);
}
