import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import sharp, { type SharpOptions } from 'sharp';
import { fakeModelRules, plausibleOutputTokens, shutDownModels, sizeProblem, type FakeModelRules } from './openai-model-table';
import { handleGeminiRequest } from './fake-gemini-routes';
import { readBody } from './request-body';
import { createTestImage } from './test-images';

/** A fault the fake answers the next matching request(s) with. */
export type FakeOpenAIFault =
  /** 429 with `Retry-After` (seconds) and/or `retry-after-ms`. */
  | { kind: 'rate_limit'; retryAfterSeconds?: number; retryAfterMs?: number; times?: number }
  /** A 5xx answer. */
  | { kind: 'server_error'; status?: 500 | 502 | 503; times?: number }
  /** Waits before answering normally (time-outs, cancellation, coalescing tests). */
  | { kind: 'delay'; delayMs: number; times?: number }
  /** The safety system's refusal: 400 `moderation_blocked`. */
  | { kind: 'moderation_blocked'; times?: number }
  /** 200 with a body that is not an ImagesResponse. */
  | { kind: 'malformed'; times?: number }
  /** Drops the connection without answering. */
  | { kind: 'disconnect'; times?: number }
  /** Gemini only: the prompt is blocked (`promptFeedback.blockReason`, no candidates). OpenAI routes skip it. */
  | { kind: 'prompt_blocked'; blockReason?: string; times?: number }
  /** Gemini only: a candidate without an image (`finishReason` NO_IMAGE by default, optionally with text). */
  | { kind: 'no_image'; finishReason?: string; text?: string; times?: number };

/** A multipart file part as received. */
export interface ReceivedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

/** One request as the fake received it (the Authorization header is left out). */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body, or the multipart text fields. */
  body: Record<string, unknown> | undefined;
  /** Multipart file parts, in order. */
  files?: ReceivedFile[];
}

/** Options of {@link createFakeOpenAIServer}. */
export interface FakeOpenAIServerOptions {
  /** The only key accepted; by default any key starting with `sk-`. */
  apiKey?: string;
  /** Port to listen on; default an ephemeral one. */
  port?: number;
  /** Simulated generation time for every image request, in milliseconds. */
  latencyMs?: number;
  /** Pause before each streamed partial image and before the completed one, in milliseconds (tests of live previews). */
  partialDelayMs?: number;
  /** Model ids `GET /v1/models` lists (simulates a key without access to some models); default every model the fake knows. */
  availableModels?: readonly string[];
  /** The only Gemini key accepted; by default any key starting with `AIza`. */
  geminiApiKey?: string;
  /** Model ids the Gemini listing returns; default every Gemini model the fake knows. */
  availableGeminiModels?: readonly string[];
}

