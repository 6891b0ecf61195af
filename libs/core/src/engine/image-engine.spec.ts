/**
 * The engine end to end: the real OpenAI SDK against the fake OpenAI server, a real store in a temp folder, the real
 * registry, cache and ledger. What a user of `@imagegen/core` would notice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { createNodeStorageFileSystem } from '@imagegen/storage';
import { createTestImage } from '@imagegen/testing';
import { createEngineHarness, type EngineHarness } from './test-support/engine-harness';

const upstreamImageCalls = (harness: EngineHarness) =>
  harness.fake.requests.filter((request) => request.path.startsWith('/v1/images/')).length;

describe('image engine', () => {
  let harness: EngineHarness;

  beforeEach(async () => {
    harness = await createEngineHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('generates an image and stores the file and its sidecar', async () => {
    const result = await harness.engine.generate({ prompt: 'a red fox in snow', size: '1536x1024', quality: 'low' });
    expect(result.fromCache).toBe(false);
    expect(result.images).toHaveLength(1);
    const [image] = result.images;
    expect(image?.imageId).toMatch(/^img_\d{14}_[0-9a-f]{12}$/);
    expect(image?.resourceUri).toBe(`generated-images://${image?.imageId}`);
    const onDisk = fs.readFileSync(image?.filePath ?? '');
    const measured = await sharp(onDisk).metadata();
    expect([measured.width, measured.height, measured.format]).toEqual([1536, 1024, 'png']);
    const sidecar = JSON.parse(fs.readFileSync((image?.filePath ?? '').replace(/\.png$/, '.json'), 'utf8'));
    expect(sidecar).toMatchObject({
      image_id: image?.imageId,
      task_id: result.taskId,
      prompt: 'a red fox in snow',
      provider: 'openai',
      model_requested: 'gpt-image-2',
      model_used: 'gpt-image-2',
      parameters: { model: 'gpt-image-2', size: '1536x1024', quality: 'low' },
      file_info: { size_bytes: onDisk.length, format: 'png', dimensions: '1536x1024' },
      request_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(sidecar.cost_info.actual_cost_usd).toBeGreaterThan(0);
    expect(harness.engine.costReport().todayUsd).toBeCloseTo(result.actualCostUsd ?? -1);
  });

  it('makes a preview within the asked bytes while storing, and none for an image small enough to send whole', async () => {
    const result = await harness.engine.generate(
      { prompt: 'a preview please', size: '1536x1024', quality: 'low' },
      { preview: { maxBytes: 60_000, maxDimension: 512 } },
    );
    const preview = result.images[0]?.preview;
    expect(preview?.byteLength).toBeLessThanOrEqual(60_000);
    expect(Math.max(preview?.width ?? 0, preview?.height ?? 0)).toBeLessThanOrEqual(512);
    const whole = await harness.engine.generate(
      { prompt: 'no preview needed', size: '1024x1024', quality: 'low' },
      { preview: { maxBytes: 60_000, skipUpToBytes: 50_000_000 } },
    );
    expect(whole.images[0]?.preview).toBeUndefined();
  });

  it('never sends style to a GPT image model: it folds it into the prompt and warns', async () => {
    const result = await harness.engine.generate({ prompt: 'a harbour at night', style: 'vivid' });
    const body = harness.fake.requests.find((request) => request.path === '/v1/images/generations')?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('style');
    expect(body).not.toHaveProperty('response_format');
    expect(String(body['prompt'])).toContain('vivid');
    expect(result.warnings.map((warning) => warning.setting)).toContain('style');
  });

  it('edits several stored and inline images with a black-and-white mask', async () => {
    const source = await harness.engine.generate({ prompt: 'an empty room', size: '1024x1024' });
    const sourceId = source.images[0]?.imageId ?? '';
    const second = await createTestImage({ width: 512, height: 512, format: 'jpeg' });
    const mask = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: '#000000' } })
      .composite([
        {
          input: await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ffffff' } })
            .png()
            .toBuffer(),
          left: 100,
          top: 100,
        },
      ])
      .png()
      .toBuffer();
    const result = await harness.engine.edit({
      prompt: 'add a green armchair',
      images: [
        { kind: 'stored', imageId: `generated-images://${sourceId}` },
        { kind: 'encoded', value: second.toString('base64') },
      ],
      mask: { kind: 'bytes', data: mask },
    });
    const edit = harness.fake.requests.find((request) => request.path === '/v1/images/edits');
    // The SDK decides the order of the multipart parts (openai 7 sends the mask first); the API reads them by name.
    const partsByField = (field: string) => edit?.files?.filter((file) => file.field === field).map((file) => file.contentType);
    expect(partsByField('image[]')).toEqual(['image/png', 'image/jpeg']);
    expect(partsByField('mask')).toEqual(['image/png']);
    const sidecarPath = (result.images[0]?.filePath ?? '').replace(/\.png$/, '.json');
    expect(JSON.parse(fs.readFileSync(sidecarPath, 'utf8')).source_image_ids).toEqual([sourceId]);
  });

  it.each([
    [{ prompt: 'x', model: 'dall-e-3' }, /shut down.*2026-05-12.*gpt-image-2/s],
    [{ prompt: 'x', model: 'gpt-image-1' }, /gpt-image-2\.5/],
    [{ prompt: 'x', model: 'no-such-model' }, /no-such-model/],
    [{ prompt: 'x', quality: 'ultra' }, /low.*medium.*high/s],
    [{ prompt: 'x', model: 'gpt-image-2.5-flare', background: 'transparent', outputFormat: 'jpeg' as const }, /png|webp/],
    [{ prompt: 'x', complexity: 'low' }, /gpt-image-2 takes no complexity/],
    [{ prompt: 'x', n: 11 }, /10/],
    [{ prompt: 'x', size: '5000x5000' }, /3840/],
    [{ prompt: '' }, /prompt/i],
  ])('refuses %j before any network call, naming what is allowed', async (request, message) => {
    await expect(harness.engine.generate(request)).rejects.toThrow(message);
    expect(upstreamImageCalls(harness)).toBe(0);
  });

  it('retries a 429 honouring Retry-After, then succeeds', async () => {
    harness.fake.injectFault({ kind: 'rate_limit', retryAfterSeconds: 0 });
    const result = await harness.engine.generate({ prompt: 'retry me' });
    expect(result.images).toHaveLength(1);
    expect(upstreamImageCalls(harness)).toBe(2);
  });

  it('does not retry a moderation block and says so plainly', async () => {
    harness.fake.injectFault({ kind: 'moderation_blocked' });
    await expect(harness.engine.generate({ prompt: 'blocked' })).rejects.toMatchObject({ code: 'content_blocked', retryable: false });
    expect(upstreamImageCalls(harness)).toBe(1);
    expect(harness.imageFiles()).toEqual([]);
  });

  it('stops the upstream call on cancellation and stores nothing', async () => {
    harness.fake.injectFault({ kind: 'delay', delayMs: 10_000 });
    const controller = new AbortController();
    const pending = harness.engine.generate({ prompt: 'slow' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(harness.imageFiles()).toEqual([]);
    expect((await harness.engine.history()).totalCount).toBe(0);
  });

  it('serves a repeated identical request from the cache with no upstream call and no new cost', async () => {
    const first = await harness.engine.generate({ prompt: 'cache me' });
    const spent = harness.engine.costReport().todayUsd;
    const second = await harness.engine.generate({ prompt: 'cache me' });
    expect(second.fromCache).toBe(true);
    expect(second.actualCostUsd).toBe(0);
    expect(second.images[0]?.imageId).toBe(first.images[0]?.imageId);
    expect(upstreamImageCalls(harness)).toBe(1);
    expect(harness.engine.costReport().todayUsd).toBe(spent);
    const fresh = await harness.engine.generate({ prompt: 'cache me', fresh: true });
    expect(fresh.fromCache).toBe(false);
    expect(upstreamImageCalls(harness)).toBe(2);
  });

  it('makes one upstream call for five concurrent identical requests', async () => {
    harness.fake.injectFault({ kind: 'delay', delayMs: 300 });
    const results = await Promise.all(Array.from({ length: 5 }, () => harness.engine.generate({ prompt: 'same thing' })));
    expect(upstreamImageCalls(harness)).toBe(1);
    expect(new Set(results.map((result) => result.images[0]?.imageId)).size).toBe(1);
  });

  it('refuses an id that looks like a path before touching the filesystem', async () => {
    await expect(harness.engine.getImage('../../etc/passwd')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(harness.engine.edit({ prompt: 'x', images: [{ kind: 'stored', imageId: '../../etc/passwd' }] })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('crops to a size the model cannot make natively and says so', async () => {
    const result = await harness.engine.generate({ prompt: 'social card', size: '1200x630' });
    expect([result.images[0]?.width, result.images[0]?.height]).toEqual([1200, 630]);
    expect(result.warnings.some((warning) => warning.setting === 'size')).toBe(true);
  });

  it('translates an off-grid size: generates on the grid and crops to exactly what was asked', async () => {
    const result = await harness.engine.generate({ prompt: 'square', size: '1000x1000' });
    expect([result.images[0]?.width, result.images[0]?.height]).toEqual([1000, 1000]);
    const body = harness.fake.requests.find((request) => request.path === '/v1/images/generations')?.body as Record<string, unknown>;
    expect(body['size']).toBe('1008x1008');
  });
});

describe('image engine without a configured provider', () => {
  it('answers provider_not_configured with the setting to add, before any network call', async () => {
    const harness = await createEngineHarness({ withoutProviders: true });
    try {
      await expect(harness.engine.generate({ prompt: 'x' })).rejects.toMatchObject({
        code: 'provider_not_configured',
        message: expect.stringContaining('PROVIDERS__OPENAI__API_KEY'),
      });
      expect(upstreamImageCalls(harness)).toBe(0);
    } finally {
      await harness.close();
    }
  });
});

describe('image engine with a budget', () => {
  it('refuses the next paid call once the daily cap is reached, but still serves the cache', async () => {
    const harness = await createEngineHarness({ budgets: { dailyUsd: 0.008 } });
    try {
      await harness.engine.generate({ prompt: 'first' });
      await expect(harness.engine.generate({ prompt: 'second' })).rejects.toMatchObject({ code: 'budget_exceeded' });
      await expect(harness.engine.generate({ prompt: 'first' })).resolves.toMatchObject({ fromCache: true });
    } finally {
      await harness.close();
    }
  });
});

describe('image engine storage failures', () => {
  it.each(['createFile', 'rename'] as const)('leaves no partial file when %s fails while saving', async (step) => {
    const real = createNodeStorageFileSystem();
    let armed = false;
    const failing = {
      ...real,
      [step]: async (...args: unknown[]) => {
        const target = String(args[0]);
        if (armed && target.includes(`${path.sep}images${path.sep}`)) throw Object.assign(new Error('disk failure'), { code: 'EIO' });
        return (real[step] as (...values: unknown[]) => Promise<void>)(...args);
      },
    };
    const harness = await createEngineHarness({ fileSystem: failing });
    try {
      armed = true;
      await expect(harness.engine.generate({ prompt: 'doomed' })).rejects.toMatchObject({ code: 'storage_failed' });
      expect(harness.imageFiles()).toEqual([]);
    } finally {
      armed = false;
      await harness.close();
    }
  });
});
