import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManualClock, createMemoryLogger, ImageGenError } from '@imagegen/common';
import type {
  ImageEditRequest,
  ImageGenerationRequest,
  ImageProvider,
  ModelDefinition,
  PartialImageEvent,
  ProviderCall,
} from '../contract';
import { openaiModels } from '../registry/openai-models';
import { planRequest } from '../validation/plan-request';
import { createOpenAIProvider, type OpenAIProviderSettings } from './openai-provider';
import {
  jpegBytes,
  pngBytes,
  startFakeOpenAIServer,
  tinyPngBase64,
  webpBytes,
  type FakeOpenAIServer,
} from './test-support/fake-openai-server';

const apiKey = 'sk-test-secret-key-1234567890';

function model(id: string): ModelDefinition {
  const found = openaiModels.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no built-in ${id}`);
  return found;
}

const usage = { input_tokens: 50, input_tokens_details: { text_tokens: 40, image_tokens: 10 }, output_tokens: 1056, total_tokens: 1106 };
const imageResponse = { created: 1, data: [{ b64_json: tinyPngBase64 }], output_format: 'png', usage };

function call(id: string, request: ImageGenerationRequest | ImageEditRequest, extra: Partial<ProviderCall> = {}): ProviderCall {
  return { ...planRequest(model(id), request).call, ...extra };
}

async function sentForm(index = 0): Promise<FormData> {
  const request = server.requests[index];
  if (request === undefined) throw new Error(`the server received no request #${index}`);
  return request.formData();
}

