import type { ApiError } from '@google/genai';
import { ImageGenError, isAbortError, toImageGenError } from '@imagegen/common';
import { parseRetryAfter } from '../retry/retry-after';
import { googleGenAISdk } from './google-genai-sdk';

/** What the mapping needs to know about the failed call. */
export interface GeminiErrorContext {
  /** The model id sent, for messages. */
  modelId?: string;
  /** What was attempted. */
  operation: 'generate' | 'edit' | 'list-models';
  /** The caller's signal: when it fired, the failure is a cancellation whatever the SDK says. */
  callerSignal?: AbortSignal;
  /** Whether this provider's own deadline fired. */
  timedOut: boolean;
  /** The deadline, for the message. */
  timeoutMs: number;
  /** `Retry-After` of the failed response, when the transport saw one (the SDK's error carries no headers). */
  retryAfterHeader?: string | null;
  /** The current time, to read `Retry-After` dates. */
  now: Date;
  /** Whether the provider runs against Vertex AI (changes which settings the messages name). */
  vertexai: boolean;
}

/** The JSON error body Google APIs answer with. */
interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<{ '@type'?: string; reason?: string; retryDelay?: string }>;
}

const provider = 'gemini';

/**
 * Turns whatever `@google/genai` threw into an `ImageGenError` with an actionable message. The SDK's `ApiError`
 * message is the raw JSON body; its `message`, `status` and `details` (RetryInfo, ErrorInfo reasons) are read from it.
 * Anything that looks like a key is masked before a vendor message is passed on.
 */
export function mapGeminiError(error: unknown, context: GeminiErrorContext): ImageGenError {
  if (ImageGenError.isInstance(error)) return error;
  if (context.callerSignal?.aborted === true) {
    return new ImageGenError({ code: 'cancelled', message: 'The Gemini request was cancelled.', provider, cause: error });
  }
  const keySetting = context.vertexai
    ? 'PROVIDERS__GEMINI__API_KEY (or the Vertex AI credentials)'
    : 'PROVIDERS__GEMINI__API_KEY (or GEMINI_API_KEY)';
  if (context.timedOut) {
    return new ImageGenError({
      code: 'timeout',
      message: `Gemini did not answer within ${Math.round(context.timeoutMs / 1000)} s: raise PROVIDERS__GEMINI__TIMEOUT or ask for a smaller image.`,
      retryable: true,
      provider,
      cause: error,
    });
  }
  if (isAbortError(error))
    return new ImageGenError({ code: 'cancelled', message: 'The Gemini request was cancelled.', provider, cause: error });
  // Only a loaded SDK can have thrown its own ApiError.
  const sdk = googleGenAISdk.loaded();
  if (sdk !== undefined && error instanceof sdk.ApiError) return mapApiError(error, context, keySetting);
  if (error instanceof TypeError || isConnectionError(error)) {
    return new ImageGenError({
      code: 'upstream_unavailable',
      message: 'Could not reach the Gemini API; check the network and PROVIDERS__GEMINI__BASE_URL.',
      retryable: true,
      provider,
      cause: error,
    });
  }
  if (error instanceof Error && /default credentials/i.test(error.message)) {
    return new ImageGenError({
      code: 'provider_not_configured',
      message:
        'Vertex AI needs credentials: set PROVIDERS__GEMINI__API_KEY (express mode) or run where Google Application Default Credentials are available.',
      provider,
      cause: error,
    });
  }
  return toImageGenError(error);
}

function mapApiError(error: ApiError, context: GeminiErrorContext, keySetting: string): ImageGenError {
  const status = error.status;
  const body = parseBody(error.message);
  const vendorMessage = redact(body.message ?? '');
  const said = vendorMessage === '' ? '' : ` Google said: ${vendorMessage}`;
  const reasons = (body.details ?? []).map((detail) => detail.reason).filter((reason): reason is string => typeof reason === 'string');
  const model = context.modelId ?? 'the model';
  const base = {
    provider,
    statusCode: status,
    cause: error,
    details: { ...(body.status ? { vendorStatus: body.status } : {}), ...(reasons.length ? { reasons } : {}) },
  };

  if (reasons.includes('API_KEY_INVALID') || /api key not valid|api key expired/i.test(vendorMessage) || status === 401) {
    return new ImageGenError({
      ...base,
      code: 'authentication_failed',
      message: `Google rejected the API key (${status}): check ${keySetting}.`,
    });
  }
  if (status === 403) {
    return new ImageGenError({
      ...base,
      code: 'permission_denied',
      message: `This Google key or project has no access to ${model} (403): enable the Gemini API for the project and check billing.${said}`,
    });
  }
  if (status === 404) {
    return new ImageGenError({
      ...base,
      code: 'model_not_found',
      message: `Google does not offer ${model} to this key (404); list the available models with list_available_models.${said}`,
      details: { ...base.details, model: context.modelId },
    });
  }
  if (status === 429) {
    const retryAfterMs = retryDelayOf(body) ?? parseRetryAfter(headerLookup(context.retryAfterHeader), context.now);
    return new ImageGenError({
      ...base,
      code: 'rate_limited',
      message: `Gemini's rate limit or quota was reached (429).${said}`,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 408 || status === 504) {
    return new ImageGenError({
      ...base,
      code: 'timeout',
      message: `Gemini timed out answering (${status}); try again or ask for a smaller image.`,
      retryable: true,
    });
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(headerLookup(context.retryAfterHeader), context.now);
    return new ImageGenError({
      ...base,
      code: 'upstream_unavailable',
      message: `Gemini is having trouble (${status} ${body.status ?? ''}).`.replace(' )', ')') + ' Try again shortly.',
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return new ImageGenError({
    ...base,
    code: 'invalid_request',
    message: `Gemini refused the request for ${model} (${status}).${said}`,
  });
}

function parseBody(message: string): GoogleErrorBody {
  try {
    const parsed = JSON.parse(message) as { error?: GoogleErrorBody };
    return typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : {};
  } catch {
    return { message };
  }
}

/** `RetryInfo.retryDelay` ("13s", "1.5s") in milliseconds. */
function retryDelayOf(body: GoogleErrorBody): number | undefined {
  for (const detail of body.details ?? []) {
    const match = typeof detail.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay) : null;
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}

function headerLookup(value: string | null | undefined): { get(name: string): string | null } {
  return { get: (name: string) => (name.toLowerCase() === 'retry-after' ? (value ?? null) : null) };
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ETIMEDOUT'].includes(code);
}

/** Masks anything shaped like a Google API key (AIza…) or a bearer token. */
function redact(text: string): string {
  return text.replace(/AIza[0-9A-Za-z_-]{10,}/g, 'AIza****').replace(/ya29\.[0-9A-Za-z_.-]+/g, 'ya29.****');
}
