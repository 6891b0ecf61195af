/** The fake's Gemini routes through the real `@google/genai` SDK, as other teams will use them. */
import { ApiError, GoogleGenAI } from '@google/genai';
import sharp from 'sharp';
import { createFakeProviderServer, type FakeOpenAIServer } from './fake-openai-server';
import { createTestImage } from './test-images';

const apiKey = 'AIzaFakeKey0123456789';

describe('fake provider server, Gemini wire format', () => {
  let fake: FakeOpenAIServer;
  let ai: GoogleGenAI;

  beforeAll(async () => {
    fake = await createFakeProviderServer();
    ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.url, fetch: globalThis.fetch } });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.clearFaults());

  const generate = (model: string, imageConfig: Record<string, unknown> = {}, client = ai) =>
    client.models.generateContent({
      model,
      contents: [{ role: 'user', parts: [{ text: 'a red fox in the snow' }] }],
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig },
    });

  const finalImage = (response: Awaited<ReturnType<typeof generate>>) => {
    const part = response.candidates?.[0]?.content?.parts?.find((candidate) => candidate.inlineData && candidate.thought !== true);
    return Buffer.from(part?.inlineData?.data ?? '', 'base64');
  };

  it.each([
    ['gemini-nano-banana-2.1', '3:2', '1K', 1248, 832],
    ['gemini-nano-banana-2.1', '2:3', '2K', 1664, 2496],
    ['gemini-nano-banana-2.1', '1:1', '1K', 1024, 1024],
    ['gemini-3-pro-image', '1:1', '1K', 1024, 1024],
    ['gemini-3.1-flash-lite-image', '16:9', '512', 672, 384],
  ])('answers %s at %s %s with a real %dx%d PNG', async (model, aspectRatio, imageSize, width, height) => {
    const response = await generate(model, { aspectRatio, imageSize });
    const facts = await sharp(finalImage(response)).metadata();
    expect([facts.format, facts.width, facts.height]).toEqual(['png', width, height]);
    expect(response.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('shows a reasoning model’s thoughts as thought parts before the answer', async () => {
    const response = await generate('gemini-3-pro-image');
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    expect(parts.filter((part) => part.thought === true).length).toBeGreaterThanOrEqual(1);
    expect(parts.at(-1)?.thought).toBeUndefined();
    expect(response.usageMetadata?.thoughtsTokenCount).toBeGreaterThan(0);
  });

  it('counts reference images in the prompt tokens', async () => {
    const reference = (await createTestImage({ width: 256, height: 256 })).toString('base64');
    const response = await ai.models.generateContent({
      model: 'gemini-nano-banana-2.1',
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'make it night' },
            { inlineData: { mimeType: 'image/png', data: reference } },
            { inlineData: { mimeType: 'image/png', data: reference } },
          ],
        },
      ],
      config: { responseModalities: ['TEXT', 'IMAGE'] },
    });
    const details = response.usageMetadata?.promptTokensDetails ?? [];
    expect(details.find((detail) => detail.modality === 'IMAGE')?.tokenCount).toBe(1120);
  });

  it.each([
    ['gemini-nano-banana-2.1', { aspectRatio: '16:10' }, 400, /Unsupported aspect ratio/],
    ['gemini-3-pro-image', { imageSize: '2k' }, 400, /Unsupported image size/],
    ['gemini-3-pro-image', { imageSize: '512' }, 400, /Unsupported image size/],
    ['gemini-3-pro-image', { aspectRatio: '1:8' }, 400, /Unsupported aspect ratio/],
    ['gemini-nano-banana-2.1', { imageSize: '512' }, 400, /Unsupported image size/],
    ['gemini-3.1-flash-image', {}, 404, /not found/],
    ['imagen-4', {}, 404, /not found/],
    ['gemini-2.5-flash-image', {}, 404, /not found/],
    ['no-such-model', {}, 404, /not found/],
  ])('refuses %s with %j like the real API', async (model, imageConfig, status, message) => {
    const failure = generate(model, imageConfig);
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status });
    await expect(failure).rejects.toThrow(message);
  });

  it('refuses Vertex-only image settings on the Gemini API and takes them on Vertex AI', async () => {
    const body = {
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      generationConfig: { imageConfig: { outputMimeType: 'image/jpeg' } },
    };
    const post = (path: string) =>
      fetch(`${fake.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey },
        body: JSON.stringify(body),
      });
    const gemini = await post('/v1beta/models/gemini-3-pro-image:generateContent');
    expect(gemini.status).toBe(400);
    expect(((await gemini.json()) as { error: { message: string } }).error.message).toMatch(/Unknown name "outputMimeType"/);
    expect((await post('/v1beta1/publishers/google/models/gemini-3-pro-image:generateContent')).status).toBe(200);
  });

  it('serves the v1 path the SDK calls by default, the older v1beta path, the Vertex express path and the project path', async () => {
    const sdkDefault = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.url, fetch: globalThis.fetch } });
    await expect(generate('gemini-nano-banana-2.1', {}, sdkDefault)).resolves.toBeDefined();
    const v1beta = new GoogleGenAI({ apiKey, apiVersion: 'v1beta', httpOptions: { baseUrl: fake.url, fetch: globalThis.fetch } });
    await expect(generate('gemini-nano-banana-2.1', {}, v1beta)).resolves.toBeDefined();
    const vertex = new GoogleGenAI({ vertexai: true, apiKey, httpOptions: { baseUrl: fake.url, fetch: globalThis.fetch } });
    await expect(generate('gemini-nano-banana-2.1', {}, vertex)).resolves.toBeDefined();
    expect(fake.requests.slice(-3).map((request) => request.path)).toEqual([
      '/v1/models/gemini-nano-banana-2.1:generateContent',
      '/v1beta/models/gemini-nano-banana-2.1:generateContent',
      '/v1beta1/publishers/google/models/gemini-nano-banana-2.1:generateContent',
    ]);
    const project = await fetch(
      `${fake.url}/v1/projects/p/locations/us-central1/publishers/google/models/gemini-3-pro-image:generateContent`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ya29.token' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
      },
    );
    expect(project.status).toBe(200);
  });

  it('refuses a bad key with API_KEY_INVALID and a missing key with 403', async () => {
    const stranger = new GoogleGenAI({ apiKey: 'wrong', httpOptions: { baseUrl: fake.url, fetch: globalThis.fetch } });
    const failure = generate('gemini-3-pro-image', {}, stranger);
    await expect(failure).rejects.toMatchObject({ status: 400 });
    await expect(failure).rejects.toThrow(/API_KEY_INVALID/);
    const anonymous = await fetch(`${fake.url}/v1beta/models/gemini-3-pro-image:generateContent`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(403);
  });

  it('lists the models a key can use', async () => {
    const names: string[] = [];
    for await (const model of await ai.models.list()) names.push(model.name ?? '');
    expect(names).toContain('models/gemini-3-pro-image');
    expect(names).not.toContain('models/imagen-4');
  });

  it('injects the Gemini outcomes: blocked prompt, withheld image, no image, 429 with RetryInfo, 503', async () => {
    fake.injectFault({ kind: 'prompt_blocked' });
    expect((await generate('gemini-3-pro-image')).promptFeedback?.blockReason).toBe('PROHIBITED_CONTENT');
    fake.injectFault({ kind: 'moderation_blocked' });
    expect((await generate('gemini-3-pro-image')).candidates?.[0]?.finishReason).toBe('IMAGE_SAFETY');
    fake.injectFault({ kind: 'no_image', text: 'I can only describe it.' });
    const noImage = await generate('gemini-3-pro-image');
    expect([noImage.candidates?.[0]?.finishReason, noImage.text]).toEqual(['NO_IMAGE', 'I can only describe it.']);
    fake.injectFault({ kind: 'rate_limit', retryAfterSeconds: 2 });
    await expect(generate('gemini-3-pro-image')).rejects.toThrow(/RESOURCE_EXHAUSTED.*retryDelay.*2s/);
    fake.injectFault({ kind: 'server_error', status: 503 });
    await expect(generate('gemini-3-pro-image')).rejects.toMatchObject({ status: 503 });
    await expect(generate('gemini-3-pro-image')).resolves.toBeDefined();
  });

  describe('multi-turn editing, grounding and thinking', () => {
    const turn = (text: string) => ({ role: 'user', parts: [{ text }] });
    const first = () =>
      ai.models.generateContent({
        model: 'gemini-nano-banana-2.1',
        contents: [turn('a lighthouse at dusk')],
        config: { responseModalities: ['TEXT', 'IMAGE'] },
      });
    const answerParts = (response: Awaited<ReturnType<typeof first>>) =>
      (response.candidates?.[0]?.content?.parts ?? []).filter((part) => part.thought !== true);

    it('signs the answer parts and takes them back, signatures intact, as the model turn of a follow-up', async () => {
      const parts = answerParts(await first());
      expect(parts.every((part) => typeof part.thoughtSignature === 'string')).toBe(true);
      const followUp = await ai.models.generateContent({
        model: 'gemini-nano-banana-2.1',
        contents: [turn('a lighthouse at dusk'), { role: 'model', parts }, turn('now make it stormy')],
        config: { responseModalities: ['TEXT', 'IMAGE'] },
      });
      expect(answerParts(followUp).some((part) => part.inlineData)).toBe(true);
    });

    it.each([
      [
        'without the signature',
        (parts: Array<Record<string, unknown>>) => parts.map(({ thoughtSignature: _dropped, ...part }) => part),
        /missing a thought_signature/,
      ],
      [
        'with an altered signature',
        (parts: Array<Record<string, unknown>>) => parts.map((part) => ({ ...part, thoughtSignature: 'AAAA' })),
        /Invalid thought_signature/,
      ],
    ])('answers a follow-up turn %s with the 400 the real API gives', async (_label, change, message) => {
      const parts = change(answerParts(await first()) as Array<Record<string, unknown>>);
      const failure = ai.models.generateContent({
        model: 'gemini-nano-banana-2.1',
        contents: [turn('a lighthouse at dusk'), { role: 'model', parts }, turn('now make it stormy')],
      });
      await expect(failure).rejects.toMatchObject({ status: 400 });
      await expect(failure).rejects.toThrow(message);
    });

    it('refuses a signature another model issued', async () => {
      const parts = answerParts(await first());
      const failure = ai.models.generateContent({
        model: 'gemini-3-pro-image',
        contents: [turn('a lighthouse at dusk'), { role: 'model', parts }, turn('now make it stormy')],
      });
      await expect(failure).rejects.toThrow(/not issued by models\/gemini-3-pro-image/);
    });

    it('grounds with Google Search on the models that support it and returns the sources', async () => {
      const response = await ai.models.generateContent({
        model: 'gemini-3-pro-image',
        contents: [turn('the weather in Lisbon today as a poster')],
        config: { responseModalities: ['TEXT', 'IMAGE'], tools: [{ googleSearch: {} }] },
      });
      const grounding = response.candidates?.[0]?.groundingMetadata;
      expect(grounding?.webSearchQueries?.length).toBeGreaterThan(0);
      expect(grounding?.groundingChunks?.[0]?.web?.uri).toMatch(/^https:\/\//);
      const refused = ai.models.generateContent({
        model: 'gemini-3.1-flash-lite-image',
        contents: [turn('x')],
        config: { tools: [{ googleSearch: {} }] },
      });
      await expect(refused).rejects.toThrow(/Search as tool is not enabled/);
    });

    it.each([
      ['gemini-nano-banana-2.1', 'MINIMAL', 200],
      ['gemini-nano-banana-2.1', 'high', 200],
      ['gemini-nano-banana-2.1', 'MEDIUM', 400],
      ['gemini-3-pro-image', 'HIGH', 400],
    ])('answers %s asked for thinking level %s with %d (only models with levels take one)', async (model, thinkingLevel, status) => {
      const answer = fetch(`${fake.url}/v1/models/${model}:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey },
        body: JSON.stringify({ contents: [turn('x')], generationConfig: { thinkingConfig: { thinkingLevel } } }),
      });
      expect((await answer).status).toBe(status);
    });
  });
});
