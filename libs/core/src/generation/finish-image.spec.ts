import sharp from 'sharp';
import { builtInModels, planRequest, type ModelDefinition, type RequestWarning } from '@imagegen/providers';
import { finishImage } from './finish-image';

const sunburst = builtInModels.find((model) => model.id === 'gpt-image-2.6-sunburst') as ModelDefinition;
const planFor = (outputFormat: 'gif' | 'svg') => planRequest(sunburst, { prompt: 'p', outputFormat });

describe('finishImage for vendor-rendered formats', () => {
  it('stores a sanitized SVG and says what was removed', async () => {
    const hostile = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><script>alert(1)</script><rect width="40" height="20"/></svg>',
    );
    const warnings: RequestWarning[] = [];
    const finished = await finishImage(hostile, planFor('svg'), warnings);
    expect(finished).toMatchObject({ format: 'svg', width: 40, height: 20 });
    expect(finished.data.toString('utf8')).not.toContain('script');
    expect(warnings.map((warning) => warning.message).join(' ')).toContain('a <script> element');
  });

  it('keeps a paid still that came back instead of the GIF asked for, with a warning', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } })
      .png()
      .toBuffer();
    const warnings: RequestWarning[] = [];
    const finished = await finishImage(png, planFor('gif'), warnings);
    expect(finished).toMatchObject({ format: 'png', width: 8, height: 8 });
    expect(warnings[0]?.message).toMatch(/GIF output was asked for, but the provider returned a png image/);
  });

  it('refuses bytes that are no image at all', async () => {
    await expect(finishImage(Buffer.from('not an image'), planFor('gif'), [])).rejects.toMatchObject({ code: 'upstream_error' });
  });
});
