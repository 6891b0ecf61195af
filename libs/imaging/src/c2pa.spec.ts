import { hasC2paManifest } from './c2pa';
import { convertImage } from './convert-image';
import { decodeImageInput } from './decode-image-input';
import { fitToSize } from './fit-to-size';
import { inspectImage } from './inspect-image';
import { appendWebpChunk, insertJpegApp11, insertPngChunk, jumbfSuperbox, makeImage, pngChunk } from './test-support/image-fixtures';

describe('C2PA detection', () => {
  let png: Buffer;
  let jpeg: Buffer;
  let webp: Buffer;
  let signedPng: Buffer;
  let signedJpeg: Buffer;
  let signedWebp: Buffer;

  beforeAll(async () => {
    png = await makeImage({ width: 120, height: 80, format: 'png' });
    jpeg = await makeImage({ width: 120, height: 80, format: 'jpeg' });
    webp = await makeImage({ width: 120, height: 80, format: 'webp', alpha: true });
    signedPng = insertPngChunk(png, 'caBX', jumbfSuperbox('c2pa'));
    signedJpeg = insertJpegApp11(jpeg, jumbfSuperbox('c2pa'));
    signedWebp = appendWebpChunk(webp, 'C2PA', jumbfSuperbox('c2pa'));
  });

  it('finds a PNG caBX chunk, a JPEG APP11 JUMBF c2pa box and a WebP C2PA chunk', () => {
    expect(hasC2paManifest(signedPng)).toBe(true);
    expect(hasC2paManifest(signedJpeg)).toBe(true);
    expect(hasC2paManifest(signedWebp)).toBe(true);
  });

  it('finds nothing in images without provenance', async () => {
    expect(hasC2paManifest(png)).toBe(false);
    expect(hasC2paManifest(jpeg)).toBe(false);
    expect(hasC2paManifest(webp)).toBe(false);
    expect(hasC2paManifest(await makeImage({ width: 8, height: 8, format: 'gif' }))).toBe(false);
  });

  it('goes by structure, not by bytes that merely spell the markers', () => {
    const textChunk = pngChunk('tEXt', Buffer.from('Comment\u0000caBX jumb c2pa C2PA'));
    const pngWithText = Buffer.concat([png.subarray(0, 33), textChunk, png.subarray(33)]);
    expect(pngWithText.includes(Buffer.from('caBX'))).toBe(true);
    expect(hasC2paManifest(pngWithText)).toBe(false);
    expect(hasC2paManifest(insertJpegApp11(jpeg, jumbfSuperbox('other')))).toBe(false);
  });

  it('is reported by inspectImage and decodeImageInput, and the images stay usable', async () => {
    await expect(inspectImage(signedJpeg)).resolves.toMatchObject({ format: 'jpeg', hasC2pa: true });
    for (const signed of [signedPng, signedJpeg, signedWebp]) {
      await expect(decodeImageInput(signed)).resolves.toMatchObject({ hasC2pa: true, width: 120, height: 80 });
    }
  });

  it('reports provenanceRemoved when re-encoding drops the manifest', async () => {
    await expect(convertImage(signedPng, { format: 'jpeg' })).resolves.toMatchObject({ provenanceRemoved: true });
    await expect(convertImage(signedJpeg, { format: 'webp' })).resolves.toMatchObject({ provenanceRemoved: true });
    await expect(convertImage(signedWebp, { format: 'webp', compression: 50 })).resolves.toMatchObject({ provenanceRemoved: true });
    await expect(fitToSize(signedPng, { width: 60, height: 60 })).resolves.toMatchObject({ provenanceRemoved: true });
  });

  it('keeps provenance when no re-encoding is needed, and reports no removal for unsigned input', async () => {
    const kept = await convertImage(signedPng, { format: 'png' });
    expect(kept.provenanceRemoved).toBe(false);
    expect(hasC2paManifest(kept.data)).toBe(true);
    await expect(convertImage(png, { format: 'jpeg' })).resolves.toMatchObject({ provenanceRemoved: false });
  });
});
