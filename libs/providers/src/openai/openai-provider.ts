import type OpenAI from 'openai';
import type { ImagesResponse } from 'openai/resources/images';
import { ImageGenError, silentLogger, systemClock, type Logger } from '@imagegen/common';
import type { GeneratedImageData, ImageProvider, ProviderCall, ProviderResult, ProviderUsage, RequestWarning } from '../contract';
import { costFromUsage } from '../cost/cost-from-usage';
import { decodeBase64Image } from '../media/image-bytes';
import { defaultProviderTimeoutMs, type CommonProviderSettings } from '../provider-support/common-provider-settings';
import { readJsonAnswer } from '../provider-support/non-json-answer';
import { guardProviderCall } from '../provider-support/provider-call-guard';
import { startDeadline } from '../provider-support/start-deadline';
import { mapOpenAIError } from './openai-error-mapping';
import { openaiSdk } from './openai-sdk';
import { parseOpenAIProviderOptions } from './openai-provider-options';
import { editBody, generationBody } from './openai-request-body';

/** Settings of the OpenAI provider; the app reads them from its configuration (never from the environment here). */
export interface OpenAIProviderSettings extends CommonProviderSettings {
  /** The API key. Required; never logged or put in messages. */
  apiKey: string;
  /** API base URL. Default `https://api.openai.com/v1`. */
  baseUrl?: string;
  /** `OpenAI-Organization` header, when the key belongs to several organizations. */
  organization?: string;
  /** `OpenAI-Project` header. */
  project?: string;
}

/** The default API base URL. */
export const defaultOpenAIBaseUrl = 'https://api.openai.com/v1';

/**
 * Builds the OpenAI image provider on the official SDK. The SDK's own retries are off (`maxRetries: 0`): the engine
 * retries with `withRetries`, so one failed call is never retried twice over (by the SDK and by the engine) and an
 * image that took minutes is never paid for twice behind the caller's back. Throws `provider_not_configured` without a key.
 */
export function createOpenAIProvider(settings: OpenAIProviderSettings): ImageProvider {
  if (typeof settings.apiKey !== 'string' || settings.apiKey.trim() === '') {
    throw new ImageGenError({
      code: 'provider_not_configured',
      message: 'OpenAI needs an API key: set PROVIDERS__OPENAI__API_KEY.',
      provider: 'openai',
    });
  }
  const logger = (settings.logger ?? silentLogger).child({ provider: 'openai' });
  const clock = settings.clock ?? systemClock;
  const timeoutMs = settings.timeoutMs ?? defaultProviderTimeoutMs;
  // The client (and the SDK) come into being on the first call: starting a server costs no SDK load.
  let clientPromise: Promise<OpenAI> | undefined;
  const client = (): Promise<OpenAI> =>
    (clientPromise ??= openaiSdk.load().then(
      ({ default: OpenAIClient }) =>
        new OpenAIClient({
          apiKey: settings.apiKey,
          // Explicit values (null included) stop the SDK from reading OPENAI_* environment variables behind the app's back.
          baseURL: settings.baseUrl ?? defaultOpenAIBaseUrl,
          organization: settings.organization ?? null,
          project: settings.project ?? null,
          adminAPIKey: null,
          webhookSecret: null,
          timeout: timeoutMs,
          maxRetries: 0,
          logLevel: 'warn',
          logger: {
            error: (message: string) => logger.error(`openai sdk: ${message}`),
            warn: (message: string) => logger.warn(`openai sdk: ${message}`),
            info: (message: string) => logger.info(`openai sdk: ${message}`),
            debug: (message: string) => logger.debug(`openai sdk: ${message}`),
          },
          ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
        }),
    ));

  const run = async (operation: 'generate' | 'edit', call: ProviderCall): Promise<ProviderResult> => {
    guardProviderCall('openai', 'OpenAI', operation, call);
    const extra = parseOpenAIProviderOptions(call);
    const stream = (call.partialImages ?? 0) > 0;
    const deadline = startDeadline(timeoutMs, call.signal);
    const startedAt = clock.now().getTime();
    try {
      const outcome = stream
        ? await runStreaming(await client(), operation, call, extra, deadline.signal, logger)
        : await runOnce(await client(), operation, call, extra, deadline.signal, logger);
      const result = toResult(call, outcome);
      logger.debug('openai image call finished', {
        model: call.model.id,
        operation,
        images: result.images.length,
        requestId: result.requestId,
        durationMs: clock.now().getTime() - startedAt,
      });
      return result;
    } catch (error) {
      const mapped = mapOpenAIError(error, {
        modelId: call.model.id,
        operation,
        timedOut: deadline.timedOut(),
        timeoutMs,
        now: clock.now(),
        ...(call.signal === undefined ? {} : { callerSignal: call.signal }),
      });
      logger.warn('openai image call failed', {
        model: call.model.id,
        operation,
        code: mapped.code,
        statusCode: mapped.statusCode,
        requestId: mapped.requestId,
        durationMs: clock.now().getTime() - startedAt,
      });
      throw mapped;
    } finally {
      deadline.dispose();
    }
  };

  return {
    id: 'openai',
    generate: (call) => run('generate', call),
    edit: (call) => run('edit', call),
    async listAvailableModels(signal) {
      const deadline = startDeadline(timeoutMs, signal);
      try {
        const ids: string[] = [];
        for await (const model of (await client()).models.list({ signal: deadline.signal })) ids.push(model.id);
        return ids;
      } catch (error) {
        throw mapOpenAIError(error, {
          operation: 'list-models',
          timedOut: deadline.timedOut(),
          timeoutMs,
          now: clock.now(),
          ...(signal === undefined ? {} : { callerSignal: signal }),
        });
      } finally {
        deadline.dispose();
      }
    },
  };
}

