import { mimeTypeForFormat } from './image-format';
import { readImageHeader } from './image-header';
import type { ImageInfo } from './validated-image';

/**
 * Reads format, dimensions, alpha and C2PA presence from an image's header and container structure, without
 * decoding pixels and without applying size limits (nothing large is allocated). Cheap enough for every stored or
 * generated image. It does not prove the pixel data is intact: use {@link decodeImageInput} for untrusted input.
 *
 * @throws ImageGenError `invalid_image` when the bytes are empty, not a PNG, JPEG, WebP or GIF (the message names
 *   what they are), or have an unreadable header.
 */
export async function inspectImage(data: Uint8Array): Promise<ImageInfo> {
  const header = await readImageHeader(data, 'The image');
  return {
    format: header.format,
    mimeType: mimeTypeForFormat(header.format),
    width: header.width,
    height: header.height,
    hasAlpha: header.hasAlpha,
    byteLength: header.buffer.length,
    hasC2pa: header.hasC2pa,
  };
}
