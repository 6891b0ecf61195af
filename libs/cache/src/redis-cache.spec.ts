/**
 * The Redis backend against the real Redis on 127.0.0.1:6379 (CI starts one). Each test uses its own key prefix, so
 * runs never see each other's entries.
 */
import { randomUUID } from 'node:crypto';
import { createManualClock } from '@imagegen/common';
import { createRedisCache, type RedisCache } from './redis-cache';

const redisUrl = 'redis://127.0.0.1:6379/0';

describe('Redis cache', () => {
  const opened: Array<RedisCache<{ imageIds: string[] }>> = [];
  const open = (maxBytes = 1_000_000, keyPrefix = `imagegen-test:${randomUUID()}:`) => {
    const cache = createRedisCache<{ imageIds: string[] }>({
      url: redisUrl,
      maxBytes,
      keyPrefix,
      clock: createManualClock(new Date('2026-12-01T10:00:00Z')),
    });
    opened.push(cache);
    return cache;
  };

  afterAll(async () => {
    for (const cache of opened) {
      await cache.clear().catch(() => undefined);
      await cache.close();
    }
  });

  it('stores and returns a value, counting hits and misses', async () => {
    const cache = open();
    await expect(cache.get('absent')).resolves.toBeUndefined();
    await cache.set('request-1', { imageIds: ['img_1'] }, { ttlMs: 60_000, sizeBytes: 1000 });
    await expect(cache.get('request-1')).resolves.toEqual({ imageIds: ['img_1'] });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('is shared: a second process (client) with the same prefix sees the entry', async () => {
    const prefix = `imagegen-test:${randomUUID()}:`;
    await open(1_000_000, prefix).set('shared', { imageIds: ['img_s'] }, { ttlMs: 60_000, sizeBytes: 10 });
    await expect(open(1_000_000, prefix).get('shared')).resolves.toEqual({ imageIds: ['img_s'] });
  });

  it('lets entries expire after their TTL', async () => {
    const cache = open();
    await cache.set('short', { imageIds: ['img_t'] }, { ttlMs: 50, sizeBytes: 10 });
    await new Promise((resolve) => setTimeout(resolve, 120));
    await expect(cache.get('short')).resolves.toBeUndefined();
  });

  it('keeps the byte bound by evicting the least recently used entries', async () => {
    const cache = open(3000);
    await cache.set('a', { imageIds: ['a'] }, { ttlMs: 60_000, sizeBytes: 1000 });
    await cache.set('b', { imageIds: ['b'] }, { ttlMs: 60_000, sizeBytes: 1000 });
    await cache.set('c', { imageIds: ['c'] }, { ttlMs: 60_000, sizeBytes: 1000 });
    await cache.get('a');
    await cache.set('d', { imageIds: ['d'] }, { ttlMs: 60_000, sizeBytes: 1000 });
    await expect(cache.get('b')).resolves.toBeUndefined();
    await expect(cache.get('a')).resolves.toEqual({ imageIds: ['a'] });
    await expect(cache.get('d')).resolves.toEqual({ imageIds: ['d'] });
    expect(cache.stats().evictions).toBe(1);
  });

  it('skips an entry larger than the whole bound, and deletes and clears', async () => {
    const cache = open(100);
    await cache.set('huge', { imageIds: ['h'] }, { ttlMs: 60_000, sizeBytes: 1000 });
    await expect(cache.get('huge')).resolves.toBeUndefined();
    await cache.set('small', { imageIds: ['s'] }, { ttlMs: 60_000, sizeBytes: 10 });
    await cache.delete('small');
    await expect(cache.get('small')).resolves.toBeUndefined();
    await cache.set('again', { imageIds: ['g'] }, { ttlMs: 60_000, sizeBytes: 10 });
    await cache.clear();
    await expect(cache.get('again')).resolves.toBeUndefined();
  });

  it('answers ping while Redis is up, and fails a lookup (not hangs) when it is unreachable', async () => {
    await expect(open().ping()).resolves.toBeUndefined();
    const down = createRedisCache<{ imageIds: string[] }>({ url: 'redis://127.0.0.1:1/0', maxBytes: 1000, commandTimeoutMs: 300 });
    try {
      await expect(down.get('x')).rejects.toBeDefined();
      await expect(down.ping()).rejects.toMatchObject({
        code: 'upstream_unavailable',
        message: expect.stringContaining('CACHE__REDIS_URL'),
      });
    } finally {
      await down.close();
    }
  });
});
