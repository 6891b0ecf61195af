/**
 * The engine with Google's Gemini image models: the real `@google/genai` SDK against the fake provider server, built
 * from configuration the way the apps build it. What a user with a Gemini key would notice.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '@imagegen/config';
import { createFakeProviderServer, createTestMask, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageEngineFromConfig } from './engine-from-config';
import type { ImageEngine } from './image-engine';

const geminiKey = 'AIzaEngineTestKey0123456789';

describe('engine with the Gemini provider', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let engine: ImageEngine;

  const geminiCalls = () => fake.requests.filter((request) => request.path.endsWith(':generateContent'));
  const sentImageConfig = () =>
    (geminiCalls().at(-1)?.body?.['generationConfig'] as { imageConfig?: Record<string, string> } | undefined)?.imageConfig;
  const storedFiles = () => {
    const root = path.join(storage, 'images');
    if (!fs.existsSync(root)) return [];
    return (fs.readdirSync(root, { recursive: true }) as string[]).filter((entry) => fs.statSync(path.join(root, entry)).isFile());
  };

  async function start(env: Record<string, string>): Promise<ImageEngine> {
    const loaded = loadConfig({
      env: { STORAGE__BASE_PATH: storage, PROVIDERS__GEMINI__BASE_URL: fake.url, PROVIDERS__GEMINI__MAX_RETRIES: '2', ...env },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    return createImageEngineFromConfig(loaded.config, { scheduleRetention: false });
  }

  beforeAll(async () => {
    fake = await createFakeProviderServer();
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-gemini-'));
    engine = await start({ GEMINI_API_KEY: geminiKey });
  });
  afterEach(async () => {
    fake.clearFaults();
    await engine.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('works with only a Gemini key: requests without a model go to the Gemini default', async () => {
    expect(engine.configuredProviders()).toEqual(['gemini']);
    const result = await engine.generate({ prompt: 'a lighthouse at dusk' });
    expect(result).toMatchObject({ provider: 'gemini', model: 'gemini-nano-banana-2.1', fromCache: false });
    const sidecar = JSON.parse(fs.readFileSync((result.images[0]?.filePath ?? '').replace(/\.png$/, '.json'), 'utf8'));
    expect(sidecar).toMatchObject({ provider: 'gemini', model_used: 'gemini-nano-banana-2.1' });
    const models = await engine.listModels({ checkAvailability: true });
    expect(models.find((model) => model.definition.id === 'gemini-nano-banana-2.1')).toMatchObject({
      isDefault: true,
      providerConfigured: true,
      availableForKey: true,
    });
    expect(models.find((model) => model.definition.id === 'gpt-image-2')).toMatchObject({ providerConfigured: false });
  });

  it.each([
    ['1536x1024', '3:2', '2K', false],
    ['1024x1536', '2:3', '2K', false],
    ['1024x1024', '1:1', '1K', false],
    ['1200x630', '16:9', '2K', true],
  ])('generates %s by asking for %s at %s and delivering exactly that size', async (size, aspectRatio, imageSize, translated) => {
    const result = await engine.generate({ prompt: `a harbour at ${size}`, model: 'gemini-3-pro-image', size });
    expect(sentImageConfig()).toEqual({ aspectRatio, imageSize });
    const [width, height] = size.split('x').map(Number);
    const measured = await sharp(fs.readFileSync(result.images[0]?.filePath ?? '')).metadata();
    expect([measured.width, measured.height, measured.format]).toEqual([width, height, 'png']);
    expect(result.warnings.some((warning) => warning.setting === 'size' && /16:9/.test(warning.message))).toBe(translated);
  });

  it('converts the PNG Gemini returns to the requested format locally, and says so', async () => {
    const result = await engine.generate({
      prompt: 'a jpeg please',
      model: 'gemini-nano-banana-2.1',
      size: '1024x1024',
      outputFormat: 'jpeg',
      compression: 70,
    });
    expect(result.images[0]).toMatchObject({ format: 'jpeg', mimeType: 'image/jpeg' });
    expect((await sharp(Buffer.from((await result.images[0]?.readData()) ?? [])).metadata()).format).toBe('jpeg');
    expect(result.warnings.map((warning) => warning.setting)).toContain('outputFormat');
  });

  it('makes n images by parallel calls, one image each, with the cost multiplied', async () => {
    const before = geminiCalls().length;
    const result = await engine.generate({ prompt: 'three foxes', model: 'gemini-3-pro-image', size: '1024x1024', n: 3 });
    expect(result.images).toHaveLength(3);
    expect(geminiCalls().length - before).toBe(3);
    // Three 1K images at $0.134 each, plus prompt tokens.
    expect(result.actualCostUsd).toBeGreaterThanOrEqual(3 * 0.134);
    expect(result.actualCostUsd).toBeLessThan(3 * 0.134 + 0.001);
    expect(engine.costReport().todayUsd).toBeCloseTo(result.actualCostUsd ?? -1, 6);
  });

  it('edits with several reference images (a stored one and an inline one)', async () => {
    const first = await engine.generate({ prompt: 'a cat', size: '1024x1024' });
    const inline = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const result = await engine.edit({
      prompt: 'put the cat on the blue rug',
      images: [
        { kind: 'stored', imageId: first.images[0]?.imageId ?? '' },
        { kind: 'encoded', value: inline.toString('base64') },
      ],
    });
    const parts = (geminiCalls().at(-1)?.body?.['contents'] as Array<{ parts: Array<Record<string, unknown>> }>)[0]?.parts ?? [];
    expect(parts.filter((part) => part['inlineData'] !== undefined)).toHaveLength(2);
    const sidecar = JSON.parse(fs.readFileSync((result.images[0]?.filePath ?? '').replace(/\.png$/, '.json'), 'utf8'));
    expect(sidecar.source_image_ids).toEqual([first.images[0]?.imageId]);
  });

  it('honours a mask by keeping the edit inside it and the original outside it', async () => {
    const original = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: '#20c040' } })
      .png()
      .toBuffer();
    const mask = await createTestMask({ width: 1024, height: 1024, editRegion: { left: 0, top: 0, width: 512, height: 1024 } });
    const result = await engine.edit({
      prompt: 'turn the left half into a night sky',
      model: 'gemini-3-pro-image',
      images: [{ kind: 'bytes', data: original }],
      mask: { kind: 'bytes', data: mask },
    });
    const sent = geminiCalls().at(-1)?.body?.['contents'] as Array<{ parts: unknown[] }>;
    expect(sent[0]?.parts).toHaveLength(2);
    const { data, info } = await sharp(Buffer.from((await result.images[0]?.readData()) ?? []))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect([info.width, info.height]).toEqual([1024, 1024]);
    expect(at(900, 500)).toEqual([0x20, 0xc0, 0x40]);
    expect(at(100, 500)).not.toEqual([0x20, 0xc0, 0x40]);
    expect(result.warnings.find((warning) => warning.setting === 'mask')?.message).toMatch(/no mask parameter/);
  });

  it.each([
    [{ kind: 'prompt_blocked' } as const, 'content_blocked', /blocked the prompt/],
    [{ kind: 'moderation_blocked' } as const, 'content_blocked', /IMAGE_SAFETY/],
    [{ kind: 'no_image', text: 'Here is a poem instead.' } as const, 'upstream_error', /NO_IMAGE.*poem/],
  ])('answers %j with %s, without retrying and without storing anything', async (fault, code, message) => {
    fake.injectFault(fault);
    const before = geminiCalls().length;
    await expect(engine.generate({ prompt: 'something', model: 'gemini-3-pro-image' })).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message),
    });
    expect(geminiCalls().length - before).toBe(1);
    expect(storedFiles()).toEqual([]);
  });

  it.each([[{ kind: 'rate_limit', retryAfterSeconds: 0 } as const], [{ kind: 'server_error', status: 503 } as const]])(
    'retries %j and then succeeds',
    async (fault) => {
      fake.injectFault(fault);
      const before = geminiCalls().length;
      const result = await engine.generate({ prompt: `retry after ${fault.kind}`, model: 'gemini-nano-banana-2.1', size: '1024x1024' });
      expect(result.images).toHaveLength(1);
      expect(geminiCalls().length - before).toBe(2);
    },
  );

  it('cancels a slow generation: the upstream call stops and nothing is stored', async () => {
    fake.injectFault({ kind: 'delay', delayMs: 10_000 });
    const controller = new AbortController();
    const before = geminiCalls().length;
    const pending = engine.generate({ prompt: 'slow', model: 'gemini-nano-banana-2.1' }, { signal: controller.signal });
    while (geminiCalls().length === before) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(storedFiles()).toEqual([]);
  });

  it('refuses retired Google models, naming the replacement, before any network call', async () => {
    const before = fake.requests.length;
    await expect(engine.generate({ prompt: 'x', model: 'imagen-4' })).rejects.toMatchObject({
      code: 'model_retired',
      message: expect.stringContaining('gemini-3-pro-image'),
    });
    await expect(engine.generate({ prompt: 'x', model: 'gemini-2.5-flash-image' })).rejects.toMatchObject({
      code: 'model_retired',
      message: expect.stringContaining('gemini-nano-banana-2.1'),
    });
    expect(fake.requests.length).toBe(before);
  });

  it('refuses a retired Gemini default model in the configuration before starting', async () => {
    await expect(start({ GEMINI_API_KEY: geminiKey, PROVIDERS__GEMINI__DEFAULT_MODEL: 'imagen-4' })).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/PROVIDERS__GEMINI__DEFAULT_MODEL = imagen-4: .*gemini-3-pro-image/),
    });
  });

  it('routes each model to its provider when both are configured, and takes a provider name as its default model', async () => {
    const both = await start({ GEMINI_API_KEY: geminiKey, OPENAI_API_KEY: 'sk-both', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` });
    try {
      expect(both.configuredProviders().sort()).toEqual(['gemini', 'openai']);
      const openaiBefore = fake.requests.filter((request) => request.path === '/v1/images/generations').length;
      await expect(both.generate({ prompt: 'default model', quality: 'low' })).resolves.toMatchObject({
        provider: 'openai',
        model: 'gpt-image-2',
      });
      await expect(both.generate({ prompt: 'by provider name', model: 'gemini' })).resolves.toMatchObject({
        provider: 'gemini',
        model: 'gemini-nano-banana-2.1',
      });
      await expect(both.generate({ prompt: 'by alias', model: 'nano-banana-pro' })).resolves.toMatchObject({ model: 'gemini-3-pro-image' });
      expect(fake.requests.filter((request) => request.path === '/v1/images/generations').length - openaiBefore).toBe(1);
    } finally {
      await both.close();
    }
  });
});
