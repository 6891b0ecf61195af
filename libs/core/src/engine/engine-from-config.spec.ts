import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
    await expect(createImageEngineFromConfig(configFor(storage, { IMAGES__DEFAULT_MODEL: 'dall-e-3' }), { scheduleRetention: false })).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/IMAGES__DEFAULT_MODEL = dall-e-3: .*gpt-image-2/),
    });
  });

  it('starts without any provider key and configures OpenAI from OPENAI_API_KEY', async () => {
    const bare = await createImageEngineFromConfig(configFor(storage, {}), { scheduleRetention: false });
    expect(bare.configuredProviders()).toEqual([]);
    await bare.close();
    const fake = await createFakeOpenAIServer();
    const engine = await createImageEngineFromConfig(configFor(storage, { OPENAI_API_KEY: 'sk-from-env', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` }), { scheduleRetention: false });
    try {
      expect(engine.configuredProviders()).toEqual(['openai']);
      const result = await engine.generate({ prompt: 'wired from config' });
      expect(result.images[0]?.filePath?.startsWith(storage)).toBe(true);
      const models = await engine.listModels({ checkAvailability: true });
      expect(models.find((model) => model.definition.id === 'gpt-image-2')).toMatchObject({ isDefault: true, providerConfigured: true, availableForKey: true });
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
});
