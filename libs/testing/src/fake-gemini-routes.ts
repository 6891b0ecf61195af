import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import sharp from 'sharp';
import type { FakeOpenAIFault, ReceivedRequest } from './fake-openai-server';
import { readBody } from './request-body';
import { fakeGeminiModelRules, geminiOutputSize, shutDownGeminiModels, type FakeGeminiModelRules } from './gemini-model-table';

/** What the Gemini routes borrow from the server they are mounted in. */
export interface GeminiRouteContext {
  /** The only key accepted; by default any key starting with `AIza`. */
  apiKey?: string;
  /** Simulated generation time, in milliseconds. */
  latencyMs?: number;
  /** Model ids the list endpoint returns; default every model the fake knows. */
  availableModels?: readonly string[];
  /** Takes the next queued fault, shared with the OpenAI routes. */
  takeFault(): FakeOpenAIFault | undefined;
  /** Waits, ending early (false) when the client goes away. */
  wait(milliseconds: number, response: http.ServerResponse): Promise<boolean>;
  /** A realistic PNG of the given size, varied by the prompt. */
  render(width: number, height: number, prompt: string): Promise<Buffer>;
}

/** A Google API error: `{"error":{"code","message","status","details"}}`. */
class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
    readonly details: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const generationConfigFields = new Set([
  'responseModalities',
  'imageConfig',
  'temperature',
  'topP',
  'topK',
  'candidateCount',
  'maxOutputTokens',
  'seed',
  'stopSequences',
  'thinkingConfig',
  'mediaResolution',
]);
const geminiImageConfigFields = new Set(['aspectRatio', 'imageSize']);
const vertexImageConfigFields = new Set(['aspectRatio', 'imageSize', 'personGeneration', 'outputMimeType', 'outputCompressionQuality']);
const inputMimeTypes = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);

/**
 * The Gemini routes: `POST /{v1,v1beta}/models/{model}:generateContent` (API key in `x-goog-api-key` or `?key=`;
 * `@google/genai` 3 calls `v1`, 2.x called `v1beta`),
 * Vertex AI express mode `POST /{v1,v1beta1}/publishers/google/models/{model}:generateContent` and the project form
 * `…/projects/{p}/locations/{l}/publishers/google/models/{model}:generateContent` (bearer token), and
 * `GET /v1/models` (with Gemini credentials; the same path without them is OpenAI's) and `/v1beta/models`. Returns false when the path is not a Gemini one.
 */
