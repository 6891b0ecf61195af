import sharp from 'sharp';

/** Options of {@link createTestImage}. */
export interface TestImageOptions {
  width: number;
  height: number;
  /** Encoding; default png. */
  format?: 'png' | 'jpeg' | 'webp';
  /** Give the image an alpha channel with a transparent corner (png and webp only). */
  alpha?: boolean;
  /** Varies the pattern; the same seed always gives the same bytes. */
  seed?: number;
  /**
   * How many neighbouring pixels of a row share one noise value (1 = every pixel its own). Default 3, which makes a
   * 1536x1024 PNG about 2.3 MB, like a real photograph-like generation; 1 makes it about 4.4 MB.
   */
  grain?: number;
}

/**
 * A deterministic, realistic test image: a colour gradient with seeded noise, so it compresses like a photograph
 * (a 1536x1024 PNG is about 2.3 MB by default), not like a flat colour.
 */
export async function createTestImage(options: TestImageOptions): Promise<Buffer> {
  const { width, height } = options;
  const channels = options.alpha ? 4 : 3;
  const pixels = Buffer.alloc(width * height * channels);
  let state = ((options.seed ?? 1) * 2654435761) >>> 0 || 1;
  const grain = Math.max(1, Math.floor(options.grain ?? 3));
  let noise = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (x % grain === 0) {
        // xorshift32: cheap, deterministic noise.
        state ^= state << 13;
        state >>>= 0;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        noise = (state & 0x3f) - 32;
      }
      const offset = (y * width + x) * channels;
      pixels[offset] = Math.max(0, Math.min(255, Math.round((x / width) * 255) + noise));
      pixels[offset + 1] = Math.max(0, Math.min(255, Math.round((y / height) * 255) + noise));
      pixels[offset + 2] = Math.max(0, Math.min(255, 128 + noise * 2));
      if (channels === 4) pixels[offset + 3] = x < width / 4 && y < height / 4 ? 0 : 255;
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels } });
  switch (options.format ?? 'png') {
    case 'jpeg':
      return image.jpeg({ quality: 90 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 90 }).toBuffer();
    default:
      return image.png({ compressionLevel: 6 }).toBuffer();
  }
}

/** Options of {@link createTestMask}. */
export interface TestMaskOptions {
  width: number;
  height: number;
  /** The rectangle to edit: fully transparent there, opaque elsewhere (OpenAI's mask convention). */
  editRegion: { left: number; top: number; width: number; height: number };
}

/** A PNG mask with alpha: transparent inside `editRegion` (edit here), opaque black elsewhere. */
export async function createTestMask(options: TestMaskOptions): Promise<Buffer> {
  const { width, height, editRegion } = options;
  // Drawn pixel by pixel: compositing a transparent hole with sharp's `source` blend clears the whole canvas.
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    const insideRows = y >= editRegion.top && y < editRegion.top + editRegion.height;
    for (let x = 0; x < width; x += 1) {
      const inside = insideRows && x >= editRegion.left && x < editRegion.left + editRegion.width;
      pixels[(y * width + x) * 4 + 3] = inside ? 0 : 255;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}