async function failure(promise: Promise<unknown>): Promise<ImageGenError> {
  try {
    await promise;
  } catch (error) {
    if (ImageGenError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

let server: FakeOpenAIServer;
let provider: ImageProvider;

function providerWith(settings: Partial<OpenAIProviderSettings> = {}): ImageProvider {
  return createOpenAIProvider({ apiKey, baseUrl: server.baseUrl, timeoutMs: 5000, ...settings });
}

beforeEach(async () => {
  server = await startFakeOpenAIServer();
  provider = providerWith();
});

afterEach(async () => {
  await server.close();
});

describe('generate', () => {
  it('posts the JSON body to /images/generations and returns the decoded image, usage, cost and request id', async () => {
    server.enqueue({ kind: 'json', body: imageResponse });
    const result = await provider.generate(
      call('gpt-image-2', {
        prompt: 'A red fox',
        n: 2,
        size: '1536x864',
        quality: 'medium',
        outputFormat: 'webp',
        compression: 70,
        moderation: 'low',
      }),
    );

    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/images/generations');
    expect(request?.headers['authorization']).toBe(`Bearer ${apiKey}`);
    expect(request?.json()).toEqual({
      model: 'gpt-image-2',
      prompt: 'A red fox',
      n: 2,
      size: '1536x864',
      quality: 'medium',
      output_format: 'webp',
      output_compression: 70,
      moderation: 'low',
    });
    expect(result.images).toEqual([{ data: pngBytes, mimeType: 'image/png' }]);
    expect(result.usage).toEqual({ inputTextTokens: 40, inputImageTokens: 10, outputTokens: 1056, totalTokens: 1106 });
    expect(result.costUsd).toBeCloseTo((40 * 5 + 10 * 8 + 1056 * 30) / 1e6, 9);
    expect(result.requestId).toBe('req_test_123');
    expect(result.warnings).toEqual([expect.objectContaining({ setting: 'n', type: 'other' })]);
  });

  it.each<[string, ImageGenerationRequest]>([
    ['style vivid', { prompt: 'p', style: 'vivid' }],
    ['style natural and dall-e quality', { prompt: 'p', style: 'natural', quality: 'hd' }],
    ['defaults only', { prompt: 'p' }],
  ])('never sends style or response_format to gpt-image-2, and always sends model (%s)', async (_name, request) => {
    server.enqueue({ kind: 'json', body: imageResponse });
    await provider.generate(call('gpt-image-2', request));
    const body = server.requests[0]?.json() ?? {};
    expect(body).toHaveProperty('model', 'gpt-image-2');
    expect(body).not.toHaveProperty('style');
    expect(body).not.toHaveProperty('response_format');
    if (request.style !== undefined) expect(String(body['prompt'])).toContain(`Style: ${request.style}`);
  });

  it('sends OpenAI provider options and refuses unknown ones before any request', async () => {
    server.enqueue({ kind: 'json', body: imageResponse });
    await provider.generate(call('gpt-image-2', { prompt: 'p', providerOptions: { openai: { safety_identifier: 'user-42' } } }));
    expect(server.requests[0]?.json()).toMatchObject({ safety_identifier: 'user-42', model: 'gpt-image-2' });

    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p', providerOptions: { openai: { seed: 7 } } })));
    expect(error.code).toBe('invalid_request');
    expect(error.details).toMatchObject({ setting: 'providerOptions.openai.seed', allowed: ['safety_identifier', 'user'] });
    expect(server.requests).toHaveLength(1);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty'])('refuses an OpenAI option named %s as unknown', async (name) => {
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p', providerOptions: { openai: { [name]: 'x' } } })));
    expect(error).toMatchObject({ code: 'invalid_request', details: { setting: `providerOptions.openai.${name}` } });
    expect(server.requests).toHaveLength(0);
  });

  it('passes through an option a configuration override declared for the model', async () => {
    server.enqueue({ kind: 'json', body: imageResponse });
    const base = model('gpt-image-2');
    const extended: ModelDefinition = { ...base, capabilities: { ...base.capabilities, extraProviderOptions: ['new_param'] } };
    await provider.generate({ ...planRequest(extended, { prompt: 'p', providerOptions: { openai: { new_param: 'on' } } }).call });
    expect(server.requests[0]?.json()).toMatchObject({ new_param: 'on', model: 'gpt-image-2' });
  });

  it('refuses to build a client without a key', () => {
    expect(() => createOpenAIProvider({ apiKey: ' ' })).toThrow(expect.objectContaining({ code: 'provider_not_configured' }));
  });
});

describe('edit', () => {
  it('sends three images and a mask as multipart parts with their own types and names', async () => {
    server.enqueue({ kind: 'json', body: imageResponse });
    const images = [
      { data: pngBytes, mimeType: 'image/png', width: 1024, height: 1024 },
      { data: jpegBytes, mimeType: 'image/jpeg', width: 800, height: 600 },
      { data: webpBytes, mimeType: 'image/webp', width: 640, height: 640 },
    ];
    const mask = { data: pngBytes, mimeType: 'image/png', width: 1024, height: 1024 };
    await provider.edit(
      call('gpt-image-2.5-sunburst', {
        prompt: 'Put them together',
        images,
        mask,
        inputFidelity: 'high',
        moderation: 'low',
        size: '1024x1024',
      }),
    );

    const request = server.requests[0];
    expect(request?.path).toBe('/v1/images/edits');
    expect(String(request?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    const form = await sentForm();
    const parts = form.getAll('image[]') as File[];
    expect(parts.map((part) => [part.name, part.type])).toEqual([
      ['image-1.png', 'image/png'],
      ['image-2.jpg', 'image/jpeg'],
      ['image-3.webp', 'image/webp'],
    ]);
    expect(new Uint8Array(await (parts[1] as File).arrayBuffer())).toEqual(jpegBytes);
    const maskPart = form.get('mask') as File;
    expect([maskPart.name, maskPart.type]).toEqual(['mask.png', 'image/png']);
    expect(form.get('model')).toBe('gpt-image-2.5-sunburst');
    expect(form.get('prompt')).toBe('Put them together');
    expect(form.get('input_fidelity')).toBe('high');
    expect(form.get('size')).toBe('1024x1024');
    expect(form.has('moderation')).toBe(false);
    expect(form.has('style')).toBe(false);
  });

  it('sends a single image as one `image` part', async () => {
    server.enqueue({ kind: 'json', body: imageResponse });
    await provider.edit(call('gpt-image-2', { prompt: 'p', images: [{ data: jpegBytes, mimeType: 'image/jpeg', width: 10, height: 10 }] }));
    const form = await sentForm();
    expect((form.get('image') as File).name).toBe('image-1.jpg');
    expect(form.has('image[]')).toBe(false);
    expect(form.has('input_fidelity')).toBe(false);
  });

  it('sends the markup overlay as a PNG file part on 2.6 edits', async () => {
    server.enqueue({ kind: 'json', body: imageResponse });
    const image = { data: pngBytes, mimeType: 'image/png', width: 1024, height: 1024 };
    await provider.edit(call('gpt-image-2.6-sunburst', { prompt: 'p', images: [image], markup: image, complexity: 'low' }));
    const form = await sentForm();
    const markup = form.get('markup') as File;
    expect(markup.name).toBe('markup.png');
    expect(markup.type).toBe('image/png');
    expect(form.get('complexity')).toBe('low');
    expect(form.has('mask')).toBe(false);
  });
});

describe('late-2026 abilities', () => {
  const gifBase64 = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(20, 1)]).toString('base64');
  const svgBase64 = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>').toString('base64');

  it('sends complexity, GIF frames and the safety identifier and returns the GIF bytes', async () => {
    server.enqueue({ kind: 'json', body: { ...imageResponse, data: [{ b64_json: gifBase64 }], output_format: 'gif' } });
    const result = await provider.generate(
      call('gpt-image-2.6-sunburst', {
        prompt: 'a bouncing ball',
        outputFormat: 'gif',
        frameCount: 4,
        frameDurationMs: 120,
        complexity: 'medium',
        safetyIdentifier: 'hash-of-user',
      }),
    );
    expect(server.requests[0]?.json()).toMatchObject({
      output_format: 'gif',
      frame_count: 4,
      frame_duration_ms: 120,
      complexity: 'medium',
      safety_identifier: 'hash-of-user',
    });
    expect(result.images[0]?.mimeType).toBe('image/gif');
  });

  it('counts the SVG author’s tokens from svg_usage in the cost, and says so', async () => {
    const svgUsage = { input_tokens: 1000, output_tokens: 2000, reasoning_tokens: 500, total_tokens: 3000, model: 'svg-author' };
    server.enqueue({
      kind: 'json',
      body: { ...imageResponse, data: [{ b64_json: svgBase64 }], output_format: 'svg', svg_usage: svgUsage },
    });
    const result = await provider.generate(call('gpt-image-2.6-sunburst', { prompt: 'a logo', outputFormat: 'svg' }));
    expect(result.images[0]?.mimeType).toBe('image/svg+xml');
    expect(result.usage?.svgAuthoring).toEqual({ model: 'svg-author', inputTokens: 1000, outputTokens: 2000 });
    const renderUsd = (40 * 5 + 10 * 8 + 1056 * 30) / 1e6;
    expect(result.costUsd).toBeCloseTo(renderUsd + (1000 * 5 + 2000 * 30) / 1e6, 9);
    expect(result.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ setting: 'cost' })]));
  });

  it('warns when a transparent background in preview came back opaque', async () => {
    server.enqueue({ kind: 'json', body: { ...imageResponse, background: 'opaque' } });
    const result = await provider.generate(call('gpt-image-2', { prompt: 'a sticker', background: 'transparent' }));
    expect(server.requests[0]?.json()).toMatchObject({ background: 'transparent' });
    expect(result.warnings).toEqual(
      expect.arrayContaining([expect.objectContaining({ setting: 'background', message: expect.stringContaining('opaque') })]),
    );
  });
});

