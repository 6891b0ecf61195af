/** The late-2026 OpenAI abilities through the built `imagegen` binary against the fake OpenAI server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, type CliHarness } from './test-support/cli-harness';

interface ResultJson {
  estimated_cost_usd: number | null;
  parameters: Record<string, unknown>;
  warnings: string[];
  images: Array<{ image_id: string; file_path: string; width: number; height: number; format: string }>;
}

describe('imagegen: complexity, GIF, SVG, markup, partial images, safety identifier', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;
  const lastImageRequest = () => fake.requests.filter((request) => request.path.startsWith('/v1/images/')).at(-1);

  beforeAll(async () => {
    const { createFakeOpenAIServer } = await import('@imagegen/testing');
    fake = await createFakeOpenAIServer();
    cli = createCliHarness(fake.url, { PROVIDERS__OPENAI__SAFETY_IDENTIFIER: 'cli-user-hash' });
  });
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('generates an animated GIF with frames and complexity, stored as .gif, sending the configured safety identifier', async () => {
    const run = await cli.run([
      '--json',
      'generate',
      'a waving flag',
      '-m',
      'gpt-image-2.6-sunburst',
      '-f',
      'gif',
      '--frames',
      '3',
      '--frame-duration',
      '120',
      '--complexity',
      'medium',
    ]);
    expect(run.status).toBe(0);
    const image = cli.json<ResultJson>(run).images[0];
    expect(image?.format).toBe('gif');
    expect(image?.file_path.endsWith('.gif')).toBe(true);
    expect(
      fs
        .readFileSync(image?.file_path ?? '')
        .subarray(0, 6)
        .toString(),
    ).toBe('GIF89a');
    expect(lastImageRequest()?.body).toMatchObject({
      frame_count: 3,
      frame_duration_ms: 120,
      complexity: 'medium',
      safety_identifier: 'cli-user-hash',
    });
  });

  it('generates an SVG stored as .svg, with a per-call safety identifier', async () => {
    const run = await cli.run([
      '--json',
      'generate',
      'a flat icon',
      '-m',
      'gpt-image-2.6-flare',
      '-f',
      'svg',
      '--safety-identifier',
      'one-off',
    ]);
    expect(run.status).toBe(0);
    const image = cli.json<ResultJson>(run).images[0];
    expect(image?.format).toBe('svg');
    expect(fs.readFileSync(image?.file_path ?? '', 'utf8')).toContain('<svg');
    expect(lastImageRequest()?.body).toMatchObject({ output_format: 'svg', safety_identifier: 'one-off' });
  });

  it('refuses complexity on gpt-image-2 and two SVGs with a clear message and no call', async () => {
    const before = fake.requests.length;
    const complexity = await cli.run(['generate', 'x', '--complexity', 'high']);
    expect(complexity.status).not.toBe(0);
    expect(complexity.stderr).toMatch(/gpt-image-2 takes no complexity/);
    const svgs = await cli.run(['generate', 'x', '-m', 'gpt-image-2.6-flare', '-f', 'svg', '-n', '2']);
    expect(svgs.stderr).toMatch(/one drawing per request/);
    expect(fake.requests.length).toBe(before);
  });

  it('edits with --markup, and refuses --markup with --mask', async () => {
    const { createTestImage, createTestMask } = await import('@imagegen/testing');
    const photo = path.join(cli.storage, 'photo.png');
    const markup = path.join(cli.storage, 'markup.png');
    const mask = path.join(cli.storage, 'mask.png');
    fs.writeFileSync(photo, await createTestImage({ width: 256, height: 256, grain: 64 }));
    fs.writeFileSync(markup, await createTestImage({ width: 256, height: 256, alpha: true, grain: 64 }));
    fs.writeFileSync(mask, await createTestMask({ width: 256, height: 256, editRegion: { left: 0, top: 0, width: 64, height: 64 } }));
    const run = await cli.run(['--json', 'edit', photo, 'a hat where drawn', '-m', 'gpt-image-2.6-sunburst', '--markup', markup]);
    expect(run.status).toBe(0);
    expect(lastImageRequest()?.files?.map((file) => file.field)).toContain('markup');
    const refused = await cli.run(['edit', photo, 'x', '-m', 'gpt-image-2.6-sunburst', '--markup', markup, '--mask', mask]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/markup cannot be combined with a mask/);
  });

  it('notes partial images as they arrive and prices them in the estimate', async () => {
    const streamed = await cli.run(['--json', 'generate', 'a kite', '-q', 'low', '-s', '1024x1024', '--partial-images', '2', '--fresh']);
    expect(streamed.status).toBe(0);
    expect(lastImageRequest()?.body).toMatchObject({ stream: true, partial_images: 2 });
    const plain = await cli.run(['--json', 'generate', 'a kite', '-q', 'low', '-s', '1024x1024', '--fresh']);
    const streamedUsd = cli.json<ResultJson>(streamed).estimated_cost_usd ?? 0;
    const plainUsd = cli.json<ResultJson>(plain).estimated_cost_usd ?? 0;
    expect(streamedUsd).toBeGreaterThan(plainUsd);
  });

  it('makes a gpt-image-2 transparent background with a preview warning', async () => {
    const run = await cli.run(['--json', 'generate', 'a sticker', '--background', 'transparent', '-q', 'low']);
    expect(run.status).toBe(0);
    expect(cli.json<ResultJson>(run).warnings).toEqual(expect.arrayContaining([expect.stringMatching(/in preview/)]));
    expect(lastImageRequest()?.body).toMatchObject({ background: 'transparent' });
  });

  it('lists the abilities in `models show`', async () => {
    const shown = await cli.run(['models', 'show', 'gpt-image-2.6-sunburst']);
    expect(shown.stdout).toMatch(
      /also: +complexity low\/medium\/high; gif output \(2-16 frames, preview access\); svg output; markup edits/,
    );
  });
});
