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
  if (typeof base64 !== 'string' || base64.length === 0) return undefined;
  const decoded = Buffer.from(base64, 'base64');
  if (!decodedWhole(base64, decoded) && !base64Text.test(base64)) return undefined;
  const data = ownBytes(decoded);
  const mimeType = sniffImageMimeType(data);
  return mimeType === undefined ? undefined : { data, mimeType };
}

const base64Text = /^[A-Za-z0-9+/=\r\n]+$/;

/**
 * Whether Node's decoder used every character of `text`, which proves `text` is standard base64 with padding only
 * at its end. Node's decoder skips what is not base64 (and stops or skips at inner padding), each such character
 * costing six bits, so anything foreign leaves the output shorter than the length the text promises. Two kinds of
 * foreign character would slip through the length alone and are ruled out besides: URL-safe `-` and `_` (which Node
 * decodes) and non-ASCII characters (Node decodes their low byte). Vendors send one unbroken line of standard
 * base64, which this proves with scans that allocate nothing; anything else (line breaks, inner padding) falls back
 * to the regular expression. It replaced an `atob` check, whose 2.3 MB string per image was about a quarter of
 * what the server allocated in V8's heap per generation (BENCHMARKS.md, issue 20).
 */
function decodedWhole(text: string, decoded: Buffer): boolean {
  if (text.length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (decoded.length !== (text.length / 4) * 3 - padding) return false;
  return Buffer.byteLength(text, 'utf8') === text.length && !text.includes('-') && !text.includes('_');
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
