import type { GoogleGenAI } from '@google/genai';
import { ImageGenError, silentLogger, systemClock } from '@imagegen/common';
import type { ImageProvider, ProviderCall, ProviderResult } from '../contract';
import { costFromUsage } from '../cost/cost-from-usage';
import { defaultProviderTimeoutMs, type CommonProviderSettings } from '../provider-support/common-provider-settings';
import { notJsonAnswer, sampleAnswer, type AnswerSample } from '../provider-support/non-json-answer';
import { guardProviderCall } from '../provider-support/provider-call-guard';
import { startDeadline } from '../provider-support/start-deadline';
import { mapGeminiError } from './gemini-error-mapping';
import { googleGenAISdk } from './google-genai-sdk';
import { planGeminiRequest } from './gemini-request';
import { readGeminiResponse } from './gemini-response';

/** Settings of the Gemini provider; the app reads them from its configuration (never from the environment here). */
export interface GeminiProviderSettings extends CommonProviderSettings {
  /**
   * API key. Required on the Gemini API; on Vertex AI an API key selects express mode, and without one the SDK uses
   * Google Application Default Credentials with `project` and `location`. Never logged or put in messages.
   */
  apiKey?: string;
  /** Use Vertex AI instead of the Gemini Developer API. Default false. */
  vertexai?: boolean;
  /** Google Cloud project (Vertex AI without an API key). */
  project?: string;
  /** Google Cloud location (Vertex AI). Default `global`. */
  location?: string;
  /**
   * API base URL (a proxy, a regional endpoint, or a fake server in tests). Default: Google's public endpoint for the
   * chosen API. Always passed to the SDK, so it never picks one up from the environment behind the app's back.
   */
  baseUrl?: string;
  /** API version, e.g. `v1`. Default: the SDK's (`v1` since @google/genai 3; `v1beta1` on Vertex AI). */
  apiVersion?: string;
}

/** The Gemini Developer API endpoint. */
export const defaultGeminiBaseUrl = 'https://generativelanguage.googleapis.com';
const provider = 'gemini';

/**
 * Builds the Google image provider on `@google/genai`: Gemini image models through `generateContent`, one image per
 * call (the engine fans out for `n`). The SDK neither retries nor times out by default, and no `retryOptions` are
 * given, so the engine's retry policy is the only one; the deadline and cancellation are this provider's own abort
 * signal. Throws `provider_not_configured` without credentials.
 */
