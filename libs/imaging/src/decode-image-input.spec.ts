import sharp from 'sharp';
import { decodeImageInput } from './decode-image-input';
import { craftPngBomb, makeImage } from './test-support/image-fixtures';

describe('decodeImageInput', () => {
  let png: Buffer;

  beforeAll(async () => {
    png = await makeImage({ width: 96, height: 64, format: 'png' });
  });

  describe('accepted input forms', () => {
    describe('animated input', () => {
      const frames = (colours: string[]) =>
        Promise.all(
          colours.map((colour) =>
            sharp({ create: { width: 16, height: 12, channels: 3, background: colour } })
              .png()
              .toBuffer(),
          ),
        );

      it.each(['gif', 'webp'] as const)('accepts an animated %s and warns that only its first frame is used', async (format) => {
        const animated = await sharp(await frames(['#f00', '#0f0', '#00f']), { join: { animated: true } })
          .toFormat(format)
          .toBuffer();
        const image = await decodeImageInput(animated, { inputName: 'image' });
        expect(image).toMatchObject({ format, width: 16, height: 12 });
        expect(image.warnings).toEqual([
          { code: 'animation_first_frame_only', message: expect.stringMatching(/animated \(3 frames\); only its first frame is used/) },
        ]);
      });

      it('says nothing about a still GIF', async () => {
        expect((await decodeImageInput(await makeImage({ width: 8, height: 8, format: 'gif' }))).warnings).toEqual([]);
      });
    });

    it('accepts raw bytes and reports what the bytes are', async () => {
      const image = await decodeImageInput(new Uint8Array(png));
      expect(image).toMatchObject({
        format: 'png',
        mimeType: 'image/png',
        width: 96,
        height: 64,
        hasAlpha: false,
        byteLength: png.length,
        hasC2pa: false,
        warnings: [],
      });
      expect(image.data.equals(png)).toBe(true);
    });

    it('keeps its own copy, so changing the caller buffer afterwards changes nothing', async () => {
      const callerBytes = Buffer.from(png);
      const image = await decodeImageInput(callerBytes);
      callerBytes.fill(0);
      expect(image.data.equals(png)).toBe(true);
    });

    it.each(['jpeg', 'webp', 'gif'] as const)('detects %s from the bytes', async (format) => {
      const bytes = await makeImage({ width: 40, height: 30, format });
      const image = await decodeImageInput(bytes);
      expect(image).toMatchObject({ format, width: 40, height: 30, mimeType: `image/${format}` });
    });

    it('reports an alpha channel', async () => {
      const image = await decodeImageInput(await makeImage({ width: 20, height: 20, format: 'webp', alpha: true }));
      expect(image.hasAlpha).toBe(true);
    });

    it('accepts base64 wrapped over many lines with surrounding whitespace', async () => {
      const wrapped = `\n  ${png.toString('base64').replace(/.{76}/g, '$&\r\n')}  \n`;
      const image = await decodeImageInput(wrapped);
      expect(image.data.equals(png)).toBe(true);
    });

    it('accepts the URL-safe alphabet without padding', async () => {
      const urlSafe = png.toString('base64url');
      expect(urlSafe).toMatch(/[-_]/);
      const image = await decodeImageInput(urlSafe.replace(/=+$/, ''));
      expect(image.data.equals(png)).toBe(true);
    });

    it('accepts a base64 data URL and raises no warning when its type is right', async () => {
      const image = await decodeImageInput(`data:image/png;base64,${png.toString('base64')}`);
      expect(image.format).toBe('png');
      expect(image.warnings).toEqual([]);
    });

    it('trusts the bytes over a data URL that declares another type, and says so', async () => {
      const image = await decodeImageInput(`data:image/jpeg;base64,${png.toString('base64')}`);
      expect(image.format).toBe('png');
      expect(image.mimeType).toBe('image/png');
      expect(image.warnings).toEqual([
        expect.objectContaining({ code: 'declared_type_mismatch', message: expect.stringMatching(/image\/jpeg.*PNG/) }),
      ]);
    });

    it('trusts the bytes over a separately declared MIME type', async () => {
      const image = await decodeImageInput(png, { declaredMimeType: 'image/webp' });
      expect(image.format).toBe('png');
      expect(image.warnings.map((warning) => warning.code)).toEqual(['declared_type_mismatch']);
    });

    it('treats image/jpg as a spelling of JPEG, not a mismatch', async () => {
      const jpeg = await makeImage({ width: 16, height: 16, format: 'jpeg' });
      const image = await decodeImageInput(`data:image/jpg;base64,${jpeg.toString('base64')}`);
      expect(image.warnings).toEqual([]);
    });
  });

  describe('refused input', () => {
    it('refuses text that is not base64 and names the offending character', async () => {
      await expect(decodeImageInput('this is not base64!')).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/not valid base64.*"!" is not a base64 character/),
      });
    });

    it('refuses base64 whose length shows it was cut off', async () => {
      await expect(decodeImageInput(png.toString('base64').slice(0, 4 * 20 + 1))).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/cut off/),
      });
    });

    it('refuses valid base64 that decodes to something that is not an image', async () => {
      await expect(decodeImageInput(Buffer.from('just some words').toString('base64'))).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/is text/),
      });
    });

    it('names the content of a text file', async () => {
      const text = Buffer.from('Dear diary,\nToday I generated an image.\n');
      await expect(decodeImageInput(text)).rejects.toMatchObject({
        code: 'invalid_image',
        message: 'The image is text, not an image in an accepted format (PNG, JPEG, WebP, GIF).',
      });
    });

    it('says "not an image" for binary data of no known kind', async () => {
      await expect(decodeImageInput(Buffer.from([0x00, 0x13, 0x37, 0x00, 0xfe, 0x01, 0x02]))).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/is not an image/),
      });
    });

    it.each([
      [
        'a TIFF image',
        () =>
          sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
            .tiff()
            .toBuffer(),
      ],
      ['an SVG image', async () => Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')],
    ])('names %s, which is not accepted', async (description, make) => {
      await expect(decodeImageInput(await make())).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringContaining(description),
      });
    });

    it('refuses a truncated PNG', async () => {
      const truncated = png.subarray(0, Math.floor(png.length * 0.6));
      await expect(decodeImageInput(truncated)).rejects.toMatchObject({
        code: 'invalid_image',
        message: 'The image is a damaged or incomplete PNG file: it could not be decoded.',
      });
    });

    it.each([
      ['jpeg', 'JPEG'],
      ['webp', 'WebP'],
      ['gif', 'GIF'],
    ] as const)('refuses a truncated %s', async (format, name) => {
      const bytes = await makeImage({ width: 200, height: 120, format });
      await expect(decodeImageInput(bytes.subarray(0, Math.floor(bytes.length * 0.6)))).rejects.toMatchObject({
        code: 'invalid_image',
        message: `The image is a damaged or incomplete ${name} file: it could not be decoded.`,
      });
    });

    it('hints that base64 text sent as bytes should be sent as a string', async () => {
      await expect(decodeImageInput(Buffer.from(png.toString('base64')))).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringContaining('base64 text (pass it as a string, not as bytes)'),
      });
    });

    it('refuses a decompression bomb fast, naming its dimensions and the limit', async () => {
      const bomb = craftPngBomb(30000, 30000);
      expect(bomb.length).toBeLessThan(200);
      const started = performance.now();
      await expect(decodeImageInput(bomb, { limits: { maxPixels: 40_000_000 } })).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/30000x30000 pixels \(900 megapixels\); the limit is 40 megapixels/),
      });
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('refuses bytes over the byte limit before looking at them', async () => {
      await expect(decodeImageInput(png, { limits: { maxBytes: 1000 } })).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/kB; the limit is 1 kB/),
        details: { byteLength: png.length, maxBytes: 1000 },
      });
    });

    it('refuses base64 over the byte limit before decoding it', async () => {
      const hugeBase64 = 'A'.repeat(4_000_000);
      await expect(decodeImageInput(hugeBase64, { limits: { maxBytes: 1_000_000 } })).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/3 MB; the limit is 1 MB/),
      });
    });

    it('explains that URLs are not downloaded, without echoing the URL', async () => {
      const rejection = decodeImageInput('https://example.com/cat.png?token=secret');
      await expect(rejection).rejects.toMatchObject({ code: 'invalid_image', message: expect.stringMatching(/https:\/\/ URL/) });
      await expect(rejection).rejects.not.toMatchObject({ message: expect.stringContaining('secret') });
    });

    it('explains that a file path is not image data', async () => {
      await expect(decodeImageInput('/home/someone/cat.png')).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/looks like a file path/),
      });
    });

    it('refuses a data URL that is not base64-encoded', async () => {
      await expect(decodeImageInput('data:image/svg+xml,<svg></svg>')).rejects.toMatchObject({
        code: 'invalid_image',
        message: expect.stringMatching(/without ";base64"/),
      });
    });

    it('refuses empty input', async () => {
      await expect(decodeImageInput('  \n')).rejects.toMatchObject({ code: 'invalid_image', message: 'The image is empty.' });
      await expect(decodeImageInput(new Uint8Array())).rejects.toMatchObject({ code: 'invalid_image' });
    });

    it('names the input in messages when told what it is', async () => {
      await expect(decodeImageInput('###', { inputName: 'mask' })).rejects.toMatchObject({
        message: expect.stringMatching(/^The mask is not valid base64/),
      });
    });

    it('refuses limits that are not positive whole numbers', async () => {
      await expect(decodeImageInput(png, { limits: { maxPixels: 0 } })).rejects.toMatchObject({ code: 'invalid_request' });
    });
  });
});
