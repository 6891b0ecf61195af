import * as fs from 'node:fs';
import sharp from 'sharp';
import { createEngineHarness, type EngineHarness } from './test-support/engine-harness';

/** The OpenAI abilities of late 2026 through the real engine, SDK and store against the fake OpenAI server. */
describe('engine: complexity, GIF, SVG, markup, preview transparency, safety identifier', () => {
  let harness: EngineHarness;

  beforeAll(async () => {
    harness = await createEngineHarness({ safetyIdentifier: 'configured-user-hash' });
  });
  afterAll(async () => {
    await harness.close();
  });

  const lastImageRequest = () => harness.fake.requests.filter((request) => request.path.startsWith('/v1/images/')).at(-1);

  it('stores an animated GIF as a .gif with all its frames, recording frames, complexity and the configured safety identifier', async () => {
    const result = await harness.engine.generate(
      {
        prompt: 'a ball bouncing',
        model: 'gpt-image-2.6-sunburst',
        outputFormat: 'gif',
        frameCount: 3,
        frameDurationMs: 100,
        complexity: 'high',
      },
      { preview: { maxBytes: 60_000 } },
    );
    const image = result.images[0];
    expect(image).toMatchObject({ format: 'gif', mimeType: 'image/gif', width: 1024, height: 1024 });
    expect(image?.filePath?.endsWith('.gif')).toBe(true);
    expect((await sharp(fs.readFileSync(image?.filePath ?? '')).metadata()).pages).toBe(3);
    // A still of the first frame (webp: GIF frames decode with an alpha channel).
    expect(image?.preview).toMatchObject({ width: 1024, height: 1024 });
    expect(lastImageRequest()?.body).toMatchObject({
      output_format: 'gif',
      frame_count: 3,
      frame_duration_ms: 100,
      complexity: 'high',
      safety_identifier: 'configured-user-hash',
    });
    expect(result.parameters).toMatchObject({ output_format: 'gif', frame_count: 3, complexity: 'high' });
    expect(result.actualCostUsd).toBeGreaterThan(0);
  });

  it('stores an SVG drawing as .svg with a raster preview, and counts the SVG author’s tokens', async () => {
    const result = await harness.engine.generate(
      { prompt: 'a logo', model: 'gpt-image-2.6-sunburst', outputFormat: 'svg', size: '1536x1024', safetyIdentifier: 'request-user' },
      { preview: { maxBytes: 60_000 } },
    );
    const image = result.images[0];
    expect(image).toMatchObject({ format: 'svg', mimeType: 'image/svg+xml', width: 1536, height: 1024 });
    expect(fs.readFileSync(image?.filePath ?? '', 'utf8')).toContain('<svg');
    expect(image?.preview).toMatchObject({ width: 1024, height: 683 });
    expect(lastImageRequest()?.body).toMatchObject({ output_format: 'svg', safety_identifier: 'request-user' });
    expect(result.warnings.map((warning) => warning.message).join(' ')).toContain('Writing the SVG took');
    const sidecar = JSON.parse(fs.readFileSync((image?.filePath ?? '').replace(/\.svg$/, '.json'), 'utf8')) as {
      cost_info: { tokens_used: Record<string, number> };
    };
    expect(sidecar.cost_info.tokens_used).toMatchObject({ svgAuthoringInputTokens: 1200, svgAuthoringOutputTokens: 2400 });
  });

  it('refuses two SVGs and a streamed GIF before any call', async () => {
    const before = harness.fake.requests.length;
    await expect(
      harness.engine.generate({ prompt: 'x', model: 'gpt-image-2.6-sunburst', outputFormat: 'svg', n: 2 }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      harness.engine.generate({ prompt: 'x', model: 'gpt-image-2.6-sunburst', outputFormat: 'gif', partialImages: 2 }),
    ).rejects.toMatchObject({ details: { setting: 'partialImages' } });
    expect(harness.fake.requests.length).toBe(before);
  });

  it('sends a markup overlay drawn on the first image, and refuses it on a model without markup', async () => {
    const source = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: '#335' } })
      .png()
      .toBuffer();
    const stroke = await sharp({ create: { width: 100, height: 20, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
      .png()
      .toBuffer();
    const markup = await sharp({ create: { width: 1024, height: 1024, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: stroke, left: 200, top: 200 }])
      .png()
      .toBuffer();
    const result = await harness.engine.edit({
      prompt: 'put a hat where the red line is',
      model: 'gpt-image-2.6-flare',
      images: [{ kind: 'bytes', data: source }],
      markup: { kind: 'bytes', data: markup },
    });
    expect(result.images).toHaveLength(1);
    expect(lastImageRequest()?.files?.find((file) => file.field === 'markup')?.contentType).toBe('image/png');
    await expect(
      harness.engine.edit({
        prompt: 'x',
        model: 'gpt-image-2',
        images: [{ kind: 'bytes', data: source }],
        markup: { kind: 'bytes', data: markup },
      }),
    ).rejects.toMatchObject({ details: { setting: 'markup' } });
  });

  it('makes gpt-image-2 transparent backgrounds with a preview warning', async () => {
    const result = await harness.engine.generate({ prompt: 'a sticker', background: 'transparent' });
    expect(lastImageRequest()?.body).toMatchObject({ background: 'transparent' });
    expect(result.warnings.map((warning) => warning.message).join(' ')).toMatch(/in preview/);
  });
});