describe('streaming', () => {
  it('delivers partial images in order and takes the final image and usage from the completed event', async () => {
    const partial = (index: number) => ({
      event: 'image_generation.partial_image',
      data: { type: 'image_generation.partial_image', b64_json: tinyPngBase64, partial_image_index: index, output_format: 'png' },
    });
    server.enqueue({
      kind: 'sse',
      delayMs: 5,
      events: [
        partial(0),
        partial(1),
        partial(2),
        { event: 'image_generation.completed', data: { type: 'image_generation.completed', b64_json: tinyPngBase64, usage } },
      ],
    });
    const partials: PartialImageEvent[] = [];
    const result = await provider.generate(
      call('gpt-image-2', { prompt: 'p', partialImages: 3 }, { onPartialImage: (event) => partials.push(event) }),
    );
    expect(server.requests[0]?.json()).toMatchObject({ stream: true, partial_images: 3, model: 'gpt-image-2' });
    expect(partials.map((event) => [event.imageIndex, event.partialIndex, event.mimeType])).toEqual([
      [0, 0, 'image/png'],
      [0, 1, 'image/png'],
      [0, 2, 'image/png'],
    ]);
    expect(result.images).toEqual([{ data: pngBytes, mimeType: 'image/png' }]);
    expect(result.usage?.outputTokens).toBe(1056);
    expect(result.requestId).toBe('req_stream_456');
  });

  it('streams edits through the image_edit events', async () => {
    server.enqueue({
      kind: 'sse',
      events: [
        { event: 'image_edit.partial_image', data: { type: 'image_edit.partial_image', b64_json: tinyPngBase64, partial_image_index: 0 } },
        { event: 'image_edit.completed', data: { type: 'image_edit.completed', b64_json: tinyPngBase64, usage } },
      ],
    });
    const partials: PartialImageEvent[] = [];
    const image = { data: pngBytes, mimeType: 'image/png', width: 1024, height: 1024 };
    const result = await provider.edit(
      call('gpt-image-2', { prompt: 'p', images: [image], partialImages: 1 }, { onPartialImage: (event) => partials.push(event) }),
    );
    expect((await sentForm()).get('stream')).toBe('true');
    expect(partials).toHaveLength(1);
    expect(result.images).toHaveLength(1);
  });

  it('maps an error event inside the stream', async () => {
    server.enqueue({
      kind: 'sse',
      events: [
        {
          event: 'error',
          data: { type: 'error', error: { message: 'Your request was rejected by the safety system.', code: 'moderation_blocked' } },
        },
      ],
    });
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p', partialImages: 1 })));
    expect(error.code).toBe('content_blocked');
    expect(error.retryable).toBe(false);
  });

  it('turns an abort in the middle of the stream into cancelled', async () => {
    const controller = new AbortController();
    server.enqueue({
      kind: 'sse',
      holdOpen: true,
      events: [
        {
          event: 'image_generation.partial_image',
          data: { type: 'image_generation.partial_image', b64_json: tinyPngBase64, partial_image_index: 0 },
        },
      ],
    });
    const running = provider.generate(
      call('gpt-image-2', { prompt: 'p', partialImages: 2 }, { signal: controller.signal, onPartialImage: () => controller.abort() }),
    );
    expect((await failure(running)).code).toBe('cancelled');
  });
});

