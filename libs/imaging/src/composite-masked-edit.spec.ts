import sharp from 'sharp';
import { compositeMaskedEdit } from './composite-masked-edit';

const solid = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

/** Opaque black with a transparent left half: edit the left half only. */
function leftHalfMask(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) pixels[(y * width + x) * 4 + 3] = x < width / 2 ? 0 : 255;
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [data[offset] ?? -1, data[offset + 1] ?? -1, data[offset + 2] ?? -1];
}

describe('compositeMaskedEdit', () => {
  it('keeps the edit inside the mask and the original outside it', async () => {
    const original = await solid(200, 100, '#0000ff');
    const edited = await solid(200, 100, '#ff0000');
    const result = await compositeMaskedEdit({ original, edited, mask: await leftHalfMask(200, 100) });
    expect(result).toMatchObject({ format: 'png', width: 200, height: 100 });
    expect(await pixel(result.data, 20, 50)).toEqual([255, 0, 0]);
    expect(await pixel(result.data, 180, 50)).toEqual([0, 0, 255]);
  });

  it('resizes an edit of another size to the original before laying it over', async () => {
    const original = await solid(200, 100, '#00ff00');
    const edited = await solid(400, 200, '#ff0000');
    const result = await compositeMaskedEdit({ original, edited, mask: await leftHalfMask(200, 100) });
    expect(result).toMatchObject({ width: 200, height: 100 });
    expect(await pixel(result.data, 10, 10)).toEqual([255, 0, 0]);
    expect(await pixel(result.data, 190, 90)).toEqual([0, 255, 0]);
  });

  it('refuses a mask of another size', async () => {
    const original = await solid(200, 100, '#00ff00');
    await expect(compositeMaskedEdit({ original, edited: original, mask: await leftHalfMask(100, 100) })).rejects.toMatchObject({
      code: 'invalid_image',
      message: expect.stringContaining('same size'),
    });
  });
});
