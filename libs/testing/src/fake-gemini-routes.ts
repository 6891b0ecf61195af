import { createHmac, randomUUID } from 'node:crypto';
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
    const planned = validate(body, rules, vertex, decodeURIComponent(modelId));
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
  /** The thinking level asked for, uppercase. */
  thinkingLevel?: string;
  /** Whether the request grounds its answer with Google Search. */
  googleSearch: boolean;
  promptTokens: number;
}

/** One part of a request's content, as the fake reads it. */
interface FakePart {
  text?: unknown;
  inlineData?: { mimeType?: unknown; data?: unknown };
  thought?: unknown;
  thoughtSignature?: unknown;
}

/**
 * The fake's thought signatures: opaque base64 to the client, but they name the model that issued them and carry an
 * HMAC, so the fake can tell an echoed signature from a missing, altered or foreign one without keeping state.
 */
const signatureSecret = 'fake-gemini-thought-signature';

function signThought(modelId: string): string {
  const nonce = randomUUID();
  const mac = createHmac('sha256', signatureSecret).update(`${modelId}:${nonce}`).digest('hex').slice(0, 32);
  return Buffer.from(`${modelId}:${nonce}:${mac}`).toString('base64');
}

/** The model id a signature was issued for, or undefined when it is not one of this fake's. */
function signatureModel(signature: string): string | undefined {
  const [modelId = '', nonce = '', mac = ''] = Buffer.from(signature, 'base64').toString('utf8').split(':');
  const expected = createHmac('sha256', signatureSecret).update(`${modelId}:${nonce}`).digest('hex').slice(0, 32);
  return mac === expected ? modelId : undefined;
}

/**
 * A model turn sent back as history must carry the signatures the model gave it: on its first part after the thoughts
 * and on every final image part. Like the real API, a missing one is a 400 (Gemini 3 image models), and so is one from another model.
 */
function checkSignatures(parts: FakePart[], contentIndex: number, rules: FakeGeminiModelRules, modelId: string): void {
  if (!rules.thoughtSignatures) return;
  const firstAnswerPart = parts.findIndex((part) => part.thought !== true);
  for (const [partIndex, part] of parts.entries()) {
    const needsSignature = partIndex === firstAnswerPart || (part.inlineData !== undefined && part.thought !== true);
    if (part.thoughtSignature === undefined) {
      if (!needsSignature) continue;
      const kind = part.inlineData !== undefined ? 'Image part' : 'Text part';
      throw new GoogleApiError(
        400,
        'INVALID_ARGUMENT',
        `${kind} is missing a thought_signature in content position ${contentIndex + 1}, part position ${partIndex + 1}. Return the model's parts with their thought_signature unchanged in follow-up turns.`,
      );
    }
    if (typeof part.thoughtSignature !== 'string' || signatureModel(part.thoughtSignature) !== modelId) {
      throw new GoogleApiError(
        400,
        'INVALID_ARGUMENT',
        `Invalid thought_signature in content position ${contentIndex + 1}, part position ${partIndex + 1}: it was not issued by models/${modelId}.`,
      );
    }
  }
}

/** Validates `generationConfig.thinkingConfig`; returns the thinking level asked for, uppercase. */
function checkThinkingConfig(value: unknown, rules: FakeGeminiModelRules, modelId: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new GoogleApiError(400, 'INVALID_ARGUMENT', "Invalid value at 'generation_config.thinking_config': expected an object.");
  for (const field of Object.keys(value)) {
    if (!['includeThoughts', 'thinkingBudget', 'thinkingLevel'].includes(field))
      throw unknownName(field, 'generation_config.thinking_config');
  }
  const config = value as { includeThoughts?: unknown; thinkingBudget?: unknown; thinkingLevel?: unknown };
  if (config.thinkingBudget !== undefined)
    throw new GoogleApiError(400, 'INVALID_ARGUMENT', `thinking_budget is not supported by models/${modelId}; use thinking_level.`);
  if (config.thinkingLevel === undefined) return undefined;
  const level = String(config.thinkingLevel).toUpperCase();
  if (rules.thinkingLevels.length === 0)
    throw new GoogleApiError(400, 'INVALID_ARGUMENT', `Thinking level is not supported for models/${modelId}.`);
  if (!rules.thinkingLevels.includes(level)) {
    throw new GoogleApiError(
      400,
      'INVALID_ARGUMENT',
      `Unsupported thinking level: ${String(config.thinkingLevel)}. Supported for models/${modelId}: ${rules.thinkingLevels.join(', ')}.`,
    );
  }
  return level;
}

