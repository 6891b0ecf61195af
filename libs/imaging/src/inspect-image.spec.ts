import { inspectImage } from './inspect-image';
import { craftPngBomb, makeImage } from './test-support/image-fixtures';

describe('inspectImage', () => {
  it('reports format, size, alpha, byte length and provenance', async () => {
    const webp = await makeImage({ width: 70, height: 50, format: 'webp', alpha: true });
    await expect(inspectImage(webp)).resolves.toEqual({
      format: 'webp',
      mimeType: 'image/webp',
      width: 70,
      height: 50,
      hasAlpha: true,
      byteLength: webp.length,
      hasC2pa: false,
    });
  });

  it('reads only the header, so even a bomb is described at once instead of decoded', async () => {
    const started = performance.now();
    await expect(inspectImage(craftPngBomb(30000, 30000))).resolves.toMatchObject({ width: 30000, height: 30000 });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('names what non-image bytes are', async () => {
    await expect(inspectImage(Buffer.from('%PDF-1.7\n'))).rejects.toMatchObject({
      code: 'invalid_image',
      message: expect.stringContaining('a PDF document'),
    });
  });
});
