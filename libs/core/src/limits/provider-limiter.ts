import Bottleneck from 'bottleneck';
import type { ProviderGate } from '@imagegen/cache';
import { ImageGenError, throwIfAborted } from '@imagegen/common';

/** Settings of the limiter that sits between the engine and one provider. */
export interface ProviderLimiterOptions {
  /** Provider id, for messages. */
  provider: string;
  /**
   * Upstream calls allowed per minute toward this provider; 0 means unlimited. Per provider because each vendor
   * enforces its own limit on its own key.
   */
  requestsPerMinute: number;
  /** Upstream calls in flight at once toward this provider. */
  maxConcurrency: number;
  /** Calls allowed to wait for a slot; one more is refused with `queue_full` instead of waiting forever. */
  maxQueued: number;
  /**
   * Limits shared with other replicas (Redis): when given, every call also waits for a global slot and a global
   * per-minute token, and the per-minute budget is counted there instead of in this process.
   */
  sharedGate?: ProviderGate;
}

/** What a waiting call can be told while it waits. */
export interface LimiterRunOptions {
  /** Aborts the wait (and the call, if it started). */
  signal?: AbortSignal;
  /** Called once when the call has to wait for a slot, with how many calls are ahead of it. */
  onQueued?: (waitingAhead: number) => void;
}

/**
 * Queues upstream calls so a burst never fails at once: a requests-per-minute budget (refilled every minute)
 * and a concurrency cap per provider, with a bounded queue. Built on Bottleneck.
 */
export interface ProviderLimiter {
  /** Runs `operation` when the budget and a concurrency slot allow; rejects with `cancelled` if aborted while waiting. */
  run<T>(operation: () => Promise<T>, options?: LimiterRunOptions): Promise<T>;
  /** Calls waiting and running now. */
  counts(): { queued: number; running: number };
  /** Stops the refill timer; waiting calls are rejected with `cancelled`, running ones finish. */
  close(): Promise<void>;
}

export function createProviderLimiter(options: ProviderLimiterOptions): ProviderLimiter {
  const concurrency = new Bottleneck({
    maxConcurrent: options.maxConcurrency,
    highWater: options.maxQueued,
    strategy: Bottleneck.strategy.OVERFLOW,
    ...(options.requestsPerMinute > 0 && !options.sharedGate
      ? {
          reservoir: options.requestsPerMinute,
          reservoirRefreshAmount: options.requestsPerMinute,
          reservoirRefreshInterval: 60_000,
        }
      : {}),
  });
  let closed = false;
  const inFlight = () => {
    const counts = concurrency.counts();
    return counts.RECEIVED + counts.QUEUED + counts.RUNNING + counts.EXECUTING;
  };

  return {
    async run(operation, runOptions = {}) {
      const { signal, onQueued } = runOptions;
      throwIfAborted(signal);
      const waitingAhead = inFlight() - options.maxConcurrency + 1;
      if (waitingAhead > 0) onQueued?.(waitingAhead);
      const scheduled = concurrency.schedule(async () => {
        // A call aborted while queued still reaches the front; it must not reach the provider.
        throwIfAborted(signal);
        if (!options.sharedGate) return operation();
        const release = await options.sharedGate.acquire(signal);
        try {
          return await operation();
        } finally {
          await release();
        }
      });
      const guarded = scheduled.catch((error: unknown) => {
        if (error instanceof Bottleneck.BottleneckError && closed) {
          throw new ImageGenError({ code: 'cancelled', message: 'The server is shutting down; the request was not sent.' });
        }
        if (error instanceof Bottleneck.BottleneckError) {
          throw new ImageGenError({
            code: 'queue_full',
            message: `Too many image requests are already waiting for ${options.provider} (${options.maxQueued} queued). Try again shortly.`,
            provider: options.provider,
            retryable: true,
          });
        }
        throw error;
      });
      if (!signal) return guarded;
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' }));
        signal.addEventListener('abort', onAbort, { once: true });
        guarded.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
        // The scheduled job settles on its own later; its outcome no longer matters to this caller.
        scheduled.catch(() => undefined);
      });
    },
    counts() {
      const counts = concurrency.counts();
      return { queued: counts.QUEUED + counts.RECEIVED, running: counts.RUNNING + counts.EXECUTING };
    },
    async close() {
      if (closed) return;
      closed = true;
      // Waiting calls are rejected; calls already running finish (their callers are still waiting for them).
      await concurrency.stop({ dropWaitingJobs: true });
      await concurrency.disconnect(false);
    },
  };
}
