import type { ImageFormat } from './image-format';
import { imageFormats } from './image-format';
import { ImageIndex, type IndexEntry } from './image-index';
import type { CleanupSummary } from './image-store';

/**
 * One image as a catalog knows it: the index entry, enough for history, stats and retention without reading the
 * sidecar, including who owns it (`principalId`, `local` in single-user setups).
 */
export type CatalogEntry = IndexEntry;

/** A page request against a catalog, newest first. */
export interface CatalogPageQuery {
  /** Only ids from this key on (an id or an id prefix such as `img_20261201`). */
  fromKey: string;
  /** Most entries returned. */
  limit: number;
  /** Only ids strictly before this id (the previous page's last id). */
  beforeId?: string;
  /** Only images of this principal; all principals when absent. */
  principalId?: string;
}

/** Totals a catalog answers for stats. */
export interface CatalogTotals {
  /** Number of images. */
  imageCount: number;
  /** Bytes of the image objects. */
  imageBytes: number;
  /** Bytes of images plus sidecars. */
  totalBytes: number;
  /** Count and image bytes per format. */
  byFormat: Record<ImageFormat, { count: number; bytes: number }>;
  /** The entry with the smallest id, or `null`. */
  oldest: { id: string; createdAtMs: number } | null;
  /** The entry with the largest id, or `null`. */
  newest: { id: string; createdAtMs: number } | null;
}

/**
 * Where an object-storage image store keeps its index. The in-memory catalog ({@link createMemoryImageCatalog}) serves
 * one process; the PostgreSQL catalog of `@imagegen/core` is shared by every replica. Every method may reject with the
 * backend's error; the store turns it into `storage_failed`.
 */
export interface ImageCatalog {
  /** Adds an entry (or replaces the one with the same id). Called only after the image and its sidecar are stored. */
  add(entry: CatalogEntry): Promise<void>;
  /** Removes ids; unknown ids are ignored. */
  remove(ids: readonly string[]): Promise<void>;
  /** The entry of an id. */
  get(id: string): Promise<CatalogEntry | undefined>;
  /** Which of `ids` are catalogued. */
  existing(ids: readonly string[]): Promise<Set<string>>;
  /** A page newest first, and whether more entries match after it. */
  newestFirst(query: CatalogPageQuery): Promise<{ entries: CatalogEntry[]; hasMore: boolean }>;
  /** Number of entries with ids from `fromKey` on (of one principal when given). */
  countFrom(fromKey: string, principalId?: string): Promise<number>;
  /** Counts and bytes (of one principal when given). */
  totals(principalId?: string): Promise<CatalogTotals>;
  /** Ids starting with `prefix`, newest first (of one principal when given). */
  listIds(prefix: string, limit: number, principalId?: string): Promise<string[]>;
  /** Up to `limit` entries oldest first, with ids strictly after `afterId` when given (retention walks them). */
  oldestFirst(limit: number, afterId?: string): Promise<CatalogEntry[]>;
  /** The last cleanup that deleted for real. */
  lastCleanup(): Promise<CleanupSummary | null>;
  /** Records a finished cleanup. */
  recordCleanup(summary: CleanupSummary): Promise<void>;
  /** Releases connections; the catalog is not used afterwards. */
  close(): Promise<void>;
}

/** Totals of a list of entries (shared by catalogs that cannot keep running sums). */
export function emptyFormatTotals(): Record<ImageFormat, { count: number; bytes: number }> {
  return Object.fromEntries(imageFormats.map((format) => [format, { count: 0, bytes: 0 }])) as Record<
    ImageFormat,
    { count: number; bytes: number }
  >;
}

/**
 * A catalog in this process's memory, on the sorted {@link ImageIndex}: fast, but every process has its own, so it
 * suits one server. Several replicas need a shared catalog (PostgreSQL).
 */
export function createMemoryImageCatalog(initial: Iterable<CatalogEntry> = []): ImageCatalog {
  const index = new ImageIndex();
  index.replaceAll(initial);
  let lastCleanup: CleanupSummary | null = null;

  return {
    async add(entry) {
      index.add({ ...entry });
    },
    async remove(ids) {
      index.removeMany(new Set(ids));
    },
    async get(id) {
      return index.get(id);
    },
    async existing(ids) {
      return new Set(ids.filter((id) => index.get(id) !== undefined));
    },
    async newestFirst(query) {
      return index.newestFirst(query);
    },
    async countFrom(fromKey, principalId) {
      return index.countFrom(fromKey, principalId);
    },
    async totals(principalId) {
      const all = principalId === undefined ? index.all() : index.ofPrincipal(principalId);
      const byFormat = emptyFormatTotals();
      let imageBytes = 0;
      let totalBytes = 0;
      for (const entry of all) {
        byFormat[entry.format].count += 1;
        byFormat[entry.format].bytes += entry.imageBytes;
        imageBytes += entry.imageBytes;
        totalBytes += entry.imageBytes + entry.sidecarBytes;
      }
      const describe = (entry: IndexEntry | undefined) => (entry === undefined ? null : { id: entry.id, createdAtMs: entry.createdAtMs });
      return { imageCount: all.length, imageBytes, totalBytes, byFormat, oldest: describe(all[0]), newest: describe(all[all.length - 1]) };
    },
    async listIds(prefix, limit, principalId) {
      const all = index.all();
      const ids: string[] = [];
      for (let position = all.length - 1; position >= 0 && ids.length < limit; position -= 1) {
        const entry = all[position] as IndexEntry;
        if (entry.id.startsWith(prefix) && (principalId === undefined || entry.principalId === principalId)) ids.push(entry.id);
      }
      return ids;
    },
    async oldestFirst(limit, afterId) {
      const all = index.all();
      let position = afterId === undefined ? 0 : index.lowerBound(afterId);
      if (afterId !== undefined && all[position]?.id === afterId) position += 1;
      return all.slice(position, position + limit);
    },
    async lastCleanup() {
      return lastCleanup;
    },
    async recordCleanup(summary) {
      lastCleanup = { ...summary };
    },
    async close() {
      // Nothing to release: the entries are garbage once the store lets go of the catalog.
    },
  };
}
