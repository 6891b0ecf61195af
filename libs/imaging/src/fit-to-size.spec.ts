import sharp from 'sharp';
import { fitToSize } from './fit-to-size';
import { inspectImage } from './inspect-image';
import { makeImage } from './test-support/image-fixtures';

describe('fitToSize', () => {
  let landscape: Buffer;

  beforeAll(async () => {
    landscape = await makeImage({ width: 1536, height: 1024, format: 'png' });
  });

  it('produces exactly 1200x630 from 1536x1024, reporting the crop', async () => {
    const fitted = await fitToSize(landscape, { width: 1200, height: 630 });
    expect(fitted).toMatchObject({ width: 1200, height: 630, format: 'png', resizeMode: 'cropped', sourceWidth: 1536, sourceHeight: 1024 });
    await expect(inspectImage(fitted.data)).resolves.toMatchObject({ width: 1200, height: 630 });
  });

  it('produces exactly 1024x1536 from 1536x1024 in the requested format', async () => {
    const fitted = await fitToSize(landscape, { width: 1024, height: 1536, format: 'jpeg' });
    expect(fitted).toMatchObject({ width: 1024, height: 1536, format: 'jpeg', resizeMode: 'cropped' });
    await expect(inspectImage(fitted.data)).resolves.toMatchObject({ format: 'jpeg', width: 1024, height: 1536 });
  });

  it('only scales when the aspect ratio already matches', async () => {
    const fitted = await fitToSize(landscape, { width: 768, height: 512 });
    expect(fitted).toMatchObject({ width: 768, height: 512, resizeMode: 'scaled' });
  });

  it('keeps the centre when cropping', async () => {
    const halves = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#ff0000' } })
      .composite([{ input: { create: { width: 150, height: 100, channels: 3, background: '#0000ff' } }, left: 150, top: 0 }])
      .png()
      .toBuffer();
    const square = await fitToSize(halves, { width: 100, height: 100 });
    const { data, info } = await sharp(square.data).raw().toBuffer({ resolveWithObject: true });
    const redAt = (x: number) => data[(50 * info.width + x) * info.channels] ?? 0;
    // A centred 100x100 window straddles the red/blue boundary: red on the left, blue on the right.
    expect(redAt(5)).toBeGreaterThan(200);
    expect(redAt(95)).toBeLessThan(50);
  });

  it('returns the bytes unchanged when the size and format already match', async () => {
    const fitted = await fitToSize(landscape, { width: 1536, height: 1024 });
    expect(fitted.resizeMode).toBe('unchanged');
    expect(fitted.data.equals(landscape)).toBe(true);
  });

  it('writes PNG for a GIF source unless told otherwise', async () => {
    const gif = await makeImage({ width: 60, height: 40, format: 'gif' });
    await expect(fitToSize(gif, { width: 30, height: 20 })).resolves.toMatchObject({ format: 'png', resizeMode: 'scaled' });
  });

  it('refuses sizes that are not positive whole numbers or exceed the pixel limit', async () => {
    await expect(fitToSize(landscape, { width: 0, height: 630 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(fitToSize(landscape, { width: 1200.5, height: 630 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(fitToSize(landscape, { width: 4000, height: 4000, limits: { maxPixels: 10_000_000 } })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/4000x4000/),
    });
  });
});