/** Validates `tools`; returns whether Google Search grounding was asked for. */
function checkTools(value: unknown, rules: FakeGeminiModelRules, modelId: string): boolean {
  if (value === undefined) return false;
  if (!Array.isArray(value)) throw new GoogleApiError(400, 'INVALID_ARGUMENT', "Invalid value at 'tools': expected a list.");
  let googleSearch = false;
  for (const tool of value as unknown[]) {
    const names = typeof tool === 'object' && tool !== null ? Object.keys(tool) : [];
    for (const name of names) {
      if (name !== 'googleSearch')
        throw new GoogleApiError(400, 'INVALID_ARGUMENT', `Tool ${name} is not supported for image generation with models/${modelId}.`);
      const search = (tool as Record<string, unknown>)[name];
      if (typeof search !== 'object' || search === null || Object.keys(search).length > 0)
        throw new GoogleApiError(400, 'INVALID_ARGUMENT', "Invalid value at 'tools[0].google_search': expected {}.");
      if (!rules.googleSearch) throw new GoogleApiError(400, 'INVALID_ARGUMENT', `Search as tool is not enabled for models/${modelId}.`);
      googleSearch = true;
    }
  }
  return googleSearch;
}

/** The grounding a search-backed answer carries: the queries run and the pages used, derived from the prompt. */
function groundingFor(prompt: string): Record<string, unknown> {
  const query = prompt.split(/\s+/).filter(Boolean).slice(0, 6).join(' ');
  const slug =
    query
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'image';
  return {
    webSearchQueries: [query],
    groundingChunks: [
      { web: { uri: `https://vertexaisearch.cloud.google.com/grounding-api-redirect/${slug}-1`, title: 'example.com' } },
      { web: { uri: `https://vertexaisearch.cloud.google.com/grounding-api-redirect/${slug}-2`, title: 'example.org' } },
    ],
    searchEntryPoint: { renderedContent: `<div class="search-entry">${query}</div>` },
  };
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

function validate(body: Record<string, unknown>, rules: FakeGeminiModelRules, vertex: boolean, modelId: string): PlannedGeminiCall {
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
  const lastIndex = contents.length - 1;
  for (const [contentIndex, content] of (contents as Array<{ role?: unknown; parts?: unknown }>).entries()) {
    if (!Array.isArray(content.parts) || content.parts.length === 0)
      throw new GoogleApiError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.');
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model')
      throw new GoogleApiError(400, 'INVALID_ARGUMENT', `Please use a valid role: user, model. Got: ${String(role)}.`);
    if (contentIndex === lastIndex && role !== 'user')
      throw new GoogleApiError(400, 'INVALID_ARGUMENT', 'The last content of a request must come from the user role.');
    if (role === 'model') checkSignatures(content.parts as FakePart[], contentIndex, rules, modelId);
    for (const part of content.parts as FakePart[]) {
      // Only the user's words are the prompt; the model's earlier text is context.
      if (typeof part.text === 'string') {
        if (role === 'user') texts.push(part.text);
      } else if (part.inlineData !== undefined) {
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
  const thinkingLevel = checkThinkingConfig(config['thinkingConfig'], rules, modelId);
  const googleSearch = checkTools(body['tools'], rules, modelId);
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
    ...(thinkingLevel === undefined ? {} : { thinkingLevel }),
    googleSearch,
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
  // MINIMAL thinking skips the visible thoughts; any other level (or the model's default) shows them.
  if (rules.thinks || (planned.thinkingLevel !== undefined && planned.thinkingLevel !== 'MINIMAL')) {
    // Reasoning models show their work: a thought text and a draft image, both marked `thought`, before the answer.
    const draft = await sharp(Buffer.from(image, 'base64'))
      .resize(Math.max(16, Math.round(width / 8)))
      .png()
      .toBuffer();
    parts.push({ text: '**Composing the scene**\nPlanning the layout first.', thought: true });
    parts.push({ inlineData: { mimeType: 'image/png', data: draft.toString('base64') }, thought: true });
    thoughtsTokenCount = 214;
  }
  // Signed like the real API: the first part after the thoughts and every final image part.
  const signature = rules.thoughtSignatures ? () => ({ thoughtSignature: signThought(modelId) }) : () => ({});
  parts.push({ text: 'Here is the image you asked for.', ...signature() });
  parts.push({ inlineData: { mimeType: 'image/png', data: image }, ...signature() });
  sendJson(response, 200, {
    candidates: [
      {
        content: { role: 'model', parts },
        finishReason: 'STOP',
        index: 0,
        ...(planned.googleSearch ? { groundingMetadata: groundingFor(planned.prompt) } : {}),
      },
    ],
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