/** A running fake OpenAI Images API. */
export interface FakeOpenAIServer {
  /** `http://127.0.0.1:PORT`; give the OpenAI SDK `baseURL: url + '/v1'`, the Google SDK `httpOptions.baseUrl: url`. */
  url: string;
  /** Every request received, oldest first. */
  requests: ReceivedRequest[];
  /** Queues a fault for the next `times` (default 1) image requests. */
  injectFault(fault: FakeOpenAIFault): void;
  /** Drops queued faults. */
  clearFaults(): void;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

const generationParameters = new Set([
  'model',
  'prompt',
  'n',
  'size',
  'quality',
  'background',
  'output_format',
  'output_compression',
  'moderation',
  'partial_images',
  'stream',
  'user',
  'safety_identifier',
  'complexity',
  'frame_count',
  'frame_duration_ms',
  'svg',
]);
const editParameters = new Set([
  'model',
  'prompt',
  'image',
  'image[]',
  'mask',
  'n',
  'size',
  'quality',
  'background',
  'output_format',
  'output_compression',
  'input_fidelity',
  'partial_images',
  'stream',
  'user',
  'safety_identifier',
  'markup',
  'complexity',
  'frame_count',
  'frame_duration_ms',
  'svg[model]',
  'svg[reasoning][effort]',
]);
const complexities = ['low', 'medium', 'high'];
const imageMimeTypes = new Set(['image/png', 'image/jpeg', 'image/webp']);

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = 'invalid_request_error',
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomUUID().replace(/-/g, '')}`, ...headers });
  response.end(text);
}

function sendError(response: http.ServerResponse, error: ApiError, headers: Record<string, string> = {}) {
  sendJson(
    response,
    error.status,
    { error: { message: error.message, type: error.type, param: error.param, code: error.code, ...error.extra } },
    headers,
  );
}

interface ParsedMultipart {
  fields: Record<string, string>;
  files: Array<ReceivedFile & { data: Buffer }>;
}

function parseMultipart(request: http.IncomingMessage): Promise<ParsedMultipart> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: ParsedMultipart['files'] = [];
    const parser = busboy({ headers: request.headers, limits: { fileSize: 60 * 1024 * 1024 } });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const data = Buffer.concat(chunks);
        files.push({ field, filename: info.filename ?? '', contentType: info.mimeType, size: data.length, data });
      });
    });
    parser.on('close', () => resolve({ fields, files }));
    parser.on('error', reject);
    request.pipe(parser);
  });
}

/**
 * Starts a fake image provider on loopback that speaks both vendors' real wire formats and validates requests as
 * strictly as the real APIs. OpenAI Images API: JSON generations, multipart edits, streaming partial images, error
 * bodies, `usage`, `x-request-id`. Gemini: `generateContent` on the Gemini API (`/v1` and `/v1beta`) and Vertex AI
 * paths, thought parts, `usageMetadata`, block reasons, Google error bodies. Images are real encodings of the
 * requested size. Faults queue up in one list and apply to the next image request of either vendor.
 */
export async function createFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const requests: ReceivedRequest[] = [];
  const faults: Array<FakeOpenAIFault & { remaining: number }> = [];
  const renderCache = new Map<string, Promise<Buffer>>();
  const sockets = new Set<import('node:net').Socket>();

  const render = (width: number, height: number, format: string, transparent: boolean, prompt: string) => {
    const seed = [...prompt].reduce((sum, character) => sum + character.charCodeAt(0), 0) % 4;
    const key = `${width}x${height}:${format}:${transparent}:${seed}`;
    let image = renderCache.get(key);
    if (!image) {
      image = createTestImage({ width, height, format: format as 'png' | 'jpeg' | 'webp', alpha: transparent, seed: seed + 1 });
      renderCache.set(key, image);
    }
    return image;
  };

  // 2K and 4K answers are drawn at a quarter of the pixels and enlarged: still noisy, a fraction of the work.
  const renderLarge = async (width: number, height: number, prompt: string): Promise<Buffer> => {
    if (width * height <= 1_600_000) return render(width, height, 'png', false, prompt);
    const key = `large:${width}x${height}:${[...prompt].reduce((sum, character) => sum + character.charCodeAt(0), 0) % 4}`;
    let image = renderCache.get(key);
    if (!image) {
      image = render(Math.ceil(width / 2), Math.ceil(height / 2), 'png', false, prompt).then((small) =>
        sharp(small).resize(width, height, { kernel: 'nearest' }).png({ compressionLevel: 1 }).toBuffer(),
      );
      renderCache.set(key, image);
    }
    return image;
  };

  /**
   * A masked edit at the input's size answers like an inpainting model: the first input image, with the fake's
   * drawing where the mask is transparent (OpenAI's convention). Tests can then check that an edit changed exactly the
   * masked area.
   */
  const inpaintRendered = async (
    rendered: Buffer,
    inpaint: { original: Buffer; mask: Buffer },
    planned: { width: number; height: number; format: string },
  ): Promise<Buffer> => {
    const { width, height } = planned;
    const weight = await sharp(inpaint.mask).ensureAlpha().extractChannel('alpha').negate().raw().toBuffer();
    // Negated, so the masked area differs from the original even when the fake draws the same picture for both prompts.
    const colour = await sharp(rendered).removeAlpha().negate().raw().toBuffer();
    const layer = await sharp(colour, { raw: { width, height, channels: 3 } })
      .joinChannel(weight, { raw: { width, height, channels: 1 } })
      .raw()
      .toBuffer();
    return sharp(inpaint.original)
      .composite([{ input: layer, raw: { width, height, channels: 4 }, blend: 'over' }])
      .toFormat(planned.format as 'png')
      .toBuffer();
  };

  const authenticate = (request: http.IncomingMessage) => {
    const header = request.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7) : '';
    const valid = options.apiKey === undefined ? key.startsWith('sk-') && key.length > 3 : key === options.apiKey;
    if (!valid) {
      throw new ApiError(
        401,
        key
          ? `Incorrect API key provided: ${key.slice(0, 3)}****. You can find your API key at https://platform.openai.com/account/api-keys.`
          : "You didn't provide an API key.",
        null,
        'invalid_api_key',
      );
    }
  };

  const rulesFor = (model: unknown): { id: string; rules: FakeModelRules } => {
    if (typeof model !== 'string' || model === '')
      throw new ApiError(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    if (shutDownModels.includes(model))
      throw new ApiError(404, `The model '${model}' has been shut down and is no longer available.`, 'model', 'model_not_found');
    const rules = fakeModelRules[model];
    if (!rules) throw new ApiError(404, `The model '${model}' does not exist or you do not have access to it.`, 'model', 'model_not_found');
    return { id: model, rules };
  };

  const validateCommon = (parameters: Record<string, unknown>, rules: FakeModelRules, allowed: Set<string>) => {
    for (const name of Object.keys(parameters)) {
      if (!allowed.has(name)) throw new ApiError(400, `Unknown parameter: '${name}'.`, name, 'unknown_parameter');
    }
    if (!rules.markup && parameters['markup'] !== undefined)
      throw new ApiError(400, "Unknown parameter: 'markup'.", 'markup', 'unknown_parameter');
    if (parameters['complexity'] !== undefined) {
      if (!rules.complexity)
        throw new ApiError(
          400,
          "Unsupported parameter: 'complexity' is not supported with this model.",
          'complexity',
          'unsupported_parameter',
        );
      if (!complexities.includes(String(parameters['complexity'])))
        throw new ApiError(
          400,
          `Invalid value: '${String(parameters['complexity'])}'. Supported values are: 'low', 'medium', and 'high'.`,
          'complexity',
          'invalid_value',
        );
    }
    const prompt = parameters['prompt'];
    if (typeof prompt !== 'string' || prompt.length === 0)
      throw new ApiError(400, "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
    if (prompt.length > 32000)
      throw new ApiError(
        400,
        `Invalid 'prompt': string too long. Expected a string with maximum length 32000, but got a string with length ${prompt.length} instead.`,
        'prompt',
        'string_above_max_length',
      );
    const n = Number(parameters['n'] ?? 1);
    if (!Number.isInteger(n) || n < 1 || n > 10)
      throw new ApiError(400, `Invalid 'n': integer between 1 and 10 expected.`, 'n', 'integer_out_of_range');
    const size = String(parameters['size'] ?? 'auto');
    const sizeMessage = sizeProblem(rules, size);
    if (sizeMessage) throw new ApiError(400, sizeMessage, 'size', 'invalid_value');
    const quality = String(parameters['quality'] ?? 'auto');
    if (!rules.qualities.includes(quality))
      throw new ApiError(
        400,
        `Invalid value: '${quality}'. Supported values are: ${rules.qualities.map((value) => `'${value}'`).join(', ')}.`,
        'quality',
        'invalid_value',
      );
    const background = String(parameters['background'] ?? 'auto');
    if (!rules.backgrounds.includes(background))
      throw new ApiError(
        400,
        `Invalid value: '${background}'. Supported values are: ${rules.backgrounds.map((value) => `'${value}'`).join(', ')}.`,
        'background',
        'invalid_value',
      );
    const format = String(parameters['output_format'] ?? 'png');
    const formats = ['png', 'jpeg', 'webp', ...(rules.vectorAndAnimation ?? [])];
    if (!formats.includes(format))
      throw new ApiError(
        400,
        `Invalid value: '${format}'. Supported values are: ${formats.map((value) => `'${value}'`).join(', ')}.`,
        'output_format',
        'invalid_value',
      );
    const streamed = parameters['stream'] === true || parameters['stream'] === 'true' || Number(parameters['partial_images'] ?? 0) > 0;
    const frames = checkAnimationAndVector(parameters, format, streamed);
    if (background === 'transparent' && format === 'jpeg')
      throw new ApiError(
        400,
        'Transparent background is not supported for jpeg output format; use png or webp.',
        'background',
        'invalid_value',
      );
    if (parameters['output_compression'] !== undefined) {
      const compression = Number(parameters['output_compression']);
      if (format === 'png')
        throw new ApiError(
          400,
          "output_compression is only supported for 'jpeg' and 'webp' output formats.",
          'output_compression',
          'invalid_value',
        );
      if (!Number.isInteger(compression) || compression < 0 || compression > 100)
        throw new ApiError(
          400,
          "Invalid 'output_compression': integer between 0 and 100 expected.",
          'output_compression',
          'integer_out_of_range',
        );
    }
    const partials = Number(parameters['partial_images'] ?? 0);
    if (!Number.isInteger(partials) || partials < 0 || partials > 3)
      throw new ApiError(400, "Invalid 'partial_images': integer between 0 and 3 expected.", 'partial_images', 'integer_out_of_range');
    const [width, height] = size === 'auto' ? [1024, 1024] : (size.split('x').map(Number) as [number, number]);
    return {
      prompt,
      n,
      width,
      height,
      size: size === 'auto' ? '1024x1024' : size,
      quality,
      background,
      format,
      partials,
      frames,
      frameDurationMs: Number(parameters['frame_duration_ms'] ?? 200),
      stream: parameters['stream'] === true || parameters['stream'] === 'true',
    };
  };

  /**
   * The GIF and SVG rules of the openai 7.59 types: GIF 2–16 frames (9 by default), a delay up to 655,350 ms, no
   * streaming, partial images or compression; SVG n = 1, no streaming, partial images or compression; frame fields and
   * `svg` only with their format. Returns the frame count (1 for anything but GIF).
   */
  const checkAnimationAndVector = (parameters: Record<string, unknown>, format: string, streamed: boolean): number => {
    const onlyWith = (name: string, wanted: string) => {
      if (parameters[name] !== undefined && format !== wanted)
        throw new ApiError(400, `'${name}' is only supported with output_format=${wanted}.`, name, 'invalid_value');
    };
    onlyWith('frame_count', 'gif');
    onlyWith('frame_duration_ms', 'gif');
    if (format !== 'svg' && (parameters['svg'] !== undefined || parameters['svg[model]'] !== undefined))
      throw new ApiError(400, "'svg' is only supported with output_format=svg.", 'svg', 'invalid_value');
    if (format !== 'gif' && format !== 'svg') return 1;
    if (streamed)
      throw new ApiError(400, `Streaming and partial images are not supported with output_format=${format}.`, 'stream', 'invalid_value');
    if (parameters['output_compression'] !== undefined)
      throw new ApiError(400, `output_compression is not supported with output_format=${format}.`, 'output_compression', 'invalid_value');
    if (format === 'svg') {
      if (Number(parameters['n'] ?? 1) !== 1) throw new ApiError(400, 'SVG output requires n=1.', 'n', 'invalid_value');
      return 1;
    }
    const frames = Number(parameters['frame_count'] ?? 9);
    if (!Number.isInteger(frames) || frames < 2 || frames > 16)
      throw new ApiError(400, "Invalid 'frame_count': integer between 2 and 16 expected.", 'frame_count', 'integer_out_of_range');
    const duration = Number(parameters['frame_duration_ms'] ?? 200);
    if (!Number.isInteger(duration) || duration < 1 || duration > 655_350)
      throw new ApiError(
        400,
        "Invalid 'frame_duration_ms': integer between 1 and 655350 expected.",
        'frame_duration_ms',
        'integer_out_of_range',
      );
    return frames;
  };

  /** A real animated GIF: a bright bar crossing a dark field, one position per frame (few colours, so it encodes fast). */
  const renderGif = (width: number, height: number, frames: number, durationMs: number): Promise<Buffer> => {
    const key = `gif:${width}x${height}:${frames}:${durationMs}`;
    let image = renderCache.get(key);
    if (!image) {
      const pixels = Buffer.alloc(width * height * frames * 3, 40);
      const bar = Math.max(1, Math.round(width / 10));
      for (let frame = 0; frame < frames; frame += 1) {
        const left = Math.floor((frame * (width - bar)) / Math.max(1, frames - 1));
        for (let y = 0; y < height; y += 1) {
          const row = (frame * height + y) * width * 3;
          for (let x = left; x < left + bar; x += 1) pixels.set([230, 120, 40], row + x * 3);
        }
      }
      image = sharp(pixels, { raw: { width, height: height * frames, channels: 3, pageHeight: height } } as SharpOptions)
        .gif({ delay: Array.from({ length: frames }, () => Math.round(durationMs / 10) * 10), loop: 0, effort: 1, colours: 4, dither: 0 })
        .toBuffer();
      renderCache.set(key, image);
    }
    return image;
  };

  /** A real SVG drawing of the asked size. */
  const renderSvg = (width: number, height: number, prompt: string): Buffer =>
    Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
        `<title>${prompt.replace(/[<>&"]/g, '')}</title>` +
        `<rect width="${width}" height="${height}" fill="#1d3557"/>` +
        `<circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#e63946"/></svg>`,
    );

  /** "A transparent PNG overlaid on the first image … must match that image's dimensions … contain transparent pixels." */
  const checkMarkup = async (markup: ReceivedFile & { data: Buffer }, first: Buffer | undefined, withMask: boolean) => {
    if (withMask) throw new ApiError(400, "'markup' cannot be combined with 'mask'.", 'markup', 'invalid_value');
    if (markup.contentType !== 'image/png')
      throw new ApiError(
        400,
        `Invalid file 'markup': the markup must be a PNG, got '${markup.contentType}'.`,
        'markup',
        'invalid_image_format',
      );
    const [facts, firstFacts] = await Promise.all([sharp(markup.data).metadata(), sharp(first).metadata()]);
    if (facts.width !== firstFacts.width || facts.height !== firstFacts.height)
      throw new ApiError(
        400,
        `Invalid file 'markup': markup size ${facts.width}x${facts.height} does not match image size ${firstFacts.width}x${firstFacts.height}.`,
        'markup',
        'invalid_image_dimensions',
      );
    const alpha = facts.hasAlpha ? await sharp(markup.data).extractChannel('alpha').raw().toBuffer() : Buffer.alloc(0);
    if (!alpha.includes(0))
      throw new ApiError(400, "Invalid file 'markup': the markup must contain transparent pixels.", 'markup', 'invalid_image');
  };

  const takeFault = (): FakeOpenAIFault | undefined => {
    const fault = faults[0];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.shift();
    return fault;
  };

  const wait = (milliseconds: number, response: http.ServerResponse) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), milliseconds);
      // A client that gives up (abort, time-out) ends the wait: nothing more is written to it.
      response.on('close', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });

  const answerImages = async (
    response: http.ServerResponse,
    operation: 'generation' | 'edit',
    planned: ReturnType<typeof validateCommon>,
    inputImageTokens: number,
    inpaint?: { original: Buffer; mask: Buffer },
  ) => {
    const transparent = planned.background === 'transparent';
    let image: string;
    if (planned.format === 'gif')
      image = (await renderGif(planned.width, planned.height, planned.frames, planned.frameDurationMs)).toString('base64');
    else if (planned.format === 'svg') image = renderSvg(planned.width, planned.height, planned.prompt).toString('base64');
    else {
      const rendered = await render(planned.width, planned.height, planned.format, transparent, planned.prompt);
      image = (inpaint ? await inpaintRendered(rendered, inpaint, planned) : rendered).toString('base64');
    }
    const textTokens = Math.ceil(planned.prompt.split(/\s+/).filter(Boolean).length * 1.3);
    const outputTokens =
      plausibleOutputTokens(planned.width, planned.height, planned.quality) * planned.frames * planned.n + planned.partials * 100;
    const usage = {
      input_tokens: textTokens + inputImageTokens,
      input_tokens_details: { text_tokens: textTokens, image_tokens: inputImageTokens },
      output_tokens: outputTokens,
      total_tokens: textTokens + inputImageTokens + outputTokens,
    };
    const common = {
      background: transparent ? 'transparent' : 'opaque',
      output_format: planned.format,
      quality: planned.quality === 'auto' ? 'medium' : planned.quality,
      size: planned.size,
    };
    if (!planned.stream) {
      sendJson(response, 200, {
        created: Math.floor(Date.now() / 1000),
        data: Array.from({ length: planned.n }, () => ({ b64_json: image })),
        ...common,
        usage,
        ...(planned.format === 'svg'
          ? { svg_usage: { model: 'fake-svg-author', input_tokens: 1200, output_tokens: 2400, reasoning_tokens: 800, total_tokens: 3600 } }
          : {}),
      });
      return;
    }
    const prefix = operation === 'generation' ? 'image_generation' : 'image_edit';
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
    });
    const send = (type: string, payload: Record<string, unknown>) =>
      response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`);
    const partial =
      planned.partials > 0
        ? (
            await sharp(Buffer.from(image, 'base64'))
              .resize(Math.max(16, Math.round(planned.width / 8)))
              .toFormat(planned.format as 'png')
              .toBuffer()
          ).toString('base64')
        : '';
    for (let index = 0; index < planned.partials; index += 1) {
      if (options.partialDelayMs && !(await wait(options.partialDelayMs, response))) return;
      send(`${prefix}.partial_image`, {
        b64_json: partial,
        partial_image_index: index,
        created_at: Math.floor(Date.now() / 1000),
        ...common,
      });
    }
    if (planned.partials > 0 && options.partialDelayMs && !(await wait(options.partialDelayMs, response))) return;
    send(`${prefix}.completed`, { b64_json: image, created_at: Math.floor(Date.now() / 1000), ...common, usage });
    response.end();
  };

  const handleImages = async (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    operation: 'generation' | 'edit',
    record: ReceivedRequest,
  ) => {
    let parameters: Record<string, unknown>;
    let files: ParsedMultipart['files'] = [];
    if (operation === 'generation') {
      const text = (await readBody(request)).toString('utf8');
      try {
        parameters = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new ApiError(400, 'We could not parse the JSON body of your request.', null, 'invalid_json');
      }
      record.body = parameters;
    } else {
      if (!String(request.headers['content-type']).startsWith('multipart/form-data')) {
        throw new ApiError(400, 'Image edits must be sent as multipart/form-data.', null, 'invalid_request');
      }
      const multipart = await parseMultipart(request);
      files = multipart.files;
      parameters = { ...multipart.fields };
      for (const file of files) parameters[file.field] = '(file)';
      record.body = { ...multipart.fields };
      record.files = files.map(({ data: _data, ...file }) => file);
    }
    authenticate(request);
    const { rules } = rulesFor(parameters['model']);
    const planned = validateCommon(parameters, rules, operation === 'generation' ? generationParameters : editParameters);
    let inputImageTokens = 0;
    let inpaint: { original: Buffer; mask: Buffer } | undefined;
    if (operation === 'edit') {
      const images = files.filter((file) => file.field === 'image' || file.field === 'image[]');
      if (images.length === 0) throw new ApiError(400, "Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
      if (images.length > 16)
        throw new ApiError(400, `Invalid 'image': at most 16 images, got ${images.length}.`, 'image', 'array_above_max_length');
      for (const file of images) {
        if (!imageMimeTypes.has(file.contentType)) {
          throw new ApiError(
            400,
            `Invalid file 'image': unsupported mimetype ('${file.contentType}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
            'image',
            'unsupported_file_mimetype',
          );
        }
      }
      const fidelity = parameters['input_fidelity'];
      if (fidelity !== undefined && !rules.inputFidelity.includes(String(fidelity))) {
        throw new ApiError(
          400,
          rules.inputFidelity.length === 0
            ? "Unknown parameter: 'input_fidelity'."
            : `Invalid value: '${String(fidelity)}'. Supported values are: ${rules.inputFidelity.join(', ')}.`,
          'input_fidelity',
          rules.inputFidelity.length === 0 ? 'unknown_parameter' : 'invalid_value',
        );
      }
      const mask = files.find((file) => file.field === 'mask');
      const markup = files.find((file) => file.field === 'markup');
      if (markup) await checkMarkup(markup, images[0]?.data, mask !== undefined);
      if (mask && planned.format === 'gif')
        throw new ApiError(400, 'Masks are not supported with output_format=gif.', 'mask', 'invalid_value');
      if (mask) {
        if (mask.contentType !== 'image/png')
          throw new ApiError(
            400,
            `Invalid file 'mask': the mask must be a PNG, got '${mask.contentType}'.`,
            'mask',
            'invalid_image_format',
          );
        const [maskFacts, firstFacts] = await Promise.all([sharp(mask.data).metadata(), sharp(images[0]?.data).metadata()]);
        if (!maskFacts.hasAlpha)
          throw new ApiError(400, "Invalid file 'mask': the mask must have an alpha channel.", 'mask', 'invalid_image');
        if (maskFacts.width !== firstFacts.width || maskFacts.height !== firstFacts.height) {
          throw new ApiError(
            400,
            `Invalid file 'mask': mask size ${maskFacts.width}x${maskFacts.height} does not match image size ${firstFacts.width}x${firstFacts.height}.`,
            'mask',
            'invalid_image_dimensions',
          );
        }
        const original = images[0]?.data;
        if (original && firstFacts.width === planned.width && firstFacts.height === planned.height) inpaint = { original, mask: mask.data };
      }
      inputImageTokens = images.length * 323;
    }
    if (options.latencyMs && !(await wait(options.latencyMs, response))) return;
    const fault = takeFault();
    switch (fault?.kind) {
      case 'prompt_blocked':
      case 'no_image':
        break;
      case 'rate_limit': {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        sendError(
          response,
          new ApiError(429, 'Rate limit reached for images per minute. Please try again later.', null, 'rate_limit_exceeded', 'requests'),
          headers,
        );
        return;
      }
      case 'server_error':
        sendError(
          response,
          new ApiError(
            fault.status ?? 500,
            'The server had an error while processing your request. Sorry about that!',
            null,
            null,
            'server_error',
          ),
        );
        return;
      case 'moderation_blocked':
        sendError(
          response,
          new ApiError(
            400,
            'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID.',
            null,
            'moderation_blocked',
            'image_generation_user_error',
            {
              moderation_details: { stage: 'input', categories: ['violence'] },
            },
          ),
        );
        return;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"created": 1, "data": [{"b64_json": ');
        return;
      case 'disconnect':
        request.socket.destroy();
        return;
      case 'delay':
        if (!(await wait(fault.delayMs, response))) return;
        break;
      default:
        break;
    }
    await answerImages(response, operation, planned, inputImageTokens, inpaint);
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const { authorization: _authorization, ...headers } = request.headers;
    const record: ReceivedRequest = { method: request.method ?? 'GET', path: url.pathname, headers, body: undefined };
    requests.push(record);
    const handle = async () => {
      const geminiContext = {
        ...(options.geminiApiKey === undefined ? {} : { apiKey: options.geminiApiKey }),
        ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
        ...(options.availableGeminiModels === undefined ? {} : { availableModels: options.availableGeminiModels }),
        takeFault,
        wait,
        render: renderLarge,
      };
      if (await handleGeminiRequest(request, response, url, record, geminiContext)) return;
      if (request.method === 'POST' && url.pathname === '/v1/images/generations')
        return handleImages(request, response, 'generation', record);
      if (request.method === 'POST' && url.pathname === '/v1/images/edits') return handleImages(request, response, 'edit', record);
      if (request.method === 'POST' && url.pathname === '/v1/images/variations')
        throw new ApiError(404, 'The variations endpoint has been shut down.', null, 'not_found');
      authenticate(request);
      const listed = options.availableModels ?? Object.keys(fakeModelRules);
      if (request.method === 'GET' && url.pathname === '/v1/models') {
        sendJson(response, 200, {
          object: 'list',
          data: listed.map((id) => ({ id, object: 'model', created: 1_767_225_600, owned_by: 'system' })),
        });
        return;
      }
      const single = /^\/v1\/models\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && single) {
        const id = decodeURIComponent(single[1] ?? '');
        if (!listed.includes(id)) throw new ApiError(404, `The model '${id}' does not exist`, 'model', 'model_not_found');
        sendJson(response, 200, { id, object: 'model', created: 1_767_225_600, owned_by: 'system' });
        return;
      }
      throw new ApiError(404, `Invalid URL (${request.method} ${url.pathname})`, null, null);
    };
    handle().catch((error: unknown) => {
      if (response.headersSent) return response.end();
      if (error instanceof ApiError) return sendError(response, error);
      sendError(response, new ApiError(500, 'The fake server failed unexpectedly.', null, null, 'server_error'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    injectFault(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same server under a vendor-neutral name: it answers OpenAI and Gemini requests alike. */
export const createFakeProviderServer = createFakeOpenAIServer;
