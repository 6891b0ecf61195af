import sharp from 'sharp';
import { createTestImage, createTestMask } from './test-images';

describe('test images', () => {
  it('makes a mask that is transparent exactly inside the edit region', async () => {
    const mask = await createTestMask({ width: 40, height: 20, editRegion: { left: 10, top: 5, width: 10, height: 5 } });
    const { data, info } = await sharp(mask).raw().toBuffer({ resolveWithObject: true });
    const alphaAt = (x: number, y: number) => data[(y * info.width + x) * info.channels + 3];
    expect([info.width, info.height, info.channels]).toEqual([40, 20, 4]);
    expect(alphaAt(12, 7)).toBe(0);
    expect(alphaAt(0, 0)).toBe(255);
    expect(alphaAt(25, 7)).toBe(255);
    let transparent = 0;
    for (let index = 3; index < data.length; index += 4) if (data[index] === 0) transparent += 1;
    expect(transparent).toBe(50);
  });

  it('makes images that compress like photographs, the same for the same seed', async () => {
    const first = await createTestImage({ width: 256, height: 256, seed: 3 });
    expect(first.equals(await createTestImage({ width: 256, height: 256, seed: 3 }))).toBe(true);
    expect(first.length).toBeGreaterThan(50_000);
  });
});
