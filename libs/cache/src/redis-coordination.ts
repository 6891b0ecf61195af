import type { Redis, RedisOptions } from 'ioredis';
import { ImageGenError, silentLogger, type Logger } from '@imagegen/common';
import { createRedisProviderGate, type ProviderGate } from './provider-gate';
import { defineLeaseCommands, tryTakeLease, type Lease, type LeaseRedis } from './redis-lease';
import { createRedisRequestFlights, type SharedFlights } from './request-flights';

/** Settings of {@link createRedisCoordination}. */
export interface CoordinationOptions {
  /** `redis://…` or `rediss://…` (`REDIS__URL`). Never logged. */
  url: string;
  /** Prefix of every key written, so several installations share one Redis. Default `imagegen:coord:`. */
  keyPrefix?: string;
  /** This replica's token (unique per process run): written into every lease it holds. */
  owner: string;
  /**
   * How long a lease (a request being made, a provider slot, this replica's presence) lives without renewal, in
   * milliseconds; what a dead replica holds comes back after this. Default 30 000.
   */
  leaseTtlMs?: number;
  /** How often a waiting replica looks again (an outcome, a free slot), in milliseconds. Default 200. */
  pollMs?: number;
  /** How long a command may wait for Redis, in milliseconds. Default 2 000. */
  commandTimeoutMs?: number;
  logger?: Logger;
}

/** Per-client request limits (the HTTP transport's), shared by every replica when Redis holds them. */
export interface ClientRateLimiter {
  /** Counts one request of `client`; `allowed` false when it is over its allowance for the current window. */
  consume(client: string): Promise<{ allowed: boolean; remaining: number; msBeforeNext: number }>;
}

/** What several replicas share through Redis. */
export interface Coordination {
  /** This replica's token. */
  readonly owner: string;
  /** Single flight across replicas for request keys. */
  flights<S>(): SharedFlights<S>;
  /** Provider rate and concurrency limits across replicas. */
  providerGate(provider: string, limits: { requestsPerMinute: number; maxConcurrency: number }): ProviderGate;
  /** Per-client request limits across replicas. */
  clientRateLimiter(requestsPerWindow: number, windowSeconds: number): ClientRateLimiter;
  /**
   * Whether the replica with token `owner` is alive: it renews a presence key while it runs, so a replica that
   * died (or lost Redis for longer than the lease) counts as gone within one lease time-to-live.
   */
  isAlive(owner: string): Promise<boolean>;
  /** Resolves when Redis answers, rejects `upstream_unavailable` otherwise. */
  ping(): Promise<void>;
  /** Lets this replica's presence go and closes the connection. */
  close(): Promise<void>;
}

/** Connects to Redis and announces this replica's presence. Loads ioredis and rate-limiter-flexible on first use. */
export async function createRedisCoordination(options: CoordinationOptions): Promise<Coordination> {
  const keyPrefix = options.keyPrefix ?? 'imagegen:coord:';
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  const pollMs = options.pollMs ?? 200;
  const logger = (options.logger ?? silentLogger).child({ component: 'coordination' });
  const [ioredis, rateLimiterModule] = await Promise.all([import('ioredis'), import('rate-limiter-flexible')]);
  const RedisClient = (ioredis.default ?? ioredis.Redis) as unknown as new (url: string, options: RedisOptions) => Redis;
  const redisOptions: RedisOptions = {
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    connectTimeout: options.commandTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  };
  const client: LeaseRedis = defineLeaseCommands(new RedisClient(options.url, redisOptions));
  let reportedOutage = false;
  client.on('error', (error: Error) => {
    if (reportedOutage) return;
    reportedOutage = true;
    logger.warn('Redis (coordination) unreachable; replicas work on their own until it is back', { error: error.message });
  });
  client.on('ready', () => {
    if (reportedOutage) logger.info('Redis (coordination) reachable again');
    reportedOutage = false;
  });

  const presenceKey = (owner: string) => `${keyPrefix}replica:${owner}`;
  let presence: Lease | undefined;
  try {
    presence = await tryTakeLease(client, presenceKey(options.owner), options.owner, leaseTtlMs);
  } catch (error) {
    client.disconnect();
    throw new ImageGenError({
      code: 'upstream_unavailable',
      message: 'Redis does not answer; check REDIS__URL (replicas coordinate through it).',
      retryable: true,
      cause: error,
    });
  }

  return {
    owner: options.owner,
    flights: <S>() => createRedisRequestFlights<S>({ client, keyPrefix, owner: options.owner, leaseTtlMs, pollMs }),
    providerGate: (provider, limits) =>
      createRedisProviderGate({
        client,
        rateLimiterModule,
        keyPrefix,
        provider,
        owner: options.owner,
        requestsPerMinute: limits.requestsPerMinute,
        maxConcurrency: limits.maxConcurrency,
        slotTtlMs: leaseTtlMs,
        pollMs,
        logger,
      }),
    clientRateLimiter(requestsPerWindow, windowSeconds) {
      const limiter = new rateLimiterModule.RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${keyPrefix}client`,
        points: requestsPerWindow,
        duration: windowSeconds,
        // While Redis is down each replica keeps its own count rather than letting everything through.
        insuranceLimiter: new rateLimiterModule.RateLimiterMemory({ points: requestsPerWindow, duration: windowSeconds }),
      });
      return rateLimiterConsumer(limiter);
    },
    async isAlive(owner) {
      if (owner === options.owner) return true;
      return (await client.exists(presenceKey(owner))) === 1;
    },
    async ping() {
      try {
        await client.ping();
      } catch (error) {
        throw new ImageGenError({
          code: 'upstream_unavailable',
          message: 'Redis (coordination) does not answer; check REDIS__URL.',
          retryable: true,
          cause: error,
        });
      }
    },
    async close() {
      await presence?.release();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** A per-process client limiter with the same contract (no Redis configured). */
export async function createMemoryClientRateLimiter(requestsPerWindow: number, windowSeconds: number): Promise<ClientRateLimiter> {
  const { RateLimiterMemory } = await import('rate-limiter-flexible');
  return rateLimiterConsumer(new RateLimiterMemory({ points: requestsPerWindow, duration: windowSeconds }));
}

type Consumable = {
  consume(key: string): Promise<{ remainingPoints: number; msBeforeNext: number }>;
};

function rateLimiterConsumer(limiter: Consumable): ClientRateLimiter {
  return {
    async consume(clientKey) {
      try {
        const result = await limiter.consume(clientKey);
        return { allowed: true, remaining: result.remainingPoints, msBeforeNext: result.msBeforeNext };
      } catch (rejection) {
        if (rejection instanceof Error) throw rejection;
        const result = rejection as { remainingPoints: number; msBeforeNext: number };
        return { allowed: false, remaining: result.remainingPoints, msBeforeNext: result.msBeforeNext };
      }
    },
  };
}
