import { createMemoryLogger, ImageGenError } from '@imagegen/common';
import type { ImageGenerationRequest, ImageEditRequest, ModelDefinition, ProviderCall } from '../contract';
import { estimateCost } from '../cost/estimate-cost';
import { geminiModels } from '../registry/gemini-models';
import { planRequest } from '../validation/plan-request';
import { pngBytes, startFakeOpenAIServer, tinyPngBase64, type FakeOpenAIServer } from '../openai/test-support/fake-openai-server';
import { createGeminiProvider } from './gemini-provider';

const apiKey = 'AIzaSyTestKey0123456789abcdefghijklmn';

function model(id: string): ModelDefinition {
  const found = geminiModels.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no built-in ${id}`);
  return found;
}

function call(id: string, request: ImageGenerationRequest | ImageEditRequest, extra: Partial<ProviderCall> = {}): ProviderCall {
  return { ...planRequest(model(id), request).call, ...extra };
}

const imageAnswer = (parts: unknown[] = [{ text: 'Here it is.' }, { inlineData: { mimeType: 'image/png', data: tinyPngBase64 } }]) => ({
  candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP' }],
  usageMetadata: {
    promptTokenCount: 600,
    candidatesTokenCount: 1130,
    totalTokenCount: 1730,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: 40 },
      { modality: 'IMAGE', tokenCount: 560 },
    ],
  },
  modelVersion: 'gemini-3-pro-image',
  responseId: 'resp-1',
});

describe('Gemini provider', () => {
  let fake: FakeOpenAIServer;
  let root: string;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    root = fake.baseUrl.replace(/\/v1$/, '');
  });
  afterAll(() => fake.close());

  const provider = (extra: Partial<Parameters<typeof createGeminiProvider>[0]> = {}) =>
    createGeminiProvider({ apiKey, baseUrl: root, timeoutMs: 5_000, ...extra });

  it('sends generateContent with the key in x-goog-api-key, the ratio derived from the size and the tier from size and quality', async () => {
    fake.enqueue({ kind: 'json', body: imageAnswer() });
    const result = await provider().generate(call('gemini-3-pro-image', { prompt: 'a lighthouse', size: '1536x1024' }));
    const sent = fake.requests.at(-1);
    expect(sent?.path).toBe('/v1/models/gemini-3-pro-image:generateContent');
    expect(sent?.headers['x-goog-api-key']).toBe(apiKey);
    expect(sent?.json()).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a lighthouse' }] }],
      generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '3:2', imageSize: '2K' } },
    });
    expect(result.images).toEqual([{ data: pngBytes, mimeType: 'image/png' }]);
    expect(result.requestId).toBe('resp-1');
  });

  it.each([
    ['1024x1024', undefined, { aspectRatio: '1:1', imageSize: '1K' }],
    ['1024x1536', undefined, { aspectRatio: '2:3', imageSize: '2K' }],
    ['1024x1024', 'high', { aspectRatio: '1:1', imageSize: '2K' }],
    ['1200x630', 'low', { aspectRatio: '16:9', imageSize: '2K' }],
  ])('maps %s at quality %s to %j', async (size, quality, imageConfig) => {
    fake.enqueue({ kind: 'json', body: imageAnswer() });
    await provider().generate(call('gemini-3-pro-image', { prompt: 'x', size, ...(quality ? { quality } : {}) }));
    expect((fake.requests.at(-1)?.json()['generationConfig'] as Record<string, unknown>)['imageConfig']).toEqual(imageConfig);
  });

  it.each([
    ['application/json', '<html><body>Gateway login required</body></html>'],
    ['text/html', '<html><body>Gateway login required</body></html>'],
  ])('maps a 200 answer of type %s whose body is not JSON to upstream_error, and logs what came back', async (contentType, body) => {
    const logger = createMemoryLogger();
    fake.enqueue({ kind: 'raw', status: 200, body, contentType });
    const failure = provider({ logger }).generate(call('gemini-3-pro-image', { prompt: 'x' }));
    await expect(failure).rejects.toMatchObject({ code: 'upstream_error', provider: 'gemini', message: expect.stringMatching(/not JSON/) });
    const logged = logger.lines.find((line) => line.message.includes('not JSON'));
    expect(logged).toMatchObject({
      level: 'warn',
      fields: { statusCode: 200, contentType, bodyStart: expect.stringContaining('Gateway login') },
    });
    expect(JSON.stringify(logger.lines)).not.toContain(apiKey);
  });

  it('never sends 16:10 (the seed mapping): 1536x1024 is exactly 3:2', async () => {
    fake.enqueue({ kind: 'json', body: imageAnswer() });
    await provider().generate(call('gemini-nano-banana-2.1', { prompt: 'x', size: '1536x1024' }));
    expect(JSON.stringify(fake.requests.at(-1)?.json())).not.toContain('16:10');
    expect(JSON.stringify(fake.requests.at(-1)?.json())).toContain('"3:2"');
  });

  it('sends reference images as inline parts after the prompt and leaves the ratio to the input for auto-sized edits', async () => {
    fake.enqueue({ kind: 'json', body: imageAnswer() });
    const image = { data: pngBytes, mimeType: 'image/png', width: 1024, height: 1024 };
    await provider().edit(call('gemini-3-pro-image', { prompt: 'make it night', images: [image, { ...image, mimeType: 'image/png' }] }));
    const body = fake.requests.at(-1)?.json() as { contents: Array<{ parts: unknown[] }>; generationConfig: Record<string, unknown> };
    expect(body.contents[0]?.parts).toEqual([
      { text: 'make it night' },
      { inlineData: { mimeType: 'image/png', data: tinyPngBase64 } },
      { inlineData: { mimeType: 'image/png', data: tinyPngBase64 } },
    ]);
    expect(body.generationConfig['imageConfig']).toEqual({ imageSize: '1K' });
  });

  it('skips thought parts (a reasoning model’s draft image) and keeps the final image', async () => {
    const draft = Buffer.from(pngBytes).toString('base64');
    fake.enqueue({
      kind: 'json',
      body: imageAnswer([
        { text: 'planning', thought: true },
        { inlineData: { mimeType: 'image/png', data: draft }, thought: true },
        { inlineData: { mimeType: 'image/png', data: tinyPngBase64 } },
      ]),
    });
    const result = await provider().generate(call('gemini-3-pro-image', { prompt: 'x' }));
    expect(result.images).toHaveLength(1);
  });

  it('computes the cost from the tier price plus input tokens', async () => {
    fake.enqueue({ kind: 'json', body: imageAnswer() });
    const planned = call('gemini-3-pro-image', { prompt: 'x', size: '1536x1024' });
    const result = await provider().generate(planned);
    // 2K image $0.134 + 40 text tokens and 560 image tokens at $2 per million.
    expect(result.costUsd).toBeCloseTo(0.134 + (600 * 2) / 1_000_000, 6);
    expect(result.usage).toMatchObject({ inputTextTokens: 40, inputImageTokens: 560, outputTokens: 1130 });
    expect(estimateCost(model('gemini-3-pro-image'), planned)).toBeGreaterThanOrEqual(0.134);
  });

  it('estimates an unsized edit at the tier the call will use: the one of the input image', async () => {
    fake.enqueue({ kind: 'json', body: imageAnswer() });
    const input = { data: pngBytes, mimeType: 'image/png', width: 2048, height: 2048 };
    const planned = call('gemini-nano-banana-2.1', { prompt: 'make it dusk', images: [input] });
    expect(planned.size).toBe('auto');
    const result = await provider().edit(planned);
    const sentTier = (fake.requests.at(-1)?.json()['generationConfig'] as { imageConfig?: { imageSize?: string } }).imageConfig?.imageSize;
    expect(sentTier).toBe('2K');
    const estimate = estimateCost(model('gemini-nano-banana-2.1'), planned) ?? 0;
    // The estimate may leave out the input tokens, never the tier price.
    expect(estimate).toBeGreaterThanOrEqual(0.1134);
    expect(estimate).toBeLessThanOrEqual(result.costUsd ?? 0);
  });

  it('turns a blocked prompt into content_blocked at the input stage', async () => {
    fake.enqueue({ kind: 'json', body: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 5 } } });
    await expect(provider().generate(call('gemini-3-pro-image', { prompt: 'x' }))).rejects.toMatchObject({
      code: 'content_blocked',
      retryable: false,
      details: expect.objectContaining({ stage: 'input', reason: 'PROHIBITED_CONTENT' }),
    });
  });

  it.each(['IMAGE_SAFETY', 'PROHIBITED_CONTENT', 'SAFETY'])(
    'turns finish reason %s into content_blocked at the output stage',
    async (finishReason) => {
      fake.enqueue({ kind: 'json', body: { candidates: [{ finishReason }] } });
      await expect(provider().generate(call('gemini-3-pro-image', { prompt: 'x' }))).rejects.toMatchObject({
        code: 'content_blocked',
        retryable: false,
        details: expect.objectContaining({ stage: 'output', reason: finishReason }),
      });
    },
  );

  it('turns an answer without an image into a non-retryable error quoting the model', async () => {
    fake.enqueue({
      kind: 'json',
      body: { candidates: [{ content: { parts: [{ text: 'I cannot draw that.' }] }, finishReason: 'NO_IMAGE' }] },
    });
    const failure = provider().generate(call('gemini-3-pro-image', { prompt: 'x' }));
    await expect(failure).rejects.toMatchObject({ code: 'upstream_error', retryable: false });
    await expect(failure).rejects.toThrow(/NO_IMAGE.*I cannot draw that/);
  });

  it('reads RetryInfo from a 429 as retryAfterMs and marks it retryable', async () => {
    fake.enqueue({
      kind: 'json',
      status: 429,
      body: {
        error: {
          code: 429,
          message: 'Resource has been exhausted.',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }],
        },
      },
    });
    await expect(provider().generate(call('gemini-3-pro-image', { prompt: 'x' }))).rejects.toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
      statusCode: 429,
    });
  });

  it('falls back to a Retry-After header on a 503', async () => {
    fake.enqueue({
      kind: 'json',
      status: 503,
      headers: { 'retry-after': '3' },
      body: { error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } },
    });
    await expect(provider().generate(call('gemini-3-pro-image', { prompt: 'x' }))).rejects.toMatchObject({
      code: 'upstream_unavailable',
      retryable: true,
      retryAfterMs: 3000,
    });
  });

  it('names the setting to fix for an invalid key, without echoing the key', async () => {
    fake.enqueue({
      kind: 'json',
      status: 400,
      body: {
        error: {
          code: 400,
          message: `API key not valid. Please pass a valid API key. (${apiKey})`,
          status: 'INVALID_ARGUMENT',
          details: [{ reason: 'API_KEY_INVALID' }],
        },
      },
    });
    const failure = provider().generate(call('gemini-3-pro-image', { prompt: 'x' }));
    await expect(failure).rejects.toMatchObject({ code: 'authentication_failed', retryable: false });
    await expect(failure).rejects.toThrow(/PROVIDERS__GEMINI__API_KEY/);
    await expect(failure).rejects.not.toThrow(new RegExp(apiKey.slice(4, 20)));
  });

  it('maps 404 to model_not_found and other 400s to invalid_request with Google’s words', async () => {
    fake.enqueue({ kind: 'json', status: 404, body: { error: { code: 404, message: 'models/x is not found', status: 'NOT_FOUND' } } });
    await expect(provider().generate(call('gemini-3-pro-image', { prompt: 'x' }))).rejects.toMatchObject({ code: 'model_not_found' });
    fake.enqueue({
      kind: 'json',
      status: 400,
      body: { error: { code: 400, message: 'Unsupported aspect ratio', status: 'INVALID_ARGUMENT' } },
    });
    await expect(provider().generate(call('gemini-3-pro-image', { prompt: 'x' }))).rejects.toThrow(/Unsupported aspect ratio/);
  });

  it('stops the request when the caller aborts, and times out on its own deadline', async () => {
    fake.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const before = fake.requests.length;
    const pending = provider().generate(call('gemini-3-pro-image', { prompt: 'x' }, { signal: controller.signal }));
    await fake.waitForRequests(before + 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });

    fake.enqueue({ kind: 'hang' });
    await expect(provider({ timeoutMs: 100 }).generate(call('gemini-3-pro-image', { prompt: 'x' }))).rejects.toMatchObject({
      code: 'timeout',
      retryable: true,
    });
  });

  it('uses the Vertex AI express path with an API key', async () => {
    fake.enqueue({ kind: 'json', body: imageAnswer() });
    await provider({ vertexai: true }).generate(call('gemini-3-pro-image', { prompt: 'x' }));
    expect(fake.requests.at(-1)?.path).toBe('/v1beta1/publishers/google/models/gemini-3-pro-image:generateContent');
  });

  it('lists the models the key can use without the models/ prefix', async () => {
    fake.enqueue({ kind: 'json', body: { models: [{ name: 'models/gemini-3-pro-image' }, { name: 'models/gemini-2.5-flash' }] } });
    await expect(provider().listAvailableModels()).resolves.toEqual(['gemini-3-pro-image', 'gemini-2.5-flash']);
  });

  it('refuses to start without credentials, naming the setting', () => {
    expect(() => createGeminiProvider({})).toThrow(ImageGenError);
    expect(() => createGeminiProvider({})).toThrow(/PROVIDERS__GEMINI__API_KEY/);
    expect(() => createGeminiProvider({ vertexai: true })).toThrow(/PROVIDERS__GEMINI__PROJECT/);
  });
});

describe('Gemini provider: thinking level, grounding and multi-turn editing', () => {
  let fake: FakeOpenAIServer;
  let root: string;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    root = fake.baseUrl.replace(/\/v1$/, '');
  });
  afterAll(() => fake.close());
  const provider = () => createGeminiProvider({ apiKey, baseUrl: root, timeoutMs: 5_000 });
  const signedAnswer = (extra: Record<string, unknown> = {}) => ({
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { text: 'thinking it over', thought: true },
            { text: 'Here it is.', thoughtSignature: 'c2lnLXRleHQ=' },
            { inlineData: { mimeType: 'image/png', data: tinyPngBase64 }, thoughtSignature: 'c2lnLWltYWdl' },
          ],
        },
        finishReason: 'STOP',
        ...extra,
      },
    ],
    usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 1130, totalTokenCount: 1170 },
  });

  it('sends the thinking level as the SDK enum name and Google Search as a tool', async () => {
    fake.enqueue({ kind: 'json', body: signedAnswer() });
    await provider().generate(call('gemini-nano-banana-2.1', { prompt: 'x', thinkingLevel: 'high', searchGrounding: true }));
    const body = fake.requests.at(-1)?.json() as { generationConfig: Record<string, unknown>; tools?: unknown };
    expect(body.generationConfig['thinkingConfig']).toEqual({ thinkingLevel: 'HIGH' });
    expect(body.tools).toEqual([{ googleSearch: {} }]);
  });

  it('reports the answer parts with their signatures, without the thoughts, and the image by index', async () => {
    fake.enqueue({ kind: 'json', body: signedAnswer() });
    const result = await provider().generate(call('gemini-nano-banana-2.1', { prompt: 'x' }));
    expect(result.answerParts).toEqual([
      { text: 'Here it is.', thoughtSignature: 'c2lnLXRleHQ=' },
      { imageIndex: 0, thoughtSignature: 'c2lnLWltYWdl' },
    ]);
  });

  it('sends the earlier turns before the new one with every signature unchanged', async () => {
    fake.enqueue({ kind: 'json', body: signedAnswer() });
    const image = { data: pngBytes, mimeType: 'image/png', width: 1024, height: 1024 };
    const conversation = [
      { role: 'user' as const, parts: [{ text: 'a lighthouse' }] },
      {
        role: 'model' as const,
        parts: [
          { text: 'Here it is.', thoughtSignature: 'c2lnLXRleHQ=' },
          { image, thoughtSignature: 'c2lnLWltYWdl' },
        ],
      },
    ];
    await provider().edit(call('gemini-nano-banana-2.1', { prompt: 'make it stormy', images: [image, image], conversation }));
    const body = fake.requests.at(-1)?.json() as { contents: unknown[] };
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'a lighthouse' }] },
      {
        role: 'model',
        parts: [
          { text: 'Here it is.', thoughtSignature: 'c2lnLXRleHQ=' },
          { inlineData: { mimeType: 'image/png', data: tinyPngBase64 }, thoughtSignature: 'c2lnLWltYWdl' },
        ],
      },
      { role: 'user', parts: [{ text: 'make it stormy' }, { inlineData: { mimeType: 'image/png', data: tinyPngBase64 } }] },
    ]);
  });

  it('reads the grounding sources and bills each search query on top of the image', async () => {
    const groundingMetadata = {
      webSearchQueries: ['lisbon weather today', 'lisbon forecast'],
      groundingChunks: [{ web: { uri: 'https://example.com/a', title: 'example.com' } }, { retrievedContext: {} }],
    };
    fake.enqueue({ kind: 'json', body: signedAnswer({ groundingMetadata }) });
    const result = await provider().generate(call('gemini-nano-banana-2.1', { prompt: 'x', searchGrounding: true }));
    expect(result.grounding).toEqual({
      searchQueries: ['lisbon weather today', 'lisbon forecast'],
      sources: [{ uri: 'https://example.com/a', title: 'example.com' }],
    });
    expect(result.usage?.searchQueries).toBe(2);
    // 1K image $0.0336 + 40 text tokens at $0.5 per million + 2 queries at $0.014.
    expect(result.costUsd).toBeCloseTo(0.0336 + (40 * 0.5) / 1_000_000 + 2 * 0.014, 6);
  });
});