export async function handleGeminiRequest(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  url: URL,
  record: ReceivedRequest,
  context: GeminiRouteContext,
): Promise<boolean> {
  const generate =
    /^\/(v1|v1beta|v1beta1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?(publishers\/google\/)?models\/([^/:]+):generateContent$/.exec(
      url.pathname,
    );
  const listing =
    request.method === 'GET' && (url.pathname === '/v1beta/models' || (url.pathname === '/v1/models' && isGeminiAuth(request, url)));
  if (!generate && !listing) return false;
  try {
    if (listing) {
      authenticate(request, url, context, false);
      const ids = context.availableModels ?? [...Object.keys(fakeGeminiModelRules), 'gemini-2.5-flash', 'gemini-3-pro'];
      sendJson(response, 200, {
        models: ids.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          supportedGenerationMethods: ['generateContent', 'countTokens'],
        })),
      });
      return true;
    }
    if (request.method !== 'POST') throw new GoogleApiError(405, 'METHOD_NOT_ALLOWED', 'Only POST is allowed.');
    const [, version, publisherPath, modelId = ''] = generate ?? [];
    const vertex = publisherPath !== undefined;
    const text = (await readBody(request)).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new GoogleApiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.');
    }
    record.body = body;
    authenticate(request, url, context, vertex);
    if (vertex && version === 'v1beta')
      throw new GoogleApiError(404, 'NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`);
    const rules = rulesFor(decodeURIComponent(modelId), version ?? 'v1beta');
    const planned = validate(body, rules, vertex);
    if (context.latencyMs && !(await context.wait(context.latencyMs, response))) return true;
    const fault = context.takeFault();
    switch (fault?.kind) {
      case 'rate_limit': {
        const details: unknown[] = [];
        if (fault.retryAfterSeconds !== undefined)
          details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${fault.retryAfterSeconds}s` });
        throw new GoogleApiError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', details);
      }
      case 'server_error': {
        const status = fault.status ?? 500;
        throw new GoogleApiError(
          status,
          status === 503 ? 'UNAVAILABLE' : 'INTERNAL',
          status === 503 ? 'The model is overloaded. Please try again later.' : 'An internal error has occurred.',
        );
      }
      case 'moderation_blocked':
        sendJson(response, 200, answerWithout(modelId, 'IMAGE_SAFETY', planned.promptTokens));
        return true;
      case 'prompt_blocked':
        sendJson(response, 200, {
          promptFeedback: { blockReason: fault.blockReason ?? 'PROHIBITED_CONTENT' },
          usageMetadata: { promptTokenCount: planned.promptTokens, totalTokenCount: planned.promptTokens },
          modelVersion: modelId,
          responseId: responseId(),
        });
        return true;
      case 'no_image':
        sendJson(response, 200, answerWithout(modelId, fault.finishReason ?? 'NO_IMAGE', planned.promptTokens, fault.text));
        return true;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        response.end('{"candidates": [{"content": {"parts": [{"inlineData": ');
        return true;
      case 'disconnect':
        request.socket.destroy();
        return true;
      case 'delay':
        if (!(await context.wait(fault.delayMs, response))) return true;
        break;
      default:
        break;
    }
    await answerImage(response, modelId, rules, planned, context);
  } catch (error) {
    if (response.headersSent) {
      response.end();
    } else if (error instanceof GoogleApiError) {
      sendJson(
        response,
        error.code,
        {
          error: {
            code: error.code,
            message: error.message,
            status: error.status,
            ...(error.details.length ? { details: error.details } : {}),
          },
        },
        error.headers,
      );
    } else {
      sendJson(response, 500, { error: { code: 500, message: 'The fake server failed unexpectedly.', status: 'INTERNAL' } });
    }
  }
  return true;
}

interface PlannedGeminiCall {
  prompt: string;
  aspectRatio?: string;
  imageSize?: string;
  wantsImage: boolean;
  referenceImages: number;
  promptTokens: number;
}

function isGeminiAuth(request: http.IncomingMessage, url: URL): boolean {
  return request.headers['x-goog-api-key'] !== undefined || url.searchParams.has('key');
}

function authenticate(request: http.IncomingMessage, url: URL, context: GeminiRouteContext, vertex: boolean): void {
  const headerKey = request.headers['x-goog-api-key'];
  const key = (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? url.searchParams.get('key') ?? '';
  if (key === '') {
    // Vertex AI with Application Default Credentials sends an OAuth bearer token instead of a key.
    if (vertex && /^Bearer \S+/.test(request.headers.authorization ?? '')) return;
    throw new GoogleApiError(
      403,
      'PERMISSION_DENIED',
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  const valid = context.apiKey === undefined ? key.startsWith('AIza') && key.length > 8 : key === context.apiKey;
  if (!valid) {
    throw new GoogleApiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
    ]);
  }
}

function rulesFor(modelId: string, version: string): FakeGeminiModelRules {
  if (shutDownGeminiModels.includes(modelId) || !fakeGeminiModelRules[modelId]) {
    throw new GoogleApiError(
      404,
      'NOT_FOUND',
      `models/${modelId} is not found for API version ${version}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    );
  }
  return fakeGeminiModelRules[modelId] as FakeGeminiModelRules;
}

function validate(body: Record<string, unknown>, rules: FakeGeminiModelRules, vertex: boolean): PlannedGeminiCall {
  for (const field of Object.keys(body)) {
    if (!['contents', 'generationConfig', 'safetySettings', 'systemInstruction', 'tools', 'toolConfig', 'cachedContent'].includes(field)) {
      throw unknownName(field, '');
    }
  }
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0)
    throw new GoogleApiError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified');
  const texts: string[] = [];
  let referenceImages = 0;
  for (const content of contents as Array<{ parts?: unknown }>) {
    if (!Array.isArray(content.parts) || content.parts.length === 0)
      throw new GoogleApiError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.');
    for (const part of content.parts as Array<{ text?: unknown; inlineData?: { mimeType?: unknown; data?: unknown } }>) {
      if (typeof part.text === 'string') texts.push(part.text);
      else if (part.inlineData !== undefined) {
        const mimeType = String(part.inlineData.mimeType ?? '');
        if (!inputMimeTypes.has(mimeType)) throw new GoogleApiError(400, 'INVALID_ARGUMENT', `Unsupported MIME type: ${mimeType}`);
        if (typeof part.inlineData.data !== 'string' || !/^[A-Za-z0-9+/=]+$/.test(part.inlineData.data)) {
          throw new GoogleApiError(
            400,
            'INVALID_ARGUMENT',
            "Invalid value at 'contents[0].parts[1].inline_data.data' (TYPE_BYTES), Base64 decoding failed.",
          );
        }
        referenceImages += 1;
      } else {
        throw new GoogleApiError(
          400,
          'INVALID_ARGUMENT',
          "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field",
        );
      }
    }
  }
  if (referenceImages > rules.maxReferenceImages) {
    throw new GoogleApiError(
      400,
      'INVALID_ARGUMENT',
      `Too many input images: ${referenceImages}; this model accepts at most ${rules.maxReferenceImages}.`,
    );
  }
  const config = (body['generationConfig'] ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(config)) if (!generationConfigFields.has(field)) throw unknownName(field, 'generation_config');
  const imageConfig = (config['imageConfig'] ?? {}) as Record<string, unknown>;
  const allowedImageFields = vertex ? vertexImageConfigFields : geminiImageConfigFields;
  for (const field of Object.keys(imageConfig))
    if (!allowedImageFields.has(field)) throw unknownName(field, 'generation_config.image_config');
  const aspectRatio = imageConfig['aspectRatio'] as string | undefined;
  if (aspectRatio !== undefined && !rules.aspectRatios.includes(aspectRatio)) {
    throw new GoogleApiError(
      400,
      'INVALID_ARGUMENT',
      `Unsupported aspect ratio: ${String(aspectRatio)}. Supported: ${rules.aspectRatios.join(', ')}.`,
    );
  }
  const imageSize = imageConfig['imageSize'] as string | undefined;
  if (imageSize !== undefined && !rules.imageSizes.includes(imageSize)) {
    throw new GoogleApiError(
      400,
      'INVALID_ARGUMENT',
      `Unsupported image size: ${String(imageSize)}. Supported: ${rules.imageSizes.join(', ')}.`,
    );
  }
  const modalities = config['responseModalities'];
  const wantsImage = !Array.isArray(modalities) || modalities.includes('IMAGE');
  const prompt = texts.join('\n');
  if (prompt.trim() === '' && referenceImages === 0)
    throw new GoogleApiError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: must not be empty');
  return {
    prompt,
    ...(aspectRatio === undefined ? {} : { aspectRatio }),
    ...(imageSize === undefined ? {} : { imageSize }),
    wantsImage,
    referenceImages,
    promptTokens: Math.ceil(prompt.split(/\s+/).filter(Boolean).length * 1.3) + referenceImages * 560,
  };
}