export function createGeminiProvider(settings: GeminiProviderSettings): ImageProvider {
  const vertexai = settings.vertexai === true;
  const apiKey = settings.apiKey?.trim() ? settings.apiKey.trim() : undefined;
  if (apiKey === undefined && !(vertexai && settings.project)) {
    throw new ImageGenError({
      code: 'provider_not_configured',
      message: vertexai
        ? 'Vertex AI needs PROVIDERS__GEMINI__PROJECT (with Application Default Credentials) or an express-mode PROVIDERS__GEMINI__API_KEY.'
        : 'Gemini needs an API key: set PROVIDERS__GEMINI__API_KEY (or GEMINI_API_KEY).',
      provider,
    });
  }
  const logger = (settings.logger ?? silentLogger).child({ provider });
  const clock = settings.clock ?? systemClock;
  const timeoutMs = settings.timeoutMs ?? defaultProviderTimeoutMs;
  const location = settings.location ?? 'global';
  const baseUrl = settings.baseUrl ?? defaultBaseUrl(vertexai, apiKey !== undefined, location);
  const baseFetch = settings.fetch ?? globalThis.fetch;
  // The client (and the SDK) come into being on the first call: starting a server costs no SDK load.
  let clientPromise: Promise<GoogleGenAI> | undefined;
  const client = (): Promise<GoogleGenAI> =>
    (clientPromise ??= googleGenAISdk.load().then(
      ({ GoogleGenAI: GoogleGenAIClient }) =>
        new GoogleGenAIClient({
          vertexai,
          ...(apiKey === undefined ? {} : { apiKey }),
          ...(vertexai && apiKey === undefined ? { project: settings.project, location } : {}),
          ...(settings.apiVersion === undefined ? {} : { apiVersion: settings.apiVersion }),
          // Always the platform fetch (or the injected one): the SDK's own undici dispatcher fails under some runtimes.
          httpOptions: { baseUrl, fetch: baseFetch },
        }),
    ));

  const run = async (operation: 'generate' | 'edit', call: ProviderCall): Promise<ProviderResult> => {
    guardProviderCall('gemini', 'Gemini', operation, call);
    const planned = planGeminiRequest(call);
    const deadline = startDeadline(timeoutMs, call.signal);
    // The SDK's ApiError carries no headers; this per-call fetch keeps the Retry-After of a failed answer.
    let retryAfterHeader: string | null = null;
    // The start of a successful answer, for the log when the SDK then cannot parse it.
    let answerSample: AnswerSample | undefined;
    const recordingFetch: typeof globalThis.fetch = async (input, init) => {
      const response = await baseFetch(input, init);
      if (!response.ok) retryAfterHeader = response.headers.get('retry-after');
      else answerSample = await sampleAnswer(response);
      return response;
    };
    const startedAt = clock.now().getTime();
    try {
      const images = [];
      // One image per call: a Gemini answer holds one final image.
      const response = await (
        await client()
      ).models.generateContent({
        model: planned.request.model,
        contents: planned.request.contents,
        config: { ...planned.request.config, abortSignal: deadline.signal, httpOptions: { fetch: recordingFetch } },
      });
      // The SDK can resolve after an abort when the body was already read; the caller must still see a failure.
      if (deadline.signal.aborted) throw new DOMException('The request was aborted.', 'AbortError');
      const answer = readGeminiResponse(response, call.model.id);
      images.push(...answer.images.slice(0, 1));
      // The history of a later turn refers to the kept image only.
      const answerParts = answer.answerParts.filter((part) => part.imageIndex === undefined || part.imageIndex < images.length);
      // Priced by the same tier rule that chose imageSize, so the recorded cost matches what was asked for.
      const costUsd = costFromUsage(call.model, answer.usage ?? {}, {
        images: images.length,
        size: planned.pricedSize,
        ...(call.quality === undefined ? {} : { quality: call.quality }),
      });
      logger.debug('gemini image call finished', {
        model: call.model.id,
        operation,
        aspectRatio: planned.aspectRatio,
        imageSize: planned.tier,
        thinkingLevel: call.thinkingLevel,
        searchGrounding: call.searchGrounding === true,
        historyTurns: call.conversation?.length ?? 0,
        searchQueries: answer.usage?.searchQueries,
        responseId: answer.responseId,
        durationMs: clock.now().getTime() - startedAt,
      });
      return {
        images,
        warnings: [],
        ...(answer.usage === undefined ? {} : { usage: answer.usage }),
        ...(costUsd === undefined ? {} : { costUsd }),
        ...(answer.responseId === undefined ? {} : { requestId: answer.responseId }),
        ...(answer.modelVersion === undefined ? {} : { modelUsed: answer.modelVersion }),
        // Kept for a follow-up edit only on models that can continue a conversation.
        ...(call.model.capabilities.multiTurnEditing === true && answerParts.length > 0 ? { answerParts } : {}),
        ...(answer.grounding === undefined ? {} : { grounding: answer.grounding }),
      };
    } catch (error) {
      const mapped =
        isJsonSyntaxError(error) && answerSample !== undefined
          ? notJsonAnswer(answerSample, { provider, vendorName: 'Gemini', baseUrlSetting: 'PROVIDERS__GEMINI__BASE_URL', logger }, error)
          : mapGeminiError(error, {
              modelId: call.model.id,
              operation,
              timedOut: deadline.timedOut(),
              timeoutMs,
              retryAfterHeader,
              now: clock.now(),
              vertexai,
              ...(call.signal === undefined ? {} : { callerSignal: call.signal }),
            });
      logger.warn('gemini image call failed', {
        model: call.model.id,
        operation,
        code: mapped.code,
        statusCode: mapped.statusCode,
        durationMs: clock.now().getTime() - startedAt,
      });
      throw mapped;
    } finally {
      deadline.dispose();
    }
  };

  return {
    id: provider,
    generate: (call) => run('generate', call),
    edit: (call) => run('edit', call),
    async listAvailableModels(signal) {
      const deadline = startDeadline(timeoutMs, signal);
      try {
        const ids: string[] = [];
        const pager = await (await client()).models.list({ config: { abortSignal: deadline.signal, pageSize: 100 } });
        for await (const model of pager) {
          if (typeof model.name === 'string') ids.push(model.name.replace(/^(publishers\/google\/)?models\//, ''));
        }
        return ids;
      } catch (error) {
        throw mapGeminiError(error, {
          operation: 'list-models',
          timedOut: deadline.timedOut(),
          timeoutMs,
          now: clock.now(),
          vertexai,
          ...(signal === undefined ? {} : { callerSignal: signal }),
        });
      } finally {
        deadline.dispose();
      }
    },
  };
}

function defaultBaseUrl(vertexai: boolean, expressMode: boolean, location: string): string {
  if (!vertexai) return defaultGeminiBaseUrl;
  if (expressMode || location === 'global') return 'https://aiplatform.googleapis.com';
  return `https://${location}-aiplatform.googleapis.com`;
}

// By name: the error may come from another realm (the platform's body parser), where `instanceof` fails.
function isJsonSyntaxError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SyntaxError';
}
