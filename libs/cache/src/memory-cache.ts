import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '@imagegen/common';
import type { CacheBackend, CacheStats } from './cache-backend';

/** Options of {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** Upper bound on the declared bytes of all entries (`CACHE__MAX_SIZE_MB`); least recently used go first. */
  maxBytes: number;
  /** Default time to live in milliseconds (`CACHE__TTL_HOURS`); `set` may give its own. */
  ttlMs: number;
  /** Time source for expiry; injectable so tests need not wait. */
  clock?: Clock;
}

/** The embedded default backend: an in-process LRU (lru-cache) with TTL and a byte bound. */
export function createMemoryCache<V extends object>(options: MemoryCacheOptions): CacheBackend<V> {
  const clock = options.clock ?? systemClock;
  const counters = { hits: 0, misses: 0, evictions: 0 };
  const entries = new LRUCache<string, V>({
    maxSize: Math.max(1, options.maxBytes),
    ttl: options.ttlMs,
    // Expiry is decided by the injected clock (lru-cache reads `perf.now()`); no timer keeps the process alive.
    perf: { now: () => clock.now().getTime() },
    ttlAutopurge: false,
    // Read the clock on every check rather than a value cached for a millisecond.
    ttlResolution: 0,
    dispose: (_value, _key, reason) => {
      if (reason === 'evict') counters.evictions += 1;
    },
  });

  return {
    async get(key) {
      const value = entries.get(key);
      if (value === undefined) counters.misses += 1;
      else counters.hits += 1;
      return value;
    },
    async set(key, value, setOptions) {
      const size = Math.max(1, Math.ceil(setOptions.sizeBytes));
      if (size > options.maxBytes) return;
      entries.set(key, value, { ttl: setOptions.ttlMs, size });
    },
    async delete(key) {
      entries.delete(key);
    },
    async clear() {
      entries.clear();
    },
    stats(): CacheStats {
      entries.purgeStale();
      return { entries: entries.size, bytes: entries.calculatedSize, ...counters };
    },
  };
}
