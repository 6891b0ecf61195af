/**
 * Multi-turn editing, Google Search grounding and the thinking level through the engine: the real `@google/genai` SDK
 * against the fake provider server, which refuses a follow-up turn whose signatures were not sent back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@imagegen/config';
import { createFakeProviderServer, createTestImage, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageEngineFromConfig } from './engine-from-config';
import type { ImageEngine } from './image-engine';

describe('engine: Gemini multi-turn editing, grounding and thinking level', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let engine: ImageEngine;
  const lastBody = () => fake.requests.filter((request) => request.path.endsWith(':generateContent')).at(-1)?.body ?? {};
  const sidecarOf = (filePath: string | undefined) => JSON.parse(fs.readFileSync((filePath ?? '').replace(/\.png$/, '.json'), 'utf8'));

  beforeAll(async () => {
    fake = await createFakeProviderServer();
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-gemini-abilities-'));
    const loaded = loadConfig({
      env: {
        STORAGE__BASE_PATH: storage,
        PROVIDERS__GEMINI__BASE_URL: fake.url,
        GEMINI_API_KEY: 'AIzaEngineTestKey0123456789',
        IMAGES__DEFAULT_SIZE: '1024x1024',
        OPENAI_API_KEY: 'sk-engine-test',
        PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
      },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    engine = await createImageEngineFromConfig(loaded.config, { scheduleRetention: false });
  });
  afterEach(async () => {
    await engine.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('keeps the conversation in the sidecar and continues it with the signatures intact, on the same model', async () => {
    const first = await engine.generate({ prompt: 'a lighthouse at dusk', model: 'gemini-3-pro-image', size: '1024x1024' });
    const stored = first.images[0];
    const sidecar = sidecarOf(stored?.filePath);
    expect(sidecar.conversation.model).toBe('gemini-3-pro-image');
    expect(sidecar.conversation.turns.map((turn: { role: string }) => turn.role)).toEqual(['user', 'model']);
    // The image is referenced, not copied into the sidecar.
    expect(JSON.stringify(sidecar.conversation)).not.toContain('data_base64');
    expect(stored?.conversationTurns).toBe(2);

    // No model named: the conversation's own model is used.
    const second = await engine.edit({
      prompt: 'now make it stormy',
      images: [{ kind: 'stored', imageId: stored?.imageId ?? '' }],
      continueConversation: true,
    });
    expect(second.model).toBe('gemini-3-pro-image');
    const contents = lastBody()['contents'] as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(contents[1]?.parts.every((part) => typeof part['thoughtSignature'] === 'string')).toBe(true);
    // The new turn is the prompt alone: the image travels once, in the model's turn.
    expect(contents[2]?.parts).toEqual([{ text: 'now make it stormy' }]);
    expect(second.parameters).toMatchObject({ continue_conversation: true, conversation_turns: 2 });

    const third = sidecarOf(second.images[0]?.filePath);
    expect(third.conversation.turns).toHaveLength(4);
    expect(third.conversation.turns[1].parts.find((part: { image_id?: string }) => part.image_id)?.image_id).toBe(stored?.imageId);
    // A third turn goes on from the second image, with both earlier turns.
    await engine.edit({
      prompt: 'add a ship',
      images: [{ kind: 'stored', imageId: second.images[0]?.imageId ?? '' }],
      continueConversation: true,
    });
    expect((lastBody()['contents'] as unknown[]).length).toBe(5);
  });

  it('refuses to continue a conversation with another model, or an image that has none', async () => {
    const first = await engine.generate({ prompt: 'a fox', model: 'gemini-nano-banana-2.1', size: '1024x1024' });
    const source = { kind: 'stored' as const, imageId: first.images[0]?.imageId ?? '' };
    await expect(
      engine.edit({ prompt: 'x', model: 'gemini-3-pro-image', images: [source], continueConversation: true }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/conversation is with gemini\/gemini-nano-banana-2\.1; a follow-up turn must use that model/),
    });
    const openai = await engine.generate({ prompt: 'a fox', model: 'gpt-image-2', quality: 'low', size: '1024x1024' });
    await expect(
      engine.edit({ prompt: 'x', images: [{ kind: 'stored', imageId: openai.images[0]?.imageId ?? '' }], continueConversation: true }),
    ).rejects.toThrow(/has no conversation to continue: it was made by openai\/gpt-image-2/);
    const small = await createTestImage({ width: 64, height: 64 });
    const plain = await engine.edit({ prompt: 'a plain edit', model: 'gemini-nano-banana-2.1', images: [{ kind: 'bytes', data: small }] });
    const plainSource = { kind: 'stored' as const, imageId: plain.images[0]?.imageId ?? '' };
    // A plain edit of small bytes records its own conversation (the input inline), so it can be continued too.
    expect(sidecarOf(plain.images[0]?.filePath).conversation.turns[0].parts[1].inline_image.mime_type).toBe('image/png');
    await expect(
      engine.edit({ prompt: 'x', images: [{ kind: 'bytes', data: Buffer.from('x') }], continueConversation: true }),
    ).rejects.toThrow(/needs the first image to be a stored image/);
    await expect(engine.edit({ prompt: 'y', images: [plainSource], continueConversation: true })).resolves.toMatchObject({
      model: 'gemini-nano-banana-2.1',
    });
  });

  it('grounds with Google Search: the sources reach the result and the sidecar, each query is billed', async () => {
    const estimate =
      engine.estimateCost({ prompt: 'today in Lisbon', model: 'gemini-nano-banana-2.1', size: '1024x1024', searchGrounding: true }) ?? 0;
    const plainEstimate = engine.estimateCost({ prompt: 'today in Lisbon', model: 'gemini-nano-banana-2.1', size: '1024x1024' }) ?? 0;
    expect(estimate - plainEstimate).toBeCloseTo(0.014, 6);
    const result = await engine.generate({
      prompt: 'today in Lisbon',
      model: 'gemini-nano-banana-2.1',
      size: '1024x1024',
      searchGrounding: true,
    });
    expect(lastBody()['tools']).toEqual([{ googleSearch: {} }]);
    expect(result.images[0]?.grounding?.sources.length).toBeGreaterThan(0);
    expect(sidecarOf(result.images[0]?.filePath).grounding.search_queries).toEqual(['today in Lisbon']);
    expect(sidecarOf(result.images[0]?.filePath).cost_info.tokens_used.searchQueries).toBe(1);
    expect(result.actualCostUsd).toBeGreaterThan(0.0336 + 0.014 - 1e-9);
    expect(engine.costReport().todayUsd).toBeCloseTo(result.actualCostUsd ?? 0, 6);
    // The same request again comes from the cache, sources included, at no cost.
    const again = await engine.generate({
      prompt: 'today in Lisbon',
      model: 'gemini-nano-banana-2.1',
      size: '1024x1024',
      searchGrounding: true,
    });
    expect(again).toMatchObject({ fromCache: true, actualCostUsd: 0 });
    expect(again.images[0]?.grounding).toEqual(result.images[0]?.grounding);
    await expect(engine.generate({ prompt: 'x', model: 'gemini-3.1-flash-lite-image', searchGrounding: true })).rejects.toMatchObject({
      details: { setting: 'search_grounding' },
    });
  });

  it('sends the thinking level where the model has one and refuses it elsewhere', async () => {
    await engine.generate({ prompt: 'a careful diagram', model: 'gemini-nano-banana-2.1', size: '1024x1024', thinkingLevel: 'high' });
    expect((lastBody()['generationConfig'] as Record<string, unknown>)['thinkingConfig']).toEqual({ thinkingLevel: 'HIGH' });
    await expect(engine.generate({ prompt: 'x', model: 'gemini-3-pro-image', thinkingLevel: 'high' })).rejects.toThrow(
      /no adjustable thinking level/,
    );
  });

  it("lets Google's model list decide: a model it lacks is listed as unavailable and refused before any call", async () => {
    const before = fake.requests.length;
    const listings = await engine.listModels({ checkAvailability: true });
    expect(listings.find((listing) => listing.definition.id === 'gemini-3.1-flash-image')?.availableForKey).toBe(false);
    await expect(engine.generate({ prompt: 'x', model: 'gemini-3.1-flash-image' })).rejects.toMatchObject({
      code: 'model_not_found',
      message: expect.stringMatching(/not in gemini's model list for this key.*Use gemini-nano-banana-2\.1 instead/),
    });
    expect(fake.requests.slice(before).some((request) => request.path.endsWith(':generateContent'))).toBe(false);
  });
});