async function answerImage(
  response: http.ServerResponse,
  modelId: string,
  rules: FakeGeminiModelRules,
  planned: PlannedGeminiCall,
  context: GeminiRouteContext,
): Promise<void> {
  if (!planned.wantsImage) {
    sendJson(response, 200, answerWithout(modelId, 'STOP', planned.promptTokens, 'I can only answer in text with these settings.'));
    return;
  }
  const { width, height } = geminiOutputSize(planned.aspectRatio, planned.imageSize);
  const image = (await context.render(width, height, planned.prompt)).toString('base64');
  const outputTokens = rules.outputTokensByImageSize[planned.imageSize ?? '1K'] ?? 1120;
  const parts: unknown[] = [];
  let thoughtsTokenCount: number | undefined;
  if (rules.thinks) {
    // Reasoning models show their work: a thought text and a draft image, both marked `thought`, before the answer.
    const draft = await sharp(Buffer.from(image, 'base64'))
      .resize(Math.max(16, Math.round(width / 8)))
      .png()
      .toBuffer();
    parts.push({ text: '**Composing the scene**\nPlanning the layout first.', thought: true });
    parts.push({ inlineData: { mimeType: 'image/png', data: draft.toString('base64') }, thought: true });
    thoughtsTokenCount = 214;
  }
  parts.push({ text: 'Here is the image you asked for.' });
  parts.push({ inlineData: { mimeType: 'image/png', data: image } });
  sendJson(response, 200, {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: planned.promptTokens,
      candidatesTokenCount: outputTokens + 10,
      ...(thoughtsTokenCount === undefined ? {} : { thoughtsTokenCount }),
      totalTokenCount: planned.promptTokens + outputTokens + 10 + (thoughtsTokenCount ?? 0),
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: planned.promptTokens - planned.referenceImages * 560 },
        ...(planned.referenceImages > 0 ? [{ modality: 'IMAGE', tokenCount: planned.referenceImages * 560 }] : []),
      ],
      candidatesTokensDetails: [
        { modality: 'IMAGE', tokenCount: outputTokens },
        { modality: 'TEXT', tokenCount: 10 },
      ],
    },
    modelVersion: modelId,
    responseId: responseId(),
  });
}

function answerWithout(modelId: string, finishReason: string, promptTokens: number, text?: string): Record<string, unknown> {
  return {
    candidates: [{ ...(text === undefined ? {} : { content: { role: 'model', parts: [{ text }] } }), finishReason, index: 0 }],
    usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
    modelVersion: modelId,
    responseId: responseId(),
  };
}

function unknownName(field: string, at: string): GoogleApiError {
  return new GoogleApiError(
    400,
    'INVALID_ARGUMENT',
    `Invalid JSON payload received. Unknown name "${field}"${at ? ` at '${at}'` : ''}: Cannot find field.`,
  );
}

function responseId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 22);
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  response.end(JSON.stringify(body));
}
