import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRedisCache } from '@imagegen/cache';
import { loadConfig } from '@imagegen/config';
import { createFakeOpenAIServer } from '@imagegen/testing';
import { createImageEngineFromConfig } from './engine-from-config';

function configFor(storage: string, env: Record<string, string>) {
  return loadConfig({ env: { STORAGE__BASE_PATH: storage, ...env }, cwd: storage, homeDirectory: storage, platform: 'linux' }).config;
}

describe('createImageEngineFromConfig', () => {
  let storage: string;
  beforeEach(() => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-from-config-'));
  });
  afterEach(() => fs.rmSync(storage, { recursive: true, force: true }));

  it('refuses a retired default model before starting, naming the replacement', async () => {
    await expect(
      createImageEngineFromConfig(configFor(storage, { IMAGES__DEFAULT_MODEL: 'dall-e-3' }), { scheduleRetention: false }),
    ).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/IMAGES__DEFAULT_MODEL = dall-e-3: .*gpt-image-2/),
    });
  });

  it('starts without any provider key and configures OpenAI from OPENAI_API_KEY', async () => {
    const bare = await createImageEngineFromConfig(configFor(storage, {}), { scheduleRetention: false });
    expect(bare.configuredProviders()).toEqual([]);
    await bare.close();
    const fake = await createFakeOpenAIServer();
    const engine = await createImageEngineFromConfig(
      configFor(storage, { OPENAI_API_KEY: 'sk-from-env', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` }),
      { scheduleRetention: false },
    );
    try {
      expect(engine.configuredProviders()).toEqual(['openai']);
      const result = await engine.generate({ prompt: 'wired from config' });
      expect(result.images[0]?.filePath?.startsWith(storage)).toBe(true);
      const models = await engine.listModels({ checkAvailability: true });
      expect(models.find((model) => model.definition.id === 'gpt-image-2')).toMatchObject({
        isDefault: true,
        providerConfigured: true,
        availableForKey: true,
      });
    } finally {
      await engine.close();
      await fake.close();
    }
  });

  it('runs retention at start: images past STORAGE__RETENTION_DAYS are removed', async () => {
    const fake = await createFakeOpenAIServer();
    const env = { OPENAI_API_KEY: 'sk-x', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` };
    const first = await createImageEngineFromConfig(configFor(storage, env), { scheduleRetention: false });
    const stored = await first.generate({ prompt: 'old image' });
    await first.close();
    const later = { now: () => new Date(Date.now() + 40 * 86_400_000) };
    const second = await createImageEngineFromConfig(configFor(storage, { ...env, STORAGE__RETENTION_DAYS: '30' }), { clock: later });
    try {
      // The start-up run is asynchronous: wait until it has recorded itself.
      for (let waited = 0; (await second.stats()).lastCleanup === null && waited < 10_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await expect(second.getImage(stored.images[0]?.imageId ?? '')).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await second.close();
      await fake.close();
    }
  });

  it('shares a Redis cache between two engines (two server processes) and reports readiness', async () => {
    const fake = await createFakeOpenAIServer();
    const env = {
      OPENAI_API_KEY: 'sk-redis',
      PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
      CACHE__BACKEND: 'redis',
      CACHE__REDIS_URL: 'redis://127.0.0.1:6379/0',
      CACHE__REDIS_KEY_PREFIX: `imagegen-test:${path.basename(storage)}:`,
    };
    const first = await createImageEngineFromConfig(configFor(storage, env), { scheduleRetention: false });
    const second = await createImageEngineFromConfig(configFor(storage, env), { scheduleRetention: false });
    try {
      const prompt = `a shared lantern ${path.basename(storage)}`;
      const made = await first.generate({ prompt });
      const repeated = await second.generate({ prompt });
      expect(repeated).toMatchObject({ fromCache: true, actualCostUsd: 0 });
      expect(repeated.images[0]?.imageId).toBe(made.images[0]?.imageId);
      expect(fake.requests.filter((request) => request.path === '/v1/images/generations')).toHaveLength(1);
      await expect(first.checkReadiness()).resolves.toMatchObject({ ready: true });
    } finally {
      await first.close();
      await second.close();
      await fake.close();
      const leftovers = createRedisCache({ url: env.CACHE__REDIS_URL, keyPrefix: env.CACHE__REDIS_KEY_PREFIX, maxBytes: 1 });
      await leftovers.clear();
      await leftovers.close();
    }
    const unreachable = await createImageEngineFromConfig(configFor(storage, { ...env, CACHE__REDIS_URL: 'redis://127.0.0.1:1/0' }), {
      scheduleRetention: false,
    });
    try {
      const readiness = await unreachable.checkReadiness();
      expect(readiness.ready).toBe(false);
      expect(readiness.checks.cache).toMatchObject({ ok: false, message: expect.stringContaining('CACHE__REDIS_URL') });
    } finally {
      await unreachable.close();
    }
  });
});
