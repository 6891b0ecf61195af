import type { Readable } from 'node:stream';
import type { ImageFormat } from './image-format';
import type { ImageMetadata, ImageParameters } from './image-metadata';
import type { ImageConversation, ImageGrounding } from './image-conversation';

/**
 * What the engine hands the store to save: the encoded bytes plus the facts it measured and the request's
 * context. Storage never decodes images; it trusts `format`, `width` and `height`.
 */
export interface SaveImageInput {
  /** The encoded image, exactly as it should be stored. Must not be empty. */
  bytes: Uint8Array;
  /** The encoding of `bytes`, as detected by the engine. */
  format: ImageFormat;
  /** Pixel width, as measured by the engine. */
  width: number;
  /** Pixel height, as measured by the engine. */
  height: number;
  /** The prompt sent to the provider. */
  prompt: string;
  /** Provider id (`openai`, `gemini`, …). */
  provider: string;
  /** The model id or alias the caller asked for. */
  modelRequested: string;
  /** The model id that produced the image. */
  modelUsed: string;
  /** Generation settings (`size`, `quality`, `style`, …); `model` is filled from `modelUsed` when absent. */
  parameters?: Partial<ImageParameters>;
  /** Id of the generation task, shared by the images of one call. */
  taskId?: string;
  /** Who the image belongs to (see `ImageMetadata.principal_id`); default `local`. */
  principalId?: string;
  /** Warnings returned with the image, as sentences. */
  warnings?: readonly string[];
  /** Cost facts, in US dollars. */
  cost?: {
    /** Estimate from the price tables. */
    estimatedUsd?: number;
    /** Cost from the vendor's reported usage. */
    actualUsd?: number;
    /** Token counts as reported by the vendor. */
    tokensUsed?: Readonly<Record<string, number>>;
  };
  /** Hash of the normalised request (the cache key). */
  requestHash?: string;
  /** For edits: stored ids of the source images. Each must be a valid image id. */
  sourceImageIds?: readonly string[];
  /** C2PA facts; both default to `false`. */
  provenance?: {
    /** Whether `bytes` carry a C2PA manifest. */
    c2paPresent: boolean;
    /** Whether a provider's manifest was stripped by re-encoding. */
    c2paRemoved: boolean;
  };
  /** Caller's own JSON-serialisable facts, stored under `extra` untouched. */
  extra?: Readonly<Record<string, unknown>>;
  /** Multi-turn editing: the conversation a follow-up edit continues (see {@link ImageConversation}). */
  conversation?: ImageConversation;
  /** Grounding with a web search: queries and sources. */
  grounding?: ImageGrounding;
  /** Use this id instead of generating one (it must be valid and unused). Normally left out. */
  imageId?: string;
  /** Cancels the save before anything is written. */
  signal?: AbortSignal;
}

/** A stored image's identity and metadata. */
export interface StoredImage {
  /** The image id. */
  imageId: string;
  /** MIME type of the image bytes. */
  mimeType: string;
  /** The sidecar document. */
  metadata: ImageMetadata;
  /** Absolute path of the image file, for backends that have one (the filesystem store always sets it). */
  filePath?: string;
}

/** A stored image with its bytes. */
export interface StoredImageContent extends StoredImage {
  /** The image file's bytes. */
  bytes: Uint8Array;
}

/** A stored image whose bytes are read as a stream (large images are never held whole in memory). */
export interface StoredImageStream extends StoredImage {
  /** Size of the image in bytes (for Content-Length). */
  sizeBytes: number;
  /** The image bytes; the caller must read it to the end or destroy it. */
  stream: Readable;
}

/** A history query. All fields are optional. */
export interface HistoryQuery {
  /** Only images saved within the last `days` days (by the store's clock); any positive number. Default: all. */
  days?: number;
  /** Page size, 1–1000. Default 10. */
  limit?: number;
  /** The `nextCursor` of the previous page; the next page continues strictly after it, newest first. */
  cursor?: string;
  /** Only this principal's images (counts included). Default: everyone's. */
  principalId?: string;
}

/** Whose images a stats or id listing covers. */
export interface PrincipalFilter {
  /** Only this principal's images. Default: everyone's. */
  principalId?: string;
}

/** One image in a history listing; small enough to list thousands without reading any sidecar. */
export interface HistoryEntry {
  /** The image id. */
  imageId: string;
  /** When it was saved (ISO 8601, UTC). */
  createdAt: string;
  /** Size of the image file in bytes. */
  sizeBytes: number;
  /** The image encoding. */
  format: ImageFormat;
  /** MIME type of the image. */
  mimeType: string;
  /** The model that produced it. */
  model: string;
  /** The first characters of the prompt (at most 100 characters, `…` when cut). */
  promptExcerpt: string;
  /** Who the image belongs to. */
  principalId: string;
  /** Absolute path of the image file, when the backend has one. */
  filePath?: string;
}