/** What one call produced, before it becomes a `ProviderResult`. */
interface CallOutcome {
  images: GeneratedImageData[];
  usage?: ProviderUsage;
  requestId?: string;
  /** The background the API says it used (`transparent` or `opaque`). */
  background?: string;
}

type VendorUsage = ImagesResponse.Usage | undefined;

async function runOnce(
  client: OpenAI,
  operation: 'generate' | 'edit',
  call: ProviderCall,
  extra: Record<string, string | number | boolean>,
  signal: AbortSignal,
  logger: Logger,
): Promise<CallOutcome> {
  // The raw answer, read here: the SDK's own parse turns a body that is not JSON into an error that says nothing.
  const response =
    operation === 'generate'
      ? await client.images.generate(generationBody(call, extra, false), { signal }).asResponse()
      : await client.images.edit(await editBody(call, extra, false), { signal }).asResponse();
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const body: unknown = await readJsonAnswer(response, {
    provider: 'openai',
    vendorName: 'OpenAI',
    baseUrlSetting: 'PROVIDERS__OPENAI__BASE_URL',
    logger,
    ...(requestId === undefined ? {} : { requestId }),
  });
  const items = typeof body === 'object' && body !== null ? (body as Partial<ImagesResponse>).data : undefined;
  const images = Array.isArray(items) ? items.map((item) => decodeBase64Image(item?.b64_json)) : [];
  if (images.length === 0 || images.some((image) => image === undefined)) {
    throw malformedResponse('the response held no usable b64_json image', requestId);
  }
  const answer = body as ImagesResponse;
  const usage = withSvgUsage(toUsage(answer.usage), answer.svg_usage);
  return {
    images: images as GeneratedImageData[],
    ...(usage === undefined ? {} : { usage }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(typeof answer.background === 'string' ? { background: answer.background } : {}),
  };
}

async function runStreaming(
  client: OpenAI,
  operation: 'generate' | 'edit',
  call: ProviderCall,
  extra: Record<string, string | number | boolean>,
  signal: AbortSignal,
  logger: Logger,
): Promise<CallOutcome> {
  const response =
    operation === 'generate'
      ? await client.images.generate({ ...generationBody(call, extra, true), stream: true }, { signal }).withResponse()
      : await client.images.edit({ ...(await editBody(call, extra, true)), stream: true }, { signal }).withResponse();
  const requestId = response.request_id ?? undefined;
  const images: GeneratedImageData[] = [];
  let usage: ProviderUsage | undefined;
  let background: string | undefined;

  for await (const event of response.data) {
    if (event.type === 'image_generation.partial_image' || event.type === 'image_edit.partial_image') {
      const partial = decodeBase64Image(event.b64_json);
      if (partial === undefined || call.onPartialImage === undefined) continue;
      try {
        // The API does not say which image a partial belongs to; partials precede their image's completed event.
        call.onPartialImage({ imageIndex: images.length, partialIndex: event.partial_image_index, ...partial });
      } catch (listenerError) {
        logger.warn('a partial-image listener threw; the generation continues', {
          error: listenerError instanceof Error ? listenerError.name : typeof listenerError,
        });
      }
    } else if (event.type === 'image_generation.completed' || event.type === 'image_edit.completed') {
      const image = decodeBase64Image(event.b64_json);
      if (image === undefined) throw malformedResponse('a completed event held no usable b64_json image', requestId);
      images.push(image);
      usage = addUsage(usage, toUsage(event.usage));
      if (typeof event.background === 'string') background = event.background;
    }
  }
  // The SDK ends the iteration quietly when the request is aborted; the caller must still see a failure.
  if (signal.aborted) throw new DOMException('The stream was aborted.', 'AbortError');
  if (images.length === 0) throw malformedResponse('the stream ended without a completed image', requestId);
  return {
    images,
    ...(usage === undefined ? {} : { usage }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(background === undefined ? {} : { background }),
  };
}

function toResult(call: ProviderCall, outcome: CallOutcome): ProviderResult {
  const warnings: RequestWarning[] = [];
  if (outcome.images.length < call.n) {
    warnings.push({
      type: 'other',
      setting: 'n',
      message: `OpenAI returned ${outcome.images.length} of the ${call.n} images asked for.`,
    });
  }
  if (call.background === 'transparent' && outcome.background !== undefined && outcome.background !== 'transparent') {
    warnings.push({
      type: 'other',
      setting: 'background',
      message: `A transparent background was asked for, but ${call.model.id} answered with a ${outcome.background} one (transparency is in preview on this model).`,
    });
  }
  const authoring = outcome.usage?.svgAuthoring;
  if (authoring !== undefined) {
    warnings.push({
      type: 'other',
      setting: 'cost',
      message: `Writing the SVG took ${authoring.inputTokens} input and ${authoring.outputTokens} output tokens${authoring.model ? ` of ${authoring.model}` : ''}; OpenAI publishes no separate price for them, so they are counted at ${call.model.id}'s own rates (an upper bound).`,
    });
  }
  const costUsd = costFromUsage(call.model, outcome.usage);
  return {
    images: outcome.images,
    warnings,
    ...(outcome.usage === undefined ? {} : { usage: outcome.usage }),
    ...(costUsd === undefined ? {} : { costUsd }),
    ...(outcome.requestId === undefined ? {} : { requestId: outcome.requestId }),
  };
}

function toUsage(usage: VendorUsage): ProviderUsage | undefined {
  if (usage === undefined || usage === null) return undefined;
  const details = usage.input_tokens_details;
  // Without a breakdown the input of a generation is all prompt text.
  const inputTextTokens = details?.text_tokens ?? usage.input_tokens;
  const result: ProviderUsage = {};
  if (typeof inputTextTokens === 'number') result.inputTextTokens = inputTextTokens;
  if (typeof details?.image_tokens === 'number') result.inputImageTokens = details.image_tokens;
  if (typeof usage.output_tokens === 'number') result.outputTokens = usage.output_tokens;
  if (typeof usage.total_tokens === 'number') result.totalTokens = usage.total_tokens;
  return result;
}

/**
 * Adds the SVG author's tokens (`svg_usage`, reported apart from the rendering usage). Its model is not an image model
 * and its price is not published with the image prices, so the cost counts them at the image model's text-input and
 * image-output rates: higher than any text model's published rates, so the ledger never under-counts.
 */
function withSvgUsage(usage: ProviderUsage | undefined, svgUsage: ImagesResponse.SvgUsage | undefined): ProviderUsage | undefined {
  if (svgUsage === undefined || svgUsage === null || typeof svgUsage.output_tokens !== 'number') return usage;
  return {
    ...usage,
    svgAuthoring: {
      ...(typeof svgUsage.model === 'string' ? { model: svgUsage.model } : {}),
      inputTokens: typeof svgUsage.input_tokens === 'number' ? svgUsage.input_tokens : 0,
      outputTokens: svgUsage.output_tokens,
    },
  };
}

function addUsage(left: ProviderUsage | undefined, right: ProviderUsage | undefined): ProviderUsage | undefined {
  if (left === undefined) return right;
  if (right === undefined) return left;
  const sum = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
  const result: ProviderUsage = {};
  for (const key of ['inputTextTokens', 'inputImageTokens', 'outputTokens', 'totalTokens'] as const) {
    const value = sum(left[key], right[key]);
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function malformedResponse(what: string, requestId: string | undefined): ImageGenError {
  return new ImageGenError({
    code: 'upstream_error',
    message: `OpenAI answered with something this server could not use: ${what}.`,
    provider: 'openai',
    ...(requestId === undefined ? {} : { requestId }),
  });
}
