import { throwIfAborted, type Logger } from '@imagegen/common';
import { withRetries, type ImageProvider, type ModelDefinition, type ProviderResult, type RequestPlan } from '@imagegen/providers';
import type { ProviderLimiter } from '../limits/provider-limiter';
import type { ProgressEvent } from '../engine/engine-types';

/** How the engine retries a failed provider call. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First back-off delay in milliseconds. */
  baseDelayMs?: number;
  /** Longest single wait in milliseconds (also caps a server's Retry-After). */
  maxDelayMs?: number;
}

/** What calling the provider needs. */
export interface ProviderCallContext {
  provider: ImageProvider;
  model: ModelDefinition;
  limiter?: ProviderLimiter;
  retryPolicy: RetryPolicy;
  /** Aborts the wait for a slot and the vendor request (the job decides when it may fire). */
  signal: AbortSignal;
  /** Called just before the first request goes out to the vendor. */
  onReachingProvider: () => void;
  progress: (event: Omit<ProgressEvent, 'elapsedMs'>) => void;
  log: Logger;
}

/**
 * Step: the paid part. Splits the request into calls of at most the model's images per call, each through the
 * provider's limiter and with retries, and returns every call's answer.
 */
export async function callProvider(plan: RequestPlan, context: ProviderCallContext): Promise<ProviderResult[]> {
  const { provider, model, limiter, retryPolicy: policy, progress, log } = context;
  const perCall = Math.max(1, plan.call.n);
  const batches: number[] = [];
  for (let remaining = plan.totalImages; remaining > 0; remaining -= perCall) batches.push(Math.min(perCall, remaining));
  const attempt = (count: number, batchIndex: number) => () => {
    // A request cancelled while it waited for a slot must not go out when the slot frees: nothing was paid yet.
    throwIfAborted(context.signal);
    context.onReachingProvider();
    const signal = context.signal;
    return withRetries(
      () => {
        progress({ stage: 'requesting', message: `Asking ${model.id} for ${count} image(s).` });
        const call = {
          ...plan.call,
          n: count,
          signal,
          onPartialImage: (event: { imageIndex: number; partialIndex: number; data: Uint8Array; mimeType: string }) =>
            progress({
              stage: 'partial_image',
              message: `Partial image ${event.partialIndex + 1} received.`,
              partialImage: { ...event, imageIndex: event.imageIndex + batchIndex * perCall },
            }),
        };
        return plan.operation === 'edit' ? provider.edit(call) : provider.generate(call);
      },
      {
        maxRetries: policy.maxRetries,
        ...(policy.baseDelayMs === undefined ? {} : { baseDelayMs: policy.baseDelayMs }),
        ...(policy.maxDelayMs === undefined ? {} : { maxDelayMs: policy.maxDelayMs }),
        signal,
        onRetry: (event) => {
          log.warn('retrying provider call', { code: event.error.code, nextAttempt: event.nextAttempt, delayMs: event.delayMs });
          progress({
            stage: 'retrying',
            message: `${event.error.message} Retrying in ${Math.round(event.delayMs / 100) / 10} s (attempt ${event.nextAttempt}).`,
          });
        },
      },
    );
  };
  return Promise.all(
    batches.map((count, index) =>
      limiter
        ? limiter.run(attempt(count, index), {
            signal: context.signal,
            onQueued: (ahead) => progress({ stage: 'queued', message: `Waiting for a free slot (${ahead} ahead).` }),
          })
        : attempt(count, index)(),
    ),
  );
}
