import { inspectImage } from './inspect-image';
import { makePreview } from './make-preview';
import { makeImage } from './test-support/image-fixtures';

describe('makePreview', () => {
  let photo: Buffer;

  beforeAll(async () => {
    photo = await makeImage({ width: 1536, height: 1024, format: 'png' });
  });

  it('makes a JPEG within the byte budget, scaled to the default 1024 pixels, quickly', async () => {
    const started = performance.now();
    const preview = await makePreview(photo, { maxBytes: 150_000 });
    const elapsed = performance.now() - started;
    expect(preview).toMatchObject({ format: 'jpeg', mimeType: 'image/jpeg', width: 1024, height: 683 });
    expect(preview?.byteLength).toBeLessThanOrEqual(150_000);
    expect(preview?.data.length).toBe(preview?.byteLength);
    await expect(inspectImage(preview?.data ?? Buffer.alloc(0))).resolves.toMatchObject({ format: 'jpeg', width: 1024 });
    // The aim is well under 150 ms; the bound leaves room for a loaded test machine.
    expect(elapsed).toBeLessThan(1000);
  });

  it('lowers quality, then size, to meet a tight budget', async () => {
    const preview = await makePreview(photo, { maxBytes: 8_000 });
    expect(preview).toBeDefined();
    expect(preview?.byteLength).toBeLessThanOrEqual(8_000);
    expect(preview?.width).toBeLessThan(1024);
    expect((preview?.width ?? 0) / (preview?.height ?? 1)).toBeCloseTo(1.5, 1);
  });

  it('respects maxDimension and never enlarges', async () => {
    await expect(makePreview(photo, { maxBytes: 1_000_000, maxDimension: 256 })).resolves.toMatchObject({ width: 256, height: 171 });
    const small = await makeImage({ width: 100, height: 50, format: 'png' });
    await expect(makePreview(small, { maxBytes: 1_000_000 })).resolves.toMatchObject({ width: 100, height: 50 });
  });

  it('keeps transparency by choosing WebP for images with alpha', async () => {
    const withAlpha = await makeImage({ width: 400, height: 300, format: 'png', alpha: true });
    const preview = await makePreview(withAlpha, { maxBytes: 50_000 });
    expect(preview?.format).toBe('webp');
    await expect(inspectImage(preview?.data ?? Buffer.alloc(0))).resolves.toMatchObject({ format: 'webp', hasAlpha: true });
  });

  it('is deterministic', async () => {
    const first = await makePreview(photo, { maxBytes: 30_000 });
    const second = await makePreview(photo, { maxBytes: 30_000 });
    expect(first?.data.equals(second?.data ?? Buffer.alloc(0))).toBe(true);
  });

  it('returns undefined when not even a 64-pixel preview fits', async () => {
    await expect(makePreview(photo, { maxBytes: 300 })).resolves.toBeUndefined();
  });

  it('refuses a budget that is not a positive whole number', async () => {
    await expect(makePreview(photo, { maxBytes: 0 })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
