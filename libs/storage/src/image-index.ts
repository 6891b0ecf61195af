import type { ImageFormat } from './image-format';

/** One image as the index knows it: enough for history, stats and retention without reading its sidecar. */
export interface IndexEntry {
  /** The image id; ids start with their UTC save second, so id order is save order (to the second). */
  id: string;
  /** When it was saved, milliseconds since the epoch (UTC), for display. */
  createdAtMs: number;
  /** Bytes of the image file. */
  imageBytes: number;
  /** Bytes of the sidecar. */
  sidecarBytes: number;
  /** The image encoding (gives the file extension). */
  format: ImageFormat;
  /** Folder relative to `images/` (`YYYY/MM/DD` or `''`). */
  directory: string;
  /** The start of the prompt. */
  promptExcerpt: string;
  /** The model that produced it. */
  model: string;
  /** Who the image belongs to (`local` in single-user setups). */
  principalId: string;
}

/** Orders entries by id, which is save order to the second. */
export const compareEntries = (left: IndexEntry, right: IndexEntry) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0);

/**
 * The in-memory index: entries sorted by id with running byte totals. Ids begin with `img_YYYYMMDDHHmmss`, so
 * sorting by id sorts by save time and a time window is an id range: lookups, history pages and retention are
 * binary searches, and loading 100,000 entries needs no hash map.
 */
export class ImageIndex {
  private entries: IndexEntry[] = [];
  private imageBytesTotal = 0;
  private sidecarBytesTotal = 0;
  private readonly formats = new Map<ImageFormat, { count: number; bytes: number }>();

  /** Number of entries. */
  get size(): number {
    return this.entries.length;
  }

  /** Sum of image file bytes. */
  get imageBytes(): number {
    return this.imageBytesTotal;
  }

  /** Sum of image and sidecar bytes. */
  get totalBytes(): number {
    return this.imageBytesTotal + this.sidecarBytesTotal;
  }

  /** Count and image bytes of one format. */
  formatTotals(format: ImageFormat): { count: number; bytes: number } {
    const totals = this.formats.get(format);
    return { count: totals?.count ?? 0, bytes: totals?.bytes ?? 0 };
  }

  /** All entries, oldest first. The array must not be modified. */
  all(): readonly IndexEntry[] {
    return this.entries;
  }

  /** The entry of an id. */
  get(id: string): IndexEntry | undefined {
    const entry = this.entries[this.lowerBound(id)];
    return entry?.id === id ? entry : undefined;
  }

  /** Replaces everything with `entries` (any order; for a repeated id the last one wins). */
  replaceAll(entries: Iterable<IndexEntry>): void {
    const list = [...entries];
    this.entries = list.length === 0 ? [] : sortUnique(list);
    this.recount();
  }

  /**
   * Replaces everything with `entries`, taking ownership of the array (the bulk-load path): used as it is when
   * already sorted by id without repeats, as files written by the store are.
   */
  adopt(entries: IndexEntry[]): void {
    for (let position = 1; position < entries.length; position += 1) {
      if ((entries[position - 1] as IndexEntry).id >= (entries[position] as IndexEntry).id) {
        entries = sortUnique(entries);
        break;
      }
    }
    this.entries = entries;
    this.recount();
  }

  /** Adds an entry, replacing one with the same id. Adding the newest id is O(1). */
  add(entry: IndexEntry): void {
    const last = this.entries[this.entries.length - 1];
    if (last === undefined || last.id < entry.id) {
      this.entries.push(entry);
    } else {
      const position = this.lowerBound(entry.id);
      const existing = this.entries[position];
      if (existing?.id === entry.id) {
        this.count(existing, -1);
        this.entries[position] = entry;
      } else {
        this.entries.splice(position, 0, entry);
      }
    }
    this.count(entry, 1);
  }

  /** Removes an id; returns the removed entry. */
  remove(id: string): IndexEntry | undefined {
    const position = this.lowerBound(id);
    const entry = this.entries[position];
    if (entry?.id !== id) return undefined;
    this.entries.splice(position, 1);
    this.count(entry, -1);
    return entry;
  }

  /** Removes many ids in one O(n) pass; returns the removed entries. */
  removeMany(ids: ReadonlySet<string>): IndexEntry[] {
    const removed: IndexEntry[] = [];
    if (ids.size === 0) return removed;
    this.entries = this.entries.filter((entry) => {
      if (!ids.has(entry.id)) return true;
      removed.push(entry);
      return false;
    });
    this.recount();
    return removed;
  }

  /** Position of the first entry whose id is not before `key` (an id or an id prefix). */
  lowerBound(key: string): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.entries[middle] as IndexEntry).id < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * Up to `limit` entries newest first, with ids from `fromKey` on, strictly before the id `beforeId` when
   * given; and whether more such entries follow.
   */
  newestFirst(options: { fromKey: string; limit: number; beforeId?: string; principalId?: string }): {
    entries: IndexEntry[];
    hasMore: boolean;
  } {
    const floor = this.lowerBound(options.fromKey);
    let position = (options.beforeId === undefined ? this.entries.length : this.lowerBound(options.beforeId)) - 1;
    const entries: IndexEntry[] = [];
    const { principalId } = options;
    const skipOthers = () => {
      while (principalId !== undefined && position >= floor && (this.entries[position] as IndexEntry).principalId !== principalId)
        position -= 1;
    };
    skipOthers();
    while (position >= floor && entries.length < options.limit) {
      entries.push(this.entries[position] as IndexEntry);
      position -= 1;
      skipOthers();
    }
    return { entries, hasMore: position >= floor };
  }

  /** Number of entries with ids from `fromKey` on (only one principal's when `principalId` is given). */
  countFrom(fromKey: string, principalId?: string): number {
    const floor = this.lowerBound(fromKey);
    if (principalId === undefined) return this.entries.length - floor;
    let count = 0;
    for (let position = floor; position < this.entries.length; position += 1) {
      if ((this.entries[position] as IndexEntry).principalId === principalId) count += 1;
    }
    return count;
  }

  /** Entries of one principal, oldest first (a scan: per-principal totals are not kept). */
  ofPrincipal(principalId: string): IndexEntry[] {
    return this.entries.filter((entry) => entry.principalId === principalId);
  }

  private count(entry: IndexEntry, sign: 1 | -1): void {
    this.imageBytesTotal += sign * entry.imageBytes;
    this.sidecarBytesTotal += sign * entry.sidecarBytes;
    let totals = this.formats.get(entry.format);
    if (totals === undefined) {
      totals = { count: 0, bytes: 0 };
      this.formats.set(entry.format, totals);
    }
    totals.count += sign;
    totals.bytes += sign * entry.imageBytes;
  }

  private recount(): void {
    this.imageBytesTotal = 0;
    this.sidecarBytesTotal = 0;
    this.formats.clear();
    for (const entry of this.entries) this.count(entry, 1);
  }
}

/** Sorts by id, keeping the last entry of each repeated id. */
function sortUnique(entries: IndexEntry[]): IndexEntry[] {
  const sorted = entries
    .map((entry, order) => ({ entry, order }))
    .sort((left, right) => compareEntries(left.entry, right.entry) || left.order - right.order);
  const unique: IndexEntry[] = [];
  for (const { entry } of sorted) {
    if (unique.length > 0 && (unique[unique.length - 1] as IndexEntry).id === entry.id) unique[unique.length - 1] = entry;
    else unique.push(entry);
  }
  return unique;
}