/** One page of history, newest first. */
export interface HistoryPage {
  /** The images of this page, newest first. */
  images: HistoryEntry[];
  /** How many images match the `days` filter in total (all pages). */
  totalCount: number;
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** What the last (non-dry) cleanup run removed. */
export interface CleanupSummary {
  /** When it ran (ISO 8601, UTC, store clock). */
  at: string;
  /** Images removed (expired or over the size cap). */
  removedImages: number;
  /** Files removed in total (images, sidecars, orphans, temporary files). */
  removedFiles: number;
  /** Bytes freed. */
  removedBytes: number;
}

/** Totals of the store, answered from the index. */
export interface StorageStats {
  /** Number of stored images. */
  imageCount: number;
  /** Bytes of the image files. */
  imageBytes: number;
  /** Bytes of image files plus sidecars: what retention's `maxSizeBytes` is compared with. */
  totalBytes: number;
  /** Count and bytes per format. */
  byFormat: Record<ImageFormat, { count: number; bytes: number }>;
  /** The oldest image, or `null` when empty. */
  oldest: { imageId: string; createdAt: string } | null;
  /** The newest image, or `null` when empty. */
  newest: { imageId: string; createdAt: string } | null;
  /** The last cleanup that deleted for real, or `null` when none ran yet. */
  lastCleanup: CleanupSummary | null;
}

/** Retention settings for one cleanup run. */
export interface CleanupOptions {
  /** Report what would be removed without removing anything. Default `false`. */
  dryRun?: boolean;
  /** Remove images saved more than this many days ago; `0` or absent keeps them forever. */
  retentionDays?: number;
  /** After the age rule, remove the oldest images until images plus sidecars take at most this many bytes; `0` or absent means no cap. */
  maxSizeBytes?: number;
  /** Cancels the run between deletions; what was removed so far stays removed and is recorded. */
  signal?: AbortSignal;
}

/** One image a cleanup removed (or would remove, in a dry run). */
export interface RemovedImage {
  /** The image id. */
  imageId: string;
  /** When it was saved (ISO 8601). */
  createdAt: string;
  /** Bytes of image plus sidecar. */
  bytes: number;
  /** `expired` (older than retentionDays) or `over_size` (removed to get under maxSizeBytes). */
  reason: 'expired' | 'over_size';
}

/** A stray file a cleanup removed (or would remove). */
export interface RemovedStrayFile {
  /** Path relative to the store's folder, with `/` separators (for object stores: the object key). */
  path: string;
  /** Its size in bytes. */
  bytes: number;
  /**
   * `orphaned_sidecar` (metadata without an image), `orphaned_image` (image without metadata),
   * `temporary` (an interrupted write older than an hour), `unreadable` (an expired image whose sidecar is corrupt).
   */
  reason: 'orphaned_sidecar' | 'orphaned_image' | 'temporary' | 'unreadable';
}

/** What a cleanup run did (or, in a dry run, would do). */
export interface CleanupReport {
  /** Whether this was a dry run (nothing was deleted). */
  dryRun: boolean;
  /** When the run started (ISO 8601, store clock). */
  at: string;
  /** Images removed, oldest first. */
  removedImages: RemovedImage[];
  /** Stray files removed. */
  removedFiles: RemovedStrayFile[];
  /** Bytes freed (or that would be freed). */
  removedBytes: number;
  /** Images left afterwards (or that would be left). */
  remainingImages: number;
  /** Bytes left afterwards (images plus sidecars). */
  remainingBytes: number;
  /** Files that could not be removed (permissions, …), with the reason; they are retried on the next run. */
  failures: Array<{ path: string; reason: string }>;
}

/**
 * Where generated images live. The filesystem implementation is {@link createFileSystemImageStore}; an object
 * storage backend can implement the same contract (paths are optional everywhere). All methods reject with
 * `ImageGenError`: `invalid_request` for a malformed id or option (before any I/O), `not_found` for an unknown
 * id, `storage_failed` when the backend cannot read or write.
 */
export interface ImageStore {
  /** Stores an image and its metadata atomically: afterwards both are there, or (on any failure) neither. */
  save(input: SaveImageInput): Promise<StoredImage>;
  /**
   * Checks, before anything is paid for, that a save of about `expectedBytes` would succeed now: the folder can be
   * written and enough space stays free. Rejects with `storage_failed` saying what to fix. Optional: a backend
   * without it is not checked ahead.
   */
  checkCanSave?(expectedBytes: number): Promise<void>;
  /** The image bytes and metadata. */
  get(imageId: string): Promise<StoredImageContent>;
  /**
   * The metadata, with the image bytes as a stream (the HTTP `/images` route pipes it). Optional: callers fall back to
   * {@link get}.
   */
  openImageStream?(imageId: string): Promise<StoredImageStream>;
  /** The metadata only (no image bytes are read). */
  getMetadata(imageId: string): Promise<StoredImage>;
  /** Whether an image with this id is stored. */
  exists(imageId: string): Promise<boolean>;
  /** Removes an image and its metadata; resolves `false` when there was no such image. */
  delete(imageId: string): Promise<boolean>;
  /** Stored images, newest first, filtered and paged. */
  history(query?: HistoryQuery): Promise<HistoryPage>;
  /** Counts, bytes, oldest/newest and the last cleanup; of one principal's images when `filter.principalId` is set. */
  stats(filter?: PrincipalFilter): Promise<StorageStats>;
  /** Applies retention and removes stray files; see {@link CleanupOptions}. */
  cleanup(options?: CleanupOptions): Promise<CleanupReport>;
  /** Ids starting with `prefix` (for argument completion), newest first; `limit` 1–100, default 20; one principal's with `filter`. */
  listIds(prefix: string, limit?: number, filter?: PrincipalFilter): Promise<string[]>;
  /** Waits for running operations and releases resources; later calls reject with `storage_failed`. */
  close(): Promise<void>;
}
