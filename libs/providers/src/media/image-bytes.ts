/** Image MIME types the GPT image models produce (GIF and SVG on the models with those outputs). */
export type ImageMimeType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif' | 'image/svg+xml';

/** The MIME type the bytes' signature says, or `undefined` when they are not png, jpeg, webp, gif or an SVG document. */
export function sniffImageMimeType(bytes: Uint8Array): ImageMimeType | undefined {
  const startsWith = (signature: readonly number[], offset = 0): boolean =>
    bytes.length >= offset + signature.length && signature.every((value, index) => bytes[offset + index] === value);
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith([0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  // SVG has no magic number: an XML prolog or comments, then an <svg root. Its content is sanitized downstream.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 2048)).toString('utf8');
  if (/^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[\s\S]*?>\s*)*<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

/** Decodes vendor base64 into an image; `undefined` when the text is not base64 of a png, jpeg, webp, gif or svg. */
export function decodeBase64Image(base64: unknown): { data: Uint8Array; mimeType: ImageMimeType } | undefined {
  if (typeof base64 !== 'string' || base64.length === 0 || !/^[A-Za-z0-9+/=\r\n]+$/.test(base64)) return undefined;
  const data = new Uint8Array(Buffer.from(base64, 'base64'));
  const mimeType = sniffImageMimeType(data);
  return mimeType === undefined ? undefined : { data, mimeType };
}

/** The file extension the vendor expects for an upload of `mimeType`. */
export function fileExtensionFor(mimeType: string): string {
  switch (mimeType) {
    case 'image/jpeg':
      return 'jpg';
    case 'image/webp':
      return 'webp';
    default:
      return 'png';
  }
}
