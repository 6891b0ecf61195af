import type { Redis, RedisOptions } from 'ioredis';
import { ImageGenError, silentLogger, systemClock, type Clock, type Logger } from '@imagegen/common';
import type { CacheBackend, CacheStats } from './cache-backend';

/** Options of {@link createRedisCache}. */
export interface RedisCacheOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…` (`CACHE__REDIS_URL`). Never logged. */
  url: string;
  /** Upper bound on the declared bytes of all entries (`CACHE__MAX_SIZE_MB`); least recently used go first. */
  maxBytes: number;
  /** Prefix of every key this cache writes, so several installations can share one Redis. Default `imagegen:cache:`. */
  keyPrefix?: string;
  /** How long a command may wait for Redis before the lookup counts as a miss, in milliseconds. Default 2000. */
  commandTimeoutMs?: number;
  /** Where connection problems are reported (once per outage, not per command). */
  logger?: Logger;
  /** Time source for the statistics refresh. */
  clock?: Clock;
}

/** A Redis-backed cache; `ping` and `close` are always present. */
export interface RedisCache<V> extends CacheBackend<V> {
  ping(): Promise<void>;
  close(): Promise<void>;
}

// The scripts run atomically inside Redis, so several server processes sharing one Redis keep one consistent LRU:
// the entry itself (with its TTL), a sorted set of keys by last use (scored by a shared counter, not by any process's
// clock), a hash of declared sizes and a byte total.
const setScript = `
local old = redis.call('HGET', KEYS[3], ARGV[1])
if old then redis.call('DECRBY', KEYS[4], old) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[2] .. ':tick'), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
local total = redis.call('INCRBY', KEYS[4], ARGV[4])
local evicted = 0
while total > tonumber(ARGV[5]) do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then break end
  local member = oldest[1]
  local bytes = redis.call('HGET', KEYS[3], member) or '0'
  redis.call('UNLINK', ARGV[6] .. member)
  redis.call('ZREM', KEYS[2], member)
  redis.call('HDEL', KEYS[3], member)
  total = redis.call('DECRBY', KEYS[4], bytes)
  evicted = evicted + 1
end
return evicted
`;

const getScript = `
local value = redis.call('GET', KEYS[1])
if value then
  redis.call('ZADD', KEYS[2], 'XX', redis.call('INCR', KEYS[2] .. ':tick'), ARGV[1])
  return value
end
local bytes = redis.call('HGET', KEYS[3], ARGV[1])
if bytes then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('DECRBY', KEYS[4], bytes)
end
return false
`;

const deleteScript = `
local bytes = redis.call('HGET', KEYS[3], ARGV[1])
redis.call('UNLINK', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if bytes then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('DECRBY', KEYS[4], bytes)
end
return 1
`;

type ScriptedRedis = Redis & {
  imagegenCacheSet(...args: Array<string | number>): Promise<number>;
  imagegenCacheGet(...args: Array<string | number>): Promise<string | null>;
  imagegenCacheDelete(...args: Array<string | number>): Promise<number>;
};

/**
 * The shared cache backend for several server processes: entries live in Redis with their TTL, and a byte bound is
 * kept across all of them with least-recently-used eviction (atomic Lua scripts; a standalone Redis, not a cluster).
 * Values are stored as JSON. While Redis is unreachable a command fails after `commandTimeoutMs`, so an outage turns
 * lookups into misses rather than stalling generations; the engine logs and carries on.
 */
export function createRedisCache<V extends object>(options: RedisCacheOptions): RedisCache<V> {
  const prefix = options.keyPrefix ?? 'imagegen:cache:';
  const entryPrefix = `${prefix}entry:`;
  const keys = { lru: `${prefix}lru`, sizes: `${prefix}sizes`, bytes: `${prefix}bytes` };
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ component: 'redis-cache' });
  const counters = { hits: 0, misses: 0, evictions: 0 };
  const snapshot = { entries: 0, bytes: 0, refreshedAt: 0 };
  let reportedOutage = false;

  const redisOptions: RedisOptions = {
    lazyConnect: false,
    // Commands wait for a (re)connection at most commandTimeout; then the lookup is a miss.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    connectTimeout: options.commandTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    // Reconnect with a capped back-off for as long as the process lives.
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  };
  // ioredis loads with the first use of this backend, so a server with the memory cache never loads it.
  let connected: ScriptedRedis | undefined;
  const connecting: Promise<ScriptedRedis> = import('ioredis').then((module) => {
    const RedisClient = (module.default ?? module.Redis) as unknown as new (url: string, options: RedisOptions) => ScriptedRedis;
    const client = new RedisClient(options.url, redisOptions);
    client.defineCommand('imagegenCacheSet', { numberOfKeys: 4, lua: setScript });
    client.defineCommand('imagegenCacheGet', { numberOfKeys: 4, lua: getScript });
    client.defineCommand('imagegenCacheDelete', { numberOfKeys: 4, lua: deleteScript });
    client.on('error', (error: Error) => {
      if (reportedOutage) return;
      reportedOutage = true;
      // The message can name the host but never the password (it is in the URL, which is not logged).
      logger.warn('Redis cache unreachable; requests go to the provider until it is back', { error: error.message });
    });
    client.on('ready', () => {
      if (reportedOutage) logger.info('Redis cache reachable again');
      reportedOutage = false;
    });
    connected = client;
    return client;
  });

  const scriptKeys = (key: string) => [entryPrefix + key, keys.lru, keys.sizes, keys.bytes];

  const refreshSnapshot = (): void => {
    const now = clock.now().getTime();
    const client = connected;
    if (now - snapshot.refreshedAt < 1000 || client === undefined || client.status !== 'ready') return;
    snapshot.refreshedAt = now;
    Promise.all([client.zcard(keys.lru), client.get(keys.bytes)]).then(
      ([entries, bytes]) => {
        snapshot.entries = entries;
        snapshot.bytes = Math.max(0, Number(bytes ?? 0));
      },
      () => undefined,
    );
  };

  return {
    async get(key) {
      const text = await (await connecting).imagegenCacheGet(...scriptKeys(key), key);
      if (text === null) {
        counters.misses += 1;
        return undefined;
      }
      counters.hits += 1;
      return JSON.parse(text) as V;
    },
    async set(key, value, setOptions) {
      const size = Math.max(1, Math.ceil(setOptions.sizeBytes));
      if (size > options.maxBytes) return;
      const ttlMs = Math.max(1, Math.round(setOptions.ttlMs));
      const evicted = await (
        await connecting
      ).imagegenCacheSet(...scriptKeys(key), key, JSON.stringify(value), ttlMs, size, options.maxBytes, entryPrefix);
      counters.evictions += evicted;
      refreshSnapshot();
    },
    async delete(key) {
      await (await connecting).imagegenCacheDelete(...scriptKeys(key), key);
    },
    async clear() {
      const client = await connecting;
      let cursor = '0';
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (found.length > 0) await client.unlink(...found);
        cursor = next;
      } while (cursor !== '0');
      snapshot.entries = 0;
      snapshot.bytes = 0;
    },
    stats(): CacheStats {
      refreshSnapshot();
      return { entries: snapshot.entries, bytes: snapshot.bytes, ...counters };
    },
    async ping() {
      try {
        await (await connecting).ping();
      } catch (error) {
        throw new ImageGenError({
          code: 'upstream_unavailable',
          message: 'The Redis cache does not answer; check CACHE__REDIS_URL.',
          retryable: true,
          cause: error,
        });
      }
    },
    async close() {
      const client = await connecting;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
