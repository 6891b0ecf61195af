import { setTimeout as delay } from 'node:timers/promises';
import { randomInt } from 'node:crypto';
import type { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ImageGenError, silentLogger, type Logger } from '@imagegen/common';
import { tryTakeLease, type LeaseRedis } from './redis-lease';

/**
 * Provider limits shared by every replica: a call waits for one of `maxConcurrency` slots and one of the
 * `requestsPerMinute` tokens before it goes out, whichever replica makes it.
 */
export interface ProviderGate {
  /** Waits for a slot and a token; the returned function gives the slot back. Rejects with `cancelled` when `signal` fires. */
  acquire(signal?: AbortSignal): Promise<() => Promise<void>>;
}

/** Settings of {@link createRedisProviderGate}. */
export interface ProviderGateOptions {
  client: LeaseRedis;
  /** The `rate-limiter-flexible` module (loaded by the caller, so it is loaded only when Redis is configured). */
  rateLimiterModule: typeof import('rate-limiter-flexible');
  /** Prefix of the keys written (`…rate:<provider>`, `…slot:<provider>:<n>`). */
  keyPrefix: string;
  /** Provider id. */
  provider: string;
  /** Calls per minute across all replicas; 0 = unlimited. */
  requestsPerMinute: number;
  /** Calls in flight at once across all replicas. */
  maxConcurrency: number;
  /** This replica's token, written into the slots it holds. */
  owner: string;
  /** How long a slot lives without renewal: a dead replica's slots come back after this. */
  slotTtlMs: number;
  /** How often a call waiting for a slot tries again. */
  pollMs: number;
  logger?: Logger;
}

const cancelled = () => new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });

async function abortableDelay(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(milliseconds, undefined, signal ? { signal } : {});
  } catch {
    throw cancelled();
  }
}

const isRateLimiterRes = (value: unknown): value is RateLimiterRes =>
  typeof value === 'object' && value !== null && typeof (value as RateLimiterRes).msBeforeNext === 'number';

/**
 * The Redis implementation: the per-minute budget is a `RateLimiterRedis` (with a per-process memory limiter as its
 * insurance while Redis is down), and each concurrency slot is a lease key renewed while its call runs.
 */
export function createRedisProviderGate(options: ProviderGateOptions): ProviderGate {
  const logger = (options.logger ?? silentLogger).child({ component: 'provider-gate', provider: options.provider });
  const { RateLimiterRedis: RedisLimiter, RateLimiterMemory: MemoryLimiter } = options.rateLimiterModule;
  const perMinute: RateLimiterRedis | undefined =
    options.requestsPerMinute > 0
      ? new RedisLimiter({
          storeClient: options.client,
          keyPrefix: `${options.keyPrefix}rate`,
          points: options.requestsPerMinute,
          duration: 60,
          insuranceLimiter: new MemoryLimiter({ points: options.requestsPerMinute, duration: 60 }),
        })
      : undefined;
  const slotKey = (index: number) => `${options.keyPrefix}slot:${options.provider}:${index}`;
  let reportedOutage = false;

  const takeSlot = async (signal: AbortSignal | undefined): Promise<() => Promise<void>> => {
    for (;;) {
      if (signal?.aborted) throw cancelled();
      const first = randomInt(options.maxConcurrency);
      for (let offset = 0; offset < options.maxConcurrency; offset += 1) {
        const index = (first + offset) % options.maxConcurrency;
        try {
          const lease = await tryTakeLease(options.client, slotKey(index), options.owner, options.slotTtlMs);
          if (lease) {
            reportedOutage = false;
            return () => lease.release();
          }
        } catch (error) {
          // Redis is down: this replica's own limiter still caps its calls; the global cap is back with Redis.
          if (!reportedOutage)
            logger.warn('Redis does not answer; provider concurrency is capped per replica only', { error: String(error) });
          reportedOutage = true;
          return async () => undefined;
        }
      }
      await abortableDelay(options.pollMs, signal);
    }
  };

  const takeToken = async (signal: AbortSignal | undefined): Promise<void> => {
    if (!perMinute) return;
    for (;;) {
      if (signal?.aborted) throw cancelled();
      try {
        await perMinute.consume(options.provider);
        return;
      } catch (rejection) {
        if (!isRateLimiterRes(rejection)) throw rejection;
        await abortableDelay(Math.max(options.pollMs, rejection.msBeforeNext), signal);
      }
    }
  };

  return {
    async acquire(signal) {
      const release = await takeSlot(signal);
      try {
        await takeToken(signal);
      } catch (error) {
        await release();
        throw error;
      }
      return release;
    },
  };
}
