import type { APIConnectionError, APIError } from 'openai';
import { ImageGenError, isAbortError, toImageGenError } from '@imagegen/common';
import { parseRetryAfter } from '../retry/retry-after';
import { openaiSdk } from './openai-sdk';

/** What the mapping needs to know about the failed call. */
export interface OpenAIErrorContext {
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
  /** The current time, to read `Retry-After` dates. */
  now: Date;
}

const provider = 'openai';

/**
 * Turns whatever the OpenAI SDK threw into an `ImageGenError` with an actionable message. Vendor messages are
 * passed on with anything that looks like a key masked; a 401's message is never passed on (it echoes part of the key).
 */
export function mapOpenAIError(error: unknown, context: OpenAIErrorContext): ImageGenError {
  if (ImageGenError.isInstance(error)) return error;
  if (context.callerSignal?.aborted === true) {
    return new ImageGenError({ code: 'cancelled', message: 'The OpenAI request was cancelled.', provider, cause: error });
  }
  // Only a loaded SDK can have thrown one of its own errors.
  const sdk = openaiSdk.loaded();
  if (context.timedOut || (sdk !== undefined && error instanceof sdk.APIConnectionTimeoutError)) {
    return new ImageGenError({
      code: 'timeout',
      message:
        `OpenAI did not answer within ${Math.round(context.timeoutMs / 1000)} s. High-quality images can take over two ` +
        'minutes: raise the OpenAI timeout (PROVIDERS__OPENAI__TIMEOUT) or ask for a lower quality.',
      retryable: true,
      provider,
      cause: error,
    });
  }
  if ((sdk !== undefined && error instanceof sdk.APIUserAbortError) || isAbortError(error)) {
    return new ImageGenError({ code: 'cancelled', message: 'The OpenAI request was cancelled.', provider, cause: error });
  }
  if (sdk !== undefined && error instanceof sdk.APIConnectionError) {
    const reason = connectionReason(error);
    return new ImageGenError({
      code: 'upstream_unavailable',
      message: `Could not reach the OpenAI API${reason}; check the network and PROVIDERS__OPENAI__BASE_URL.`,
      retryable: true,
      provider,
      cause: error,
    });
  }
  if (sdk !== undefined && error instanceof sdk.APIError) return mapApiError(error, context);
  return toImageGenError(error);
}