describe('error mapping', () => {
  const vendorError = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) =>
    ({ kind: 'json', status, body: { error: { type: 'invalid_request_error', param: null, ...error } }, headers }) as const;

  it('maps 401 to authentication_failed without echoing the key', async () => {
    server.enqueue(vendorError(401, { message: `Incorrect API key provided: ${apiKey.slice(0, 8)}****7890.`, code: 'invalid_api_key' }));
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'authentication_failed', statusCode: 401, requestId: 'req_test_123', retryable: false });
    expect(error.message).toContain('PROVIDERS__OPENAI__API_KEY');
    expect(JSON.stringify(error.toJSON())).not.toContain('sk-');
  });

  it('masks key-shaped text in vendor messages that are passed on', async () => {
    server.enqueue(vendorError(400, { message: `Bad value near sk-proj-abcdef123456`, code: 'invalid_value', param: 'size' }));
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error.message).not.toContain('abcdef123456');
  });

  it('maps 403 to permission_denied, mentioning organization verification', async () => {
    server.enqueue(vendorError(403, { message: 'Your organization must be verified to use the model `gpt-image-2`.' }));
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error.code).toBe('permission_denied');
    expect(error.message).toMatch(/organization verification/);
  });

  it('maps a 404 about the model to model_not_found', async () => {
    server.enqueue(vendorError(404, { message: 'The model `gpt-image-2` does not exist.', code: 'model_not_found', param: 'model' }));
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'model_not_found', details: expect.objectContaining({ model: 'gpt-image-2' }) });
  });

  it.each([
    ['input', 'prompt', 'the prompt'],
    ['output', 'image', 'the generated image'],
    [undefined, 'unknown', 'this request'],
  ])('maps moderation_blocked at stage %s to content_blocked (%s)', async (vendorStage, stage, subject) => {
    server.enqueue(
      vendorError(400, {
        type: 'image_generation_user_error',
        message: 'Your request was rejected by the safety system.',
        code: 'moderation_blocked',
        ...(vendorStage === undefined ? {} : { moderation_details: { moderation_stage: vendorStage, categories: ['violence'] } }),
      }),
    );
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'content_blocked', retryable: false, details: expect.objectContaining({ stage }) });
    expect(error.message).toContain(subject);
  });

  it('maps another 400 to invalid_request carrying the vendor message and parameter', async () => {
    server.enqueue(
      vendorError(400, { message: "Invalid value: 'sideways'. Supported values are: 'auto'.", param: 'background', code: 'invalid_value' }),
    );
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'invalid_request', details: expect.objectContaining({ setting: 'background' }) });
    expect(error.message).toContain("Invalid value: 'sideways'");
  });

  it.each([
    [{ 'retry-after-ms': '1500' }, 1500],
    [{ 'retry-after': '20' }, 20_000],
    [{ 'retry-after': 'Wed, 25 Nov 2026 12:00:45 GMT' }, 45_000],
  ])('maps 429 to retryable rate_limited with the wait from %j', async (headers, expected) => {
    const clocked = providerWith({ clock: createManualClock(new Date('2026-11-25T12:00:00Z')) });
    server.enqueue(vendorError(429, { message: 'Rate limit reached for images per minute.', code: 'rate_limit_exceeded' }, headers));
    const error = await failure(clocked.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: expected, statusCode: 429 });
  });

  it('maps an exhausted quota to a rate_limited error that is not retried', async () => {
    server.enqueue(vendorError(429, { message: 'You exceeded your current quota.', code: 'insufficient_quota' }));
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'rate_limited', retryable: false });
    expect(error.message).toContain('Billing');
  });

  it.each([408, 409, 500, 503])('maps %i to retryable upstream_unavailable', async (status) => {
    server.enqueue(vendorError(status, { message: 'The server had an error.' }));
    const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'upstream_unavailable', retryable: true, statusCode: status });
  });

  it('maps an unreachable server to retryable upstream_unavailable', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const unreachable = createOpenAIProvider({ apiKey, baseUrl: `http://127.0.0.1:${closedPort}/v1` });
    const error = await failure(unreachable.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('maps a missed deadline to retryable timeout', async () => {
    server.enqueue({ kind: 'hang' });
    const impatient = providerWith({ timeoutMs: 150 });
    const error = await failure(impatient.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('maps a response without b64_json, or with bytes that are not an image, to upstream_error', async () => {
    server.enqueue({ kind: 'json', body: { created: 1, data: [{ url: 'https://example.invalid/x.png' }] } });
    server.enqueue({ kind: 'json', body: { created: 1, data: [{ b64_json: Buffer.from('not an image').toString('base64') }] } });
    server.enqueue({ kind: 'raw', status: 200, body: '<html>proxy page</html>', contentType: 'text/html' });
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
      expect(error).toMatchObject({ code: 'upstream_error', retryable: false });
    }
  });

  it.each([
    ['application/json', '<html><body>Gateway login required</body></html>'],
    ['text/html', '<html><body>Gateway login required</body></html>'],
    ['application/json', '{"data": [{"b64_json": "trunc'],
  ])('maps a 200 answer of type %s whose body is not JSON to upstream_error, and logs what came back', async (contentType, body) => {
    const logger = createMemoryLogger();
    server.enqueue({ kind: 'raw', status: 200, body, contentType });
    const error = await failure(providerWith({ logger }).generate(call('gpt-image-2', { prompt: 'p' })));
    expect(error).toMatchObject({ code: 'upstream_error', retryable: false, provider: 'openai' });
    expect(error.message).toMatch(/not JSON/);
    const logged = logger.lines.find((line) => line.message.includes('not JSON'));
    expect(logged).toMatchObject({
      level: 'warn',
      fields: { statusCode: 200, contentType, bodyStart: expect.stringContaining(body.slice(0, 20)) },
    });
    expect(JSON.stringify(logger.lines)).not.toContain(apiKey);
  });

  it('keeps the request id on malformed answers', async () => {
    server.enqueue({ kind: 'json', body: { created: 1, data: [] } });
    expect((await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })))).requestId).toBe('req_test_123');
  });
});

