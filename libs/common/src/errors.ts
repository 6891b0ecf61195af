/**
 * The one error family of imagegen. Every failure a user can act on is an `ImageGenError` with a stable
 * `code`, so apps can map it to an exit code, an HTTP status or an MCP `isError` result without parsing
 * messages. Messages are written for a person and never contain a secret or a stack trace.
 */

const imageGenErrorMarker = Symbol.for('imagegen.error');

/**
 * Stable, documented failure codes. Apps switch on these; messages may change, codes may not.
 *
 * - `invalid_request`: a parameter or combination the chosen model does not accept.
 * - `invalid_image`: input bytes that are not a usable image (bad base64, not an image, too large, bomb, mask mismatch).
 * - `invalid_config`: a setting that failed validation at start.
 * - `model_not_found`: a model id the registry does not know.
 * - `model_retired`: a model the vendor has shut down; `details.replacement` names what to use.
 * - `provider_not_configured`: the provider of the requested model has no key or is disabled.
 * - `authentication_failed`: the provider rejected the key.
 * - `permission_denied`: the key has no access to the model or the organisation is not verified.
 * - `rate_limited`: the provider or this server's own limiter refused for now; retry after `retryAfterMs`.
 * - `content_blocked`: the provider's safety system refused the prompt or the image.
 * - `timeout`: the provider did not answer within the configured timeout.
 * - `cancelled`: the caller aborted the operation.
 * - `upstream_unavailable`: the provider answered 5xx or could not be reached.
 * - `upstream_error`: the provider answered with something this server could not use.
 * - `budget_exceeded`: a configured daily or monthly spending cap was reached.
 * - `not_found`: a stored image id that does not exist.
 * - `storage_failed`: the image could not be written or read (disk full, permissions).
 * - `queue_full`: too much work is already waiting for the provider.
 * - `internal`: a defect in imagegen itself.
 */
export type ImageGenErrorCode =
  | 'invalid_request'
  | 'invalid_image'
  | 'invalid_config'
  | 'model_not_found'
  | 'model_retired'
  | 'provider_not_configured'
  | 'authentication_failed'
  | 'permission_denied'
  | 'rate_limited'
  | 'content_blocked'
  | 'timeout'
  | 'cancelled'
  | 'upstream_unavailable'
  | 'upstream_error'
  | 'budget_exceeded'
  | 'not_found'
  | 'storage_failed'
  | 'queue_full'
  | 'internal';

/** What a caller passes to build an `ImageGenError`. */
export interface ImageGenErrorOptions {
  /** Stable failure code; see {@link ImageGenErrorCode}. */
  code: ImageGenErrorCode;
  /** A sentence a person can act on. Never a secret, never a stack trace. */
  message: string;
  /** Whether repeating the same call later may succeed (rate limits, 5xx, time-outs). */
  retryable?: boolean;
  /** The provider involved (`openai`, `gemini`), when there is one. */
  provider?: string;
  /** The HTTP status the provider answered with, when there was one. */
  statusCode?: number;
  /** The provider's request id (`x-request-id`), for support tickets. */
  requestId?: string;
  /** How long to wait before retrying, in milliseconds, when known. */
  retryAfterMs?: number;
  /** Structured facts for programs: allowed values, the setting name, the replacement model, … */
  details?: Record<string, unknown>;
  /** The underlying error, kept for logs; never shown to MCP clients. */
  cause?: unknown;
}

export class ImageGenError extends Error {
  readonly [imageGenErrorMarker] = true;
  /** Stable failure code. */
  readonly code: ImageGenErrorCode;
  /** Whether repeating the call later may succeed. */
  readonly retryable: boolean;
  /** Provider involved, when there is one. */
  readonly provider: string | undefined;
  /** HTTP status answered by the provider, when there was one. */
  readonly statusCode: number | undefined;
  /** Provider request id, when there was one. */
  readonly requestId: string | undefined;
  /** Suggested wait before a retry, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** Structured facts for programs. */
  readonly details: Record<string, unknown>;

  constructor(options: ImageGenErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ImageGenError';
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.provider = options.provider;
    this.statusCode = options.statusCode;
    this.requestId = options.requestId;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }

  /**
   * True for any `ImageGenError`, even one created by another copy of this package (two installed
   * versions would make `instanceof` fail, which is why a registered symbol marks the family).
   */
  static isInstance(value: unknown): value is ImageGenError {
    return typeof value === 'object' && value !== null && imageGenErrorMarker in value;
  }

  /** A plain, secret-free object for logs and structured tool results. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.provider === undefined ? {} : { provider: this.provider }),
      ...(this.statusCode === undefined ? {} : { statusCode: this.statusCode }),
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(Object.keys(this.details).length === 0 ? {} : { details: this.details }),
    };
  }
}

/**
 * Turns anything thrown into an `ImageGenError`: family members pass through, abort errors become
 * `cancelled`, everything else becomes `internal` with a generic message (the original is kept as `cause`
 * for logs, because its text may hold paths or secrets).
 */
export function toImageGenError(error: unknown): ImageGenError {
  if (ImageGenError.isInstance(error)) return error;
  if (isAbortError(error)) {
    return new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.', cause: error });
  }
  return new ImageGenError({
    code: 'internal',
    message: 'An unexpected internal error occurred; the server log has the details.',
    cause: error,
  });
}

/** True for the errors `AbortController.abort()` produces in Node and in fetch implementations. */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}

/** Throws `cancelled` when the signal has fired; call at each step of a long operation. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });
  }
}
