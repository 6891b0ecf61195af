import type { ImagePreview } from '@imagegen/imaging';
import type { GroundingReport, ImageGenerationRequest, ModelDefinition, PartialImageEvent, RequestWarning } from '@imagegen/providers';

/**
 * Where an input image comes from. Explicit variants, so the engine never guesses whether a string is a path,
 * an id or base64 (the MCP and CLI layers parse user strings into one of these).
 */
export type ImageSource =
  /** Raw encoded bytes. */
  | { kind: 'bytes'; data: Uint8Array }
  /** Base64 or a `data:image/...;base64,` URL. */
  | { kind: 'encoded'; value: string }
  /** An image already in storage, by id (`img_…`) or `generated-images://` URI. */
  | { kind: 'stored'; imageId: string }
  /** A local file; read only when it lies inside one of the engine's allowed folders. */
  | { kind: 'file'; path: string };

/** A generation request plus engine-level switches. */
export interface GenerateImageInput extends ImageGenerationRequest {
  /** Skip the cache lookup and make a fresh image (the result is still cached for next time). */
  fresh?: boolean;
  /** Free-form labels stored with the image (e.g. the prompt template used). */
  labels?: Record<string, string>;
}

/** An edit request with its source images. */
export interface EditImageInput extends Omit<GenerateImageInput, 'n'> {
  /** Source images; the first is the one a mask applies to. At most the model's `maxInputImages`. */
  images: ImageSource[];
  /** Optional mask: PNG with alpha (transparent = edit here) or black-and-white (white = edit here). */
  mask?: ImageSource;
  /** `high` or `low`, on models that accept it. */
  inputFidelity?: string;
  /**
   * Markup overlay: a transparent PNG (or WebP) the size of the first image with the change drawn on it (arrows,
   * circles, notes); on models whose listing shows markup edits. Never with `mask`.
   */
  markup?: ImageSource;
  /** How many variations. */
  n?: number;
  /**
   * Continue the conversation of the first image (multi-turn editing): it must be a stored image made by a model
   * with `multiTurnEditing`, and the edit uses that model (the default when `model` is unset). Its earlier turns go
   * back to the model with their thought signatures; the new image keeps the longer conversation. Default false: an
   * edit is a fresh single turn.
   */
  continueConversation?: boolean;
}

/** Stages a long call reports through {@link CallOptions.onProgress}. */
export type ProgressStage = 'queued' | 'requesting' | 'retrying' | 'partial_image' | 'processing' | 'storing' | 'done';

/** One progress report. */
export interface ProgressEvent {
  /** What is happening now. */
  stage: ProgressStage;
  /** A short sentence for a person. */
  message: string;
  /** Milliseconds since the call started. */
  elapsedMs: number;
  /** The streamed partial image, for `partial_image`. */
  partialImage?: PartialImageEvent;
}

/** Per-call options. */
export interface CallOptions {
  /**
   * Cancels this caller's wait. Before the request reaches the provider it cancels the request. After, with
   * continue-on-cancel (the default), the request runs to the end and is stored and cached, so asking again returns
   * it without a second paid call; with it off, the upstream request is aborted.
   */
  signal?: AbortSignal;
  /** Receives progress while the call runs. */
  onProgress?: (event: ProgressEvent) => void;
  /** Correlation id for logs; one is generated when absent. */
  correlationId?: string;
  /**
   * Also make a small preview of each new image (for responses with a byte budget). It is made while the image is
   * being stored, so it adds no time of its own; it is absent when even the smallest preview would not fit.
   */
  preview?: {
    /** Largest preview, in encoded bytes. */
    maxBytes: number;
    /** Longest side of the preview, in pixels. */
    maxDimension?: number;
    /** Images of at most this many bytes get no preview (the caller inlines them whole). */
    skipUpToBytes?: number;
  };
}

/** One stored image in a result. */
export interface StoredImage {
  /** Image id (`img_YYYYMMDDHHmmss_<12 hex>`). */
  imageId: string;
  /** `generated-images://{imageId}`. */
  resourceUri: string;
  /** Absolute path of the file, when the store is a local disk. */
  filePath?: string;
  /**
   * The encoded image. A fresh image's bytes are in memory already; a cache hit's or a finished job's are read from
   * the store on the first call (a repeat that shows a preview made earlier never reads the multi-megabyte file, and
   * so never makes the garbage that triggers full collections). Rejects with `not_found` when the file is gone since.
   */
  readData(): Promise<Buffer>;
  /** MIME type measured from the bytes. */
  mimeType: string;
  /** `png`, `jpeg`, `webp`, `gif` (an animation) or `svg` (a sanitized vector drawing). */
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';
  /** Measured pixel width (an SVG's as rendered at 72 dpi). */
  width: number;
  /** Measured pixel height. */
  height: number;
  /** File size in bytes. */
  byteLength: number;
  /** When it was created (ISO 8601). */
  createdAt: string;
  /** A preview within `CallOptions.preview`, when one was asked for (never on cache hits). */
  preview?: ImagePreview;
  /** What grounding with Google Search searched for and drew on, for a grounded image. */
  grounding?: GroundingReport;
  /** Turns of the conversation the image keeps (multi-turn editing); absent when it cannot be continued. */
  conversationTurns?: number;
}

/** What generate and edit return. */
export interface ImageResult {
  /** Id of this request (all images of one call share it). */
  taskId: string;
  /** The model that made the images. */
  model: string;
  /** Its provider. */
  provider: string;
  /** The images, stored. */
  images: StoredImage[];
  /** What was changed or ignored from the request, for the user to see. */
  warnings: RequestWarning[];
  /** True when served from the cache: no provider call, no new cost. */
  fromCache: boolean;
  /**
   * True when this request joined an identical one already running (perhaps one whose caller gave up) and shares its
   * images: no call of its own, no new cost (`actualCostUsd` 0).
   */
  sharedCall?: boolean;
  /** Estimated cost in USD before the call (undefined when the model's pricing is unknown). */
  estimatedCostUsd?: number;
  /** Cost in USD of this call from the vendor's usage (0 for a cache hit; undefined when unknown). */
  actualCostUsd?: number;
  /** The prompt actually sent (after style folding). */
  prompt: string;
  /** The request as resolved: size, quality, format, … after defaults. */
  parameters: Record<string, unknown>;
}

/** A model as listings show it. */
export interface ModelListing {
  /** The registry entry. */
  definition: ModelDefinition;
  /** Whether its provider has credentials and is enabled. */
  providerConfigured: boolean;
  /**
   * Whether the vendor lists this model for the configured key: `true`/`false` after asking, `undefined` when
   * the vendor could not be asked (no key, offline).
   */
  availableForKey?: boolean;
  /** Whether this is the configured default model. */
  isDefault: boolean;
}
