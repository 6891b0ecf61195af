import type { ImageFormat } from './image-format';

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const jpegSignature = [0xff, 0xd8, 0xff];

/**
 * Whether `bytes` start like a file of `format` (its magic number). Enough to notice a stored file overwritten with
 * something else; decoding is the imaging library's job.
 */
export function hasSignatureOf(bytes: Uint8Array, format: ImageFormat): boolean {
  const startsWith = (signature: readonly number[], offset = 0) =>
    bytes.length >= offset + signature.length && signature.every((byte, position) => bytes[offset + position] === byte);
  switch (format) {
    case 'png':
      return startsWith(pngSignature);
    case 'jpeg':
      return startsWith(jpegSignature);
    case 'webp':
      return startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8);
    case 'gif':
      return startsWith([0x47, 0x49, 0x46, 0x38, 0x37, 0x61]) || startsWith([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
    case 'svg':
      return startsLikeSvg(bytes);
  }
}

/** What bytes that fail {@link hasSignatureOf} look like, for the message: `empty`, or their first bytes in hex. */
export function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the file is empty';
  return `it starts with ${Buffer.from(bytes.subarray(0, 8)).toString('hex').replace(/(..)/g, '$1 ').trim()}`;
}

/** SVG has no magic number: a stored SVG (always rebuilt by the sanitizer) starts with an XML declaration or `<svg`. */
function startsLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 256))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('<?xml') || head.startsWith('<svg');
}
