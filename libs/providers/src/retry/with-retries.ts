import { backOff } from 'exponential-backoff';
import { ImageGenError } from '@imagegen/common';

/** One retry about to happen, for logs and progress messages. */
export interface RetryEvent {
  /** The attempt that is about to start (2 for the first retry). */
  nextAttempt: number;
  /** How long the helper waits first, in milliseconds. */
  delayMs: number;
  /** The retryable failure of the previous attempt. */
  error: ImageGenError;
}

/** How {@link withRetries} retries. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2 (three attempts in all). */
  maxRetries?: number;
  /** First back-off delay; doubles per retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest single wait, also the cap on a server's `retryAfterMs`. Default 60 000 ms. */
  maxDelayMs?: number;
  /** Aborting stops at once, during an attempt's set-up or a wait, with `cancelled`. */
  signal?: AbortSignal;
  /** Called before each wait. */
  onRetry?: (event: RetryEvent) => void;
  /** Waits `delayMs`; injectable so tests run instantly. The helper stops on abort even if this ignores `signal`. */
  sleep?: (delayMs: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1); injectable for deterministic tests. Default `Math.random`. */
  random?: () => number;
}

/**
 * Runs `operation` and retries it on failures that may pass: `ImageGenError`s with `retryable: true` (rate limits,
 * time-outs, 5xx, unreachable provider). It never retries `content_blocked`, `cancelled`, other 4xx answers or foreign
 * errors; those are rethrown untouched. The wait is the error's `retryAfterMs` (capped at `maxDelayMs`) when the
 * server named one, else exponential back-off with jitter: between half and all of `min(maxDelayMs, base × 2^retry)`.
 * `operation` receives the 1-based attempt number.
 */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 2));
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const signal = options.signal;
  let attempt = 0;

  // exponential-backoff runs the attempt loop and the retry decision; its own timer is set to zero because the wait
  // happens in `retry` below, where it can honour Retry-After, be injected and be aborted.
  return backOff(
    () => {
      throwIfCancelled(signal);
      attempt += 1;
      return operation(attempt);
    },
    {
      numOfAttempts: maxRetries + 1,
      startingDelay: 0,
      maxDelay: 0,
      jitter: 'none',
      delayFirstAttempt: false,
      retry: async (error: unknown, failedAttempts: number) => {
        if (failedAttempts > maxRetries || !isRetryable(error)) return false;
        throwIfCancelled(signal);
        const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempts - 1));
        const delayMs =
          error.retryAfterMs !== undefined
            ? Math.min(error.retryAfterMs, maxDelayMs)
            : Math.round(exponential / 2 + (random() * exponential) / 2);
        options.onRetry?.({ nextAttempt: failedAttempts + 1, delayMs, error });
        await waitUnlessAborted(sleep, delayMs, signal);
        return true;
      },
    },
  );
}

/** Whether {@link withRetries} would retry `error`. */
export function isRetryable(error: unknown): error is ImageGenError {
  if (!ImageGenError.isInstance(error) || !error.retryable) return false;
  if (error.code === 'content_blocked' || error.code === 'cancelled') return false;
  const status = error.statusCode;
  const retryableStatus = status === undefined || status >= 500 || status === 408 || status === 409 || status === 429;
  return retryableStatus;
}

function cancelled(): ImageGenError {
  return new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

function waitUnlessAborted(
  sleep: (delayMs: number, signal?: AbortSignal) => Promise<void>,
  delayMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal === undefined) return sleep(delayMs);
  return new Promise<void>((resolve, reject) => {
    // An abort that fired before the wait began (e.g. from `onRetry`) sends no further event.
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(delayMs, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(cancelled());
        else resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? cancelled() : error);
      },
    );
  });
}

/** A timer that ends early (rejecting) when `signal` fires. */
function abortableSleep(delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