describe('cancellation and retries', () => {
  it('turns an abort during the request into cancelled, promptly', async () => {
    server.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const running = provider.generate(call('gpt-image-2', { prompt: 'p' }, { signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    const error = await failure(running);
    expect(error.code).toBe('cancelled');
  });

  it('does not send anything when the signal already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failure(provider.generate(call('gpt-image-2', { prompt: 'p' }, { signal: controller.signal })))).code).toBe('cancelled');
    expect(server.requests).toHaveLength(0);
  });

  it('leaves retries to the engine: a 500 is seen by the server once', async () => {
    server.enqueue({ kind: 'json', status: 500, body: { error: { message: 'boom' } } }, { kind: 'json', body: imageResponse });
    await failure(provider.generate(call('gpt-image-2', { prompt: 'p' })));
    expect(server.requests).toHaveLength(1);
  });

  it('logs failures without the prompt or the key', async () => {
    const logger = createMemoryLogger();
    const logged = providerWith({ logger });
    server.enqueue({ kind: 'json', status: 503, body: { error: { message: 'busy' } } });
    await failure(logged.generate(call('gpt-image-2', { prompt: 'a secret plan' })));
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ code: 'upstream_unavailable' }) }),
    ]);
    expect(JSON.stringify(logger.lines)).not.toMatch(/secret plan|sk-test/);
  });
});

describe('listAvailableModels', () => {
  it('returns the ids the key can use', async () => {
    server.enqueue({
      kind: 'json',
      body: {
        object: 'list',
        data: [
          { id: 'gpt-image-2', object: 'model', created: 1, owned_by: 'openai' },
          { id: 'gpt-4.1', object: 'model', created: 1, owned_by: 'openai' },
        ],
      },
    });
    await expect(provider.listAvailableModels()).resolves.toEqual(['gpt-image-2', 'gpt-4.1']);
    expect(server.requests[0]?.path).toBe('/v1/models');
  });

  it('maps failures like the image calls', async () => {
    server.enqueue({ kind: 'json', status: 401, body: { error: { message: 'Incorrect API key provided.' } } });
    expect((await failure(provider.listAvailableModels())).code).toBe('authentication_failed');
  });

  it('blames the base URL, not a model, for a 404 on the model list', async () => {
    server.enqueue({ kind: 'json', status: 404, body: { error: { message: 'Not found' } } });
    const error = await failure(provider.listAvailableModels());
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('BASE_URL');
  });
});
