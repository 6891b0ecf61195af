/**
 * The model registry's data shape. Everything the engine knows about a model is data of this shape,
 * so adding or overriding a model (including from configuration) never needs code.
 */

/** Where a model stands in its vendor's life cycle. */
export type ModelStatus =
  /** Usable, no announced end. */
  | { kind: 'active' }
  /** Usable until `shutdownDate` (ISO date); `replacement` names the model to move to. */
  | { kind: 'deprecated'; shutdownDate: string; replacement?: string }
  /**
   * Shut down on `retiredDate` (ISO date): every request is refused, naming `replacement`. `replacement` is missing only
   * for a deprecated model past its shutdown date whose provider has no usable model left.
   */
  | { kind: 'retired'; retiredDate: string; replacement?: string };

/**
 * Which output sizes a model accepts.
 * - `list`: exactly these `WxH` strings (and `auto` when listed).
 * - `rule`: any `WxH` whose sides are multiples of `multipleOf`, within the bounds, plus the `presets`
 *   (gpt-image-2 takes any size divisible by 16 up to 3840x2160 with an aspect ratio between 1:3 and 3:1).
 * - `aspect-ratios`: the model takes an aspect ratio and a resolution tier, not pixels (Gemini); the
 *   engine derives the ratio from the requested size and crops or resizes to the exact size asked for.
 */
export type SizeCapability =
  | { kind: 'list'; sizes: readonly string[] }
  | {
      kind: 'rule';
      /** Sizes always accepted, listed first in model listings (e.g. 1024x1024, `auto`). */
      presets: readonly string[];
      /** Both sides must be multiples of this. */
      multipleOf: number;
      /** Longest accepted side, in pixels. */
      maxEdge: number;
      /** Largest accepted pixel count (width × height). */
      maxPixels: number;
      /** Smallest accepted pixel count. */
      minPixels: number;
      /** Largest accepted long side / short side ratio (3 means 3:1 and 1:3). */
      maxAspectRatio: number;
    }
  | {
      kind: 'aspect-ratios';
      /** Accepted `W:H` ratios. */
      ratios: readonly string[];
      /** Accepted resolution tiers (`1K`, `2K`, `4K`, …), smallest first. */
      imageSizes: readonly string[];
      /** Pixel length of the long side per tier, to predict output dimensions. */
      longEdgeByImageSize: Readonly<Record<string, number>>;
    };

/** What a model can do. Every value list is exactly what the vendor API accepts for this model. */
export interface ModelCapabilities {
  /** Text-to-image. */
  generate: boolean;
  /** Image-to-image with a prompt. */
  edit: boolean;
  /** Whether edits accept a mask that limits the change to an area. */
  mask: boolean;
  /**
   * How a mask is honoured. `native` (the default): it is sent to the vendor. `composite`: the vendor has no mask
   * parameter, so the provider edits the whole image and the engine keeps the edited pixels only inside the mask,
   * laying them over the original elsewhere (same result semantics as a native mask).
   */
  maskMode?: 'native' | 'composite';
  /** Most input images one edit accepts. */
  maxInputImages: number;
  /** Most images one call returns (`n`); the engine fans out beyond it when the provider allows. */
  maxImagesPerCall: number;
  /** Output sizes. */
  sizes: SizeCapability;
  /** Accepted `quality` values; empty when the model has no quality knob. */
  qualities: readonly string[];
  /** Accepted `background` values; empty when unsupported. */
  backgrounds: readonly string[];
  /** Output formats the model produces natively; others are converted locally with a warning. */
  outputFormats: readonly ('png' | 'jpeg' | 'webp')[];
  /** Whether `compression` (0–100, jpeg/webp) is honoured natively. */
  compression: boolean;
  /** Accepted `moderation` values; empty when unsupported. */
  moderation: readonly string[];
  /** Accepted `input_fidelity` values for edits; empty when the parameter must be omitted. */
  inputFidelity: readonly string[];
  /** Most partial images a streaming call can return; 0 when the model does not stream. */
  partialImages: number;
  /** Whether the model has a native `style` parameter (none of today's GPT image or Gemini models do). */
  style: boolean;
  /** Longest accepted prompt, in characters (code points); 32000 when absent. */
  maxPromptLength?: number;
  /**
   * Provider-specific option names this model accepts in `providerOptions[provider]` beyond the ones every model
   * of its provider takes (e.g. `markup` on gpt-image-2.5). A configuration override can add a brand-new vendor
   * parameter here so it passes through before this library knows it.
   */
  extraProviderOptions?: readonly string[];
  /**
   * What the vendor API offers for this model beyond the values above, recorded for listings before the engine
   * sends it: a request cannot ask for these yet. Absent: nothing beyond the fields above is known.
   */
  vendorFeatures?: VendorFeatures;

