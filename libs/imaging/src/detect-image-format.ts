import type { ImageFormat } from './image-format';

/**
 * What the first bytes of a buffer are: one of the accepted {@link ImageFormat}s, or a description of something
 * else (`a TIFF image`, `text`, …) for error messages. Decided from magic numbers only, never from a name or a
 * declared MIME type.
 */
export type DetectedContent =
  { readonly accepted: true; readonly format: ImageFormat } | { readonly accepted: false; readonly description: string };

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The accepted image format the bytes start with (`png`, `jpeg`, `webp`, `gif`), or `undefined` when they are
 * none of these. Reads only the first bytes.
 */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const detected = detectContent(bytes);
  return detected.accepted ? detected.format : undefined;
}

/** Like {@link detectImageFormat}, but also names what the bytes are when they are not an accepted image. */
export function detectContent(bytes: Uint8Array): DetectedContent {
  if (startsWith(bytes, pngSignature)) return { accepted: true, format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { accepted: true, format: 'jpeg' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return { accepted: true, format: 'webp' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { accepted: true, format: 'gif' };
  return { accepted: false, description: describeOtherContent(bytes) };
}

function describeOtherContent(bytes: Uint8Array): string {
  const head4 = ascii(bytes, 0, 4);
  if (head4 === 'II*\u0000' || head4 === 'MM\u0000*') return 'a TIFF image';
  if (ascii(bytes, 4, 4) === 'ftyp') return describeIsoMedia(ascii(bytes, 8, 4));
  if (startsWith(bytes, [0xff, 0x0a]) || ascii(bytes, 4, 8) === 'JXL \r\n\u0087\n') return 'a JPEG XL image';
  if (ascii(bytes, 4, 8) === 'jP  \r\n\u0087\n') return 'a JPEG 2000 image';
  if (ascii(bytes, 0, 2) === 'BM') return 'a BMP image';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'an ICO icon';
  if (head4 === '8BPS') return 'a Photoshop document';
  if (head4 === 'RIFF') return `a RIFF ${ascii(bytes, 8, 4).trim() || 'container'} file (not WebP)`;
  if (head4 === '%PDF') return 'a PDF document';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'a gzip archive';
  if (looksLikeText(bytes)) return describeText(bytes);
  return 'not an image';
}

function describeIsoMedia(brand: string): string {
  if (brand === 'avif' || brand === 'avis') return 'an AVIF image';
  if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) return 'a HEIC/HEIF image';
  return 'a video or ISO media file';
}

function describeText(bytes: Uint8Array): string {
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(bytes.subarray(0, 1024))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (head.includes('<svg')) return 'an SVG image (vector images are not accepted)';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'an HTML document';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON text';
  if (head.startsWith('data:')) return 'data-URL text (pass it as a string, not as bytes)';
  if (head.length >= 16 && /^[a-z0-9+/_=-]+$/.test(head.replace(/[\r\n]/g, ''))) {
    return 'base64 text (pass it as a string, not as bytes)';
  }
  return 'text';
}

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 1024);
  if (sample.length === 0) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length < bytes.length ? trimPartialCharacter(sample) : sample);
  } catch {
    return false;
  }
  // Control characters other than tab, line feed, carriage return and form feed do not occur in text files.
  return !sample.some((byte) => byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c);
}

// A 1024-byte sample may end inside a multi-byte UTF-8 character; drop that tail so it is not mistaken for binary.
function trimPartialCharacter(sample: Uint8Array): Uint8Array {
  const end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
    const byte = sample[end - back] ?? 0;
    if ((byte & 0xc0) === 0xc0) return sample.subarray(0, end - back);
    if ((byte & 0x80) === 0) break;
  }
  return sample.subarray(0, end);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}
