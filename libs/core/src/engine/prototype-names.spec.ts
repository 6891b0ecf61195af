import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@imagegen/config';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageEngineFromConfig } from './engine-from-config';
import type { ImageEngine } from './image-engine';

// Names a caller may send that plain-object lookups would find on Object.prototype.
const inheritedNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

describe('engine requests naming Object.prototype members', () => {
  let storage: string;
  let fake: FakeOpenAIServer;
  let engine: ImageEngine;

  beforeAll(async () => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-prototype-names-'));
    fake = await createFakeOpenAIServer();
    const env = { STORAGE__BASE_PATH: storage, PROVIDERS__OPENAI__API_KEY: 'sk-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` };
    const { config } = loadConfig({ env, cwd: storage, homeDirectory: storage, platform: 'linux' });
    engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
  });

  afterAll(async () => {
    await engine.close();
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  const providerCalls = () => fake.requests.filter((request) => request.path.startsWith('/v1/images/')).length;

  it.each(inheritedNames)('model "%s" is an unknown model, not an internal error', async (name) => {
    await expect(engine.generate({ prompt: 'a lighthouse', model: name })).rejects.toMatchObject({
      code: 'model_not_found',
      message: expect.stringContaining(`Unknown image model '${name}'`),
    });
    expect(() => engine.estimateCost({ prompt: 'a lighthouse', model: name })).toThrow(
      expect.objectContaining({ code: 'model_not_found' }),
    );
  });

  it.each(inheritedNames)('style "%s" is refused before anything is sent or billed', async (name) => {
    const before = providerCalls();
    await expect(engine.generate({ prompt: 'a lighthouse', style: name })).rejects.toMatchObject({
      code: 'invalid_request',
      details: expect.objectContaining({ setting: 'style' }),
    });
    expect(providerCalls()).toBe(before);
  });
});