  // Gemini abilities (issue 19 item 3): requests can ask for these; planning refuses them on models without them.
  /**
   * Accepted `thinkingLevel` values, lowercase (`minimal`, `low`, `medium`, `high`, `xhigh`: the `ThinkingLevel` names
   * of `@google/genai` 3.3). Absent or empty: the model's reasoning depth is not adjustable.
   */
  thinkingLevels?: readonly string[];
  /** Grounding with Google Search (`tools: [{ googleSearch: {} }]`); absent: not offered. */
  searchGrounding?: SearchGrounding;
  /**
   * Whether an edit can continue the stored conversation of an image this model made (multi-turn editing: the earlier
   * turns go back as history, with the model's thought signatures intact).
   */
  multiTurnEditing?: boolean;
}

/** How grounding with a web search is offered and billed. */
export interface SearchGrounding {
  /** US dollars per search query the model runs, on top of the image; absent when unknown (cost is then unknown). */
  pricePerQueryUsd?: number;
  /** Queries an estimate assumes per call (the model decides how many it runs); default 1. */
  estimatedQueriesPerCall?: number;
  /** Whether the price comes only from third-party sources. */
  unverified?: boolean;
}

/**
 * Vendor features beyond the common fields (openai 7.x types and changelog). Listings show them, and request planning
 * reads the OpenAI ones (`complexities`, `outputFormats`, `gif`, `markupEdits`, `previewBackgrounds`): a request asking
 * for one on a model without it is refused before anything is paid.
 */
export interface VendorFeatures {
  /** Accepted `complexity` values: planning effort independent of `quality`, no extra charge (omitted: the model's default). */
  complexities?: readonly string[];
  /** Output formats the vendor renders beyond `outputFormats`: `gif` (animated) and `svg` (vector, one image per call). */
  outputFormats?: readonly ('gif' | 'svg')[];
  /** GIF output: frame count bounds and default, default delay per frame; `preview` when access is granted per project. */
  gif?: { minFrames: number; maxFrames: number; defaultFrames: number; defaultFrameDurationMs: number; preview: boolean };
  /** Edits take a `markup` image: a transparent PNG drawn over the first image to guide the change (never with a mask). */
  markupEdits?: boolean;
  /** `background` values the vendor offers in preview only, kept out of `backgrounds` until they are generally available. */
  previewBackgrounds?: readonly ('transparent' | 'opaque' | 'auto')[];
}

/**
 * Prices in US dollars. Token prices are per one million tokens.
 * - `tokens`: cost = text-in × text rate + image-in × image rate + output × output rate; the estimate uses
 *   `outputTokensBySize[size][quality]` when known, else the nearest known size scaled by pixel count.
 * - `per-image`: a flat price per output image by resolution tier (Gemini), plus token prices for inputs.
 */
export type ModelPricing =
  | {
      kind: 'tokens';
      textInputPerMillion: number;
      imageInputPerMillion: number;
      imageOutputPerMillion: number;
      /** Output tokens per image by `WxH` then quality, for estimates before the call. */
      outputTokensBySize: Readonly<Record<string, Readonly<Record<string, number>>>>;
      /** Whether the figures come only from third-party sources. */
      unverified?: boolean;
    }
  | {
      kind: 'per-image';
      /** Price of one output image per resolution tier (`1K`, `2K`, `4K`). */
      perImageBySize: Readonly<Record<string, number>>;
      textInputPerMillion: number;
      imageInputPerMillion: number;
      unverified?: boolean;
    };

/** One model the engine can route requests to. */
export interface ModelDefinition {
  /** The id callers use and the vendor API expects (e.g. `gpt-image-2`). */
  id: string;
  /** Provider id (`openai`, `gemini`); routes the request. */
  provider: string;
  /** A short human name for listings. */
  displayName: string;
  /** Other names that resolve to this model (dated snapshots, marketing names). */
  aliases: readonly string[];
  /** Life-cycle status. */
  status: ModelStatus;
  /** What the model accepts. */
  capabilities: ModelCapabilities;
  /** Prices; absent when unknown (cost is then reported as unknown, never guessed). */
  pricing?: ModelPricing;
  /** Free text shown in `model-info://` resources. */
  notes?: string;
  /** Marks the model `defaultModelFor(provider)` returns; at most one per provider. */
  providerDefault?: boolean;
}
