/** Image MIME types the GPT image models produce and accept. */
export type ImageMimeType = 'image/png' | 'image/jpeg' | 'image/webp';

/** The MIME type the bytes' signature says, or `undefined` when they are not png, jpeg or webp. */
export function sniffImageMimeType(bytes: Uint8Array): ImageMimeType | undefined {
  const startsWith = (signature: readonly number[], offset = 0): boolean =>
    bytes.length >= offset + signature.length && signature.every((value, index) => bytes[offset + index] === value);
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

/** Decodes vendor base64 into an image; `undefined` when the text is not base64 of a png, jpeg or webp. */
export function decodeBase64Image(base64: unknown): { data: Uint8Array; mimeType: ImageMimeType } | undefined {
  if (typeof base64 !== 'string' || base64.length === 0) return undefined;
  const decoded = Buffer.from(base64, 'base64');
  if (!decodedWholly(base64, decoded) && !base64Text.test(base64)) return undefined;
  const data = ownBytes(decoded);
  const mimeType = sniffImageMimeType(data);
  return mimeType === undefined ? undefined : { data, mimeType };
}

/** Base64 characters and line breaks: what a vendor's image text may hold (Node's decoder skips anything else silently). */
const base64Text = /^[A-Za-z0-9+/=\r\n]+$/;

/**
 * Whether Node decoded every character of `text` as standard base64, which proves what {@link base64Text} would at
 * a quarter of the instructions over a multi-megabyte string, without allocating: all ASCII (Node reads the low byte
 * of wider characters), none of the URL-safe `-` and `_` that Node also decodes, and exactly three bytes per four
 * characters less the padding — a character Node skipped, or a `=` before the end (where it stops), leaves the
 * output at least one byte short. Anything else, line breaks included, goes to the regular expression.
 */
function decodedWholly(text: string, decoded: Buffer): boolean {
  if (text.length % 4 !== 0 || Buffer.byteLength(text, 'utf8') !== text.length) return false;
  if (text.includes('-') || text.includes('_')) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return decoded.length === (text.length / 4) * 3 - padding;
}

/** The bytes as a plain Uint8Array over a buffer of their own: no copy of a large image, a copy out of Node's shared pool for a small one. */
function ownBytes(decoded: Buffer): Uint8Array {
  if (decoded.byteOffset === 0 && decoded.buffer.byteLength === decoded.byteLength)
    return new Uint8Array(decoded.buffer, 0, decoded.byteLength);
  return new Uint8Array(decoded);
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
