import { extensionForFormat, formatForExtension, formatForMimeType, mimeTypeForFormat } from './image-format';

describe('format helpers', () => {
  it('gives MIME types and the extensions used on disk (jpg for JPEG)', () => {
    expect(mimeTypeForFormat('jpeg')).toBe('image/jpeg');
    expect(mimeTypeForFormat('webp')).toBe('image/webp');
    expect(extensionForFormat('jpeg')).toBe('jpg');
    expect(extensionForFormat('png')).toBe('png');
  });

  it('reads MIME types and extensions leniently', () => {
    expect(formatForMimeType(' Image/JPG ; charset=binary')).toBe('jpeg');
    expect(formatForMimeType('text/plain')).toBeUndefined();
    expect(formatForExtension('.JPEG')).toBe('jpeg');
    expect(formatForExtension('tiff')).toBeUndefined();
  });
});
