/** Per-entry options when storing. */
export interface CacheSetOptions {
  /** How long the entry lives, in milliseconds. */
  ttlMs: number;
  /** Bytes the entry stands for (the image bytes behind it); counted against the backend's byte bound. */
  sizeBytes: number;
}

/** Counters for stats pages and metrics. */
export interface CacheStats {
  /** Live entries. */
  entries: number;
  /** Bytes of live entries, as declared by `sizeBytes`. */
  bytes: number;
  /** Lookups that found an entry. */
  hits: number;
  /** Lookups that found nothing (or an expired entry). */
  misses: number;
  /** Entries pushed out to respect the byte bound. */
  evictions: number;
}

/**
 * A request cache. Asynchronous so a networked backend (Redis) fits the same contract. Backends never throw for a
 * missing key; a backend that cannot be reached rejects, and the engine then treats the lookup as a miss.
 */
export interface CacheBackend<V> {
  /** The live value for `key`, or `undefined`. */
  get(key: string): Promise<V | undefined>;
  /** Stores `value`; an entry larger than the whole byte bound is skipped silently (caching is an optimisation). */
  set(key: string, value: V, options: CacheSetOptions): Promise<void>;
  /** Forgets `key`. */
  delete(key: string): Promise<void>;
  /** Forgets everything. */
  clear(): Promise<void>;
  /** Counters. */
  stats(): CacheStats;
  /** Networked backends: resolves when the backend answers, rejects `upstream_unavailable` otherwise (readiness checks). */
  ping?(): Promise<void>;
  /** Networked backends: closes connections so the process can exit. */
  close?(): Promise<void>;
}
