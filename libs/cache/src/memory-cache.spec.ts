import { createManualClock } from '@imagegen/common';
import { createMemoryCache } from './memory-cache';

const hour = 3_600_000;

describe('createMemoryCache', () => {
  it('returns what was stored and counts hits and misses', async () => {
    const cache = createMemoryCache<{ id: string }>({ maxBytes: 1000, ttlMs: hour });
    await cache.set('a', { id: 'A' }, { ttlMs: hour, sizeBytes: 100 });
    expect(await cache.get('a')).toEqual({ id: 'A' });
    expect(await cache.get('b')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 100, hits: 1, misses: 1 });
  });

  it('expires entries after their time to live', async () => {
    const clock = createManualClock(new Date('2026-11-25T00:00:00Z'));
    const cache = createMemoryCache<{ id: string }>({ maxBytes: 1000, ttlMs: hour, clock });
    await cache.set('a', { id: 'A' }, { ttlMs: hour, sizeBytes: 10 });
    clock.advance(hour - 1000);
    expect(await cache.get('a')).toEqual({ id: 'A' });
    clock.advance(2000);
    expect(await cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently used entries to stay within the byte bound', async () => {
    const cache = createMemoryCache<{ id: string }>({ maxBytes: 300, ttlMs: hour });
    await cache.set('a', { id: 'A' }, { ttlMs: hour, sizeBytes: 100 });
    await cache.set('b', { id: 'B' }, { ttlMs: hour, sizeBytes: 100 });
    await cache.set('c', { id: 'C' }, { ttlMs: hour, sizeBytes: 100 });
    await cache.get('a');
    await cache.set('d', { id: 'D' }, { ttlMs: hour, sizeBytes: 100 });
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toEqual({ id: 'A' });
    expect(cache.stats()).toMatchObject({ bytes: 300, evictions: 1 });
  });

  it('skips an entry larger than the whole bound without evicting anything', async () => {
    const cache = createMemoryCache<{ id: string }>({ maxBytes: 300, ttlMs: hour });
    await cache.set('a', { id: 'A' }, { ttlMs: hour, sizeBytes: 100 });
    await cache.set('huge', { id: 'H' }, { ttlMs: hour, sizeBytes: 301 });
    expect(await cache.get('huge')).toBeUndefined();
    expect(await cache.get('a')).toEqual({ id: 'A' });
  });
});
