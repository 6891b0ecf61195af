export { computeRequestKey, canonicalJson, hashBytes } from './request-key';
export type { CacheBackend, CacheSetOptions, CacheStats } from './cache-backend';
export { createMemoryCache } from './memory-cache';
export type { MemoryCacheOptions } from './memory-cache';
export { createRequestCoalescer } from './request-coalescer';
export type { RequestCoalescer } from './request-coalescer';
export { createRedisCache } from './redis-cache';
export type { RedisCache, RedisCacheOptions } from './redis-cache';