function mapApiError(error: APIError, context: OpenAIErrorContext): ImageGenError {
  const status = error.status;
  const requestId = error.requestID ?? undefined;
  const body = asRecord(error.error);
  const vendorMessage = redact(typeof body['message'] === 'string' ? body['message'] : '');
  const said = vendorMessage === '' ? '' : ` OpenAI said: ${vendorMessage}`;
  const retryAfterMs = parseRetryAfter(error.headers, context.now);
  const serverSaysNoRetry = error.headers?.get('x-should-retry') === 'false';
  const base = {
    provider,
    requestId,
    cause: error,
    ...(status === undefined ? {} : { statusCode: status }),
  };
  const vendorDetails = {
    ...(error.code ? { vendorCode: error.code } : {}),
    ...(error.param ? { param: error.param } : {}),
  };
  const model = context.modelId ?? 'the model';

  if (error.code === 'moderation_blocked') return contentBlocked(error, body, context, base);

  const transient = (code: 'rate_limited' | 'upstream_unavailable', message: string): ImageGenError =>
    new ImageGenError({
      ...base,
      code,
      message,
      retryable: !serverSaysNoRetry,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      details: vendorDetails,
    });

  switch (true) {
    case status === 401:
      return new ImageGenError({
        ...base,
        code: 'authentication_failed',
        message: 'OpenAI rejected the API key (401): check PROVIDERS__OPENAI__API_KEY (and the organization/project ids if set).',
      });
    case status === 403:
      return new ImageGenError({
        ...base,
        code: 'permission_denied',
        message:
          `This OpenAI key has no access to ${model} (403). GPT image models can require organization verification ` +
          "(platform.openai.com → Settings → Organization → General); also check the project's model permissions." +
          said,
        details: { ...vendorDetails, model: context.modelId },
      });
    case status === 404: {
      const aboutModel =
        context.operation !== 'list-models' &&
        (error.code === 'model_not_found' || error.param === 'model' || /model/i.test(vendorMessage));
      if (aboutModel) {
        return new ImageGenError({
          ...base,
          code: 'model_not_found',
          message: `OpenAI does not offer ${model} to this key (404); check the model id or list the models the key can use.${said}`,
          details: { ...vendorDetails, model: context.modelId },
        });
      }
      return new ImageGenError({
        ...base,
        code: 'upstream_error',
        message: `OpenAI answered 404 Not Found; check PROVIDERS__OPENAI__BASE_URL.${said}`,
        details: vendorDetails,
      });
    }
    case status === 429:
      if (error.code === 'insufficient_quota' || error.code === 'billing_hard_limit_reached') {
        return new ImageGenError({
          ...base,
          code: 'rate_limited',
          message: 'The OpenAI account is out of quota or credit (429); add credit or raise the limit at platform.openai.com → Billing.',
          retryable: false,
          details: vendorDetails,
        });
      }
      return transient(
        'rate_limited',
        `OpenAI is rate-limiting this key (429)${retryAfterMs === undefined ? '' : `; retry in ${Math.ceil(retryAfterMs / 1000)} s`}.${said}`,
      );
    case status === 408 || status === 409 || (status !== undefined && status >= 500):
      return transient('upstream_unavailable', `OpenAI is unavailable right now (HTTP ${status}); try again shortly.${said}`);
    case status === 400 || status === 422:
      return new ImageGenError({
        ...base,
        code: 'invalid_request',
        message: `OpenAI refused the request (${status}).${said || ' No reason was given.'}`,
        details: { ...vendorDetails, ...(error.param ? { setting: error.param } : {}) },
      });
    case status === undefined:
      // An error event inside a stream: only the vendor's code says what it was.
      if (error.code === 'rate_limit_exceeded') return transient('rate_limited', `OpenAI is rate-limiting this key.${said}`);
      if (error.code === 'server_error') return transient('upstream_unavailable', `OpenAI failed while streaming the image.${said}`);
      return new ImageGenError({
        ...base,
        code: 'upstream_error',
        message: `OpenAI reported an error while streaming the image.${said || ' No reason was given.'}`,
        details: vendorDetails,
      });
    default:
      return new ImageGenError({
        ...base,
        code: 'upstream_error',
        message: `OpenAI answered HTTP ${status}.${said}`,
        details: vendorDetails,
      });
  }
}

function contentBlocked(
  error: APIError,
  body: Record<string, unknown>,
  context: OpenAIErrorContext,
  base: { provider: string; requestId: string | undefined; cause: unknown; statusCode?: number },
): ImageGenError {
  const moderation = asRecord(body['moderation_details']);
  const vendorStage = typeof moderation['moderation_stage'] === 'string' ? moderation['moderation_stage'] : undefined;
  const categories = Array.isArray(moderation['categories'])
    ? moderation['categories'].filter((category): category is string => typeof category === 'string')
    : undefined;
  const stage = vendorStage === 'input' ? 'prompt' : vendorStage === 'output' ? 'image' : 'unknown';
  const subject =
    stage === 'prompt'
      ? context.operation === 'edit'
        ? 'the prompt or the input images'
        : 'the prompt'
      : stage === 'image'
        ? 'the generated image (the attempt may still be billed)'
        : 'this request';
  return new ImageGenError({
    ...base,
    code: 'content_blocked',
    message: `OpenAI's safety system refused ${subject}. Change the request; sending it unchanged will be refused again.`,
    retryable: false,
    details: {
      stage,
      ...(vendorStage === undefined ? {} : { moderationStage: vendorStage }),
      ...(categories === undefined ? {} : { categories }),
      vendorCode: error.code,
    },
  });
}

function connectionReason(error: APIConnectionError): string {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 3 && cause !== undefined; depth++) {
    const code = asRecord(cause)['code'];
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return ` (${code})`;
    cause = asRecord(cause)['cause'];
  }
  return '';
}

/** Masks anything shaped like an API key or bearer token, and bounds the length. */
export function redact(text: string): string {
  const masked = text.replace(/\bsk-[A-Za-z0-9_*.-]{3,}/g, 'sk-…').replace(/\bBearer\s+\S+/gi, 'Bearer …');
  return masked.length > 500 ? `${masked.slice(0, 500)}…` : masked;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
