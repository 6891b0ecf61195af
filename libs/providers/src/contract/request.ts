import type { AnswerPart, ConversationTurn, GroundingReport } from './conversation';
import type { ModelDefinition } from './model-definition';

/**
 * Provider-neutral requests (what callers of the engine send) and the provider-level call (what a provider
 * receives after validation and translation). Provider-specific knobs travel in `providerOptions[providerId]`
 * and are validated by that provider; they never leak into these shared types.
 */

/** An input image already validated by `@imagegen/imaging`: real bytes with their real MIME type. */
export interface InputImage {
  /** The encoded image bytes. */
  data: Uint8Array;
  /** `image/png`, `image/jpeg` or `image/webp`, detected from the bytes. */
  mimeType: string;
  /** Pixel width. */
  width: number;
  /** Pixel height. */
  height: number;
}

/** A text-to-image request as a caller states it. Unset fields take the configured defaults. */
export interface ImageGenerationRequest {
  /** What to draw. */
  prompt: string;
  /** Model id or alias; defaults to the configured default model. */
  model?: string;
  /** How many images (1–10). */
  n?: number;
  /** `WxH` in pixels, or `auto`. */
  size?: string;
  /** `auto`, `low`, `medium`, `high` (and `xhigh`, `max` on models that have them). */
  quality?: string;
  /** `vivid` or `natural`. No current model has a style parameter: it is folded into the prompt, with a warning. */
  style?: string;
  /** `auto`, `transparent` or `opaque`. */
  background?: string;
  /**
   * `png`, `jpeg` or `webp`; `gif` (an animation) and `svg` (a vector drawing, one per request, never streamed) on models
   * that list them in `capabilities.vendorFeatures.outputFormats`.
   */
  outputFormat?: 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';
  /** 0–100, for jpeg and webp. */
  compression?: number;
  /** `auto` or `low`. */
  moderation?: string;
  /** Number of partial images to stream while generating (0–3), when the model streams. */
  partialImages?: number;
  /**
   * `low`, `medium` or `high`: how much the model plans the picture, independently of `quality`; only on models that
   * list it in `capabilities.vendorFeatures.complexities` (omitted: the model's own default).
   */
  complexity?: string;
  /** GIF output only: frames of the animation (2–16; the vendor's default is 9). */
  frameCount?: number;
  /** GIF output only: delay per frame in milliseconds (10–655350; the vendor rounds to 10 ms; default 200). */
  frameDurationMs?: number;
  /**
   * A stable, non-identifying id of the end user for the vendor's abuse monitoring (OpenAI `safety_identifier`).
   * The engine fills it from the configured default when absent; an HTTP app can set it per principal.
   */
  safetyIdentifier?: string;
  /** Provider-specific options keyed by provider id, e.g. `{ openai: { safety_identifier: 'u-1' } }`. */
  providerOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** How much the model reasons before it draws (`minimal` … `xhigh`), on models with `thinkingLevels`. */
  thinkingLevel?: string;
  /** Ground the image in Google Search results (current facts), on models with `searchGrounding`; billed per query. */
  searchGrounding?: boolean;
}

/** An image-to-image request. */
export interface ImageEditRequest extends ImageGenerationRequest {
  /** One or more source images (the first one is the one a mask applies to). */
  images: readonly InputImage[];
  /** Optional mask: a PNG with alpha, same size as the first image; transparent pixels mark where to edit. */
  mask?: InputImage;
  /** `high` or `low`, on models that accept it. */
  inputFidelity?: string;
  /**
   * Earlier turns this edit continues (multi-turn editing), oldest first; the model must have `multiTurnEditing`.
   * `images` are the new turn's images (the first usually being the image the last model turn produced).
   */
  conversation?: readonly ConversationTurn[];
  /**
   * A transparent PNG overlay drawn on the first image to show the change (arrows, circles, notes), the same size as
   * that image; on models with `capabilities.vendorFeatures.markupEdits`. Never together with `mask`.
   */
  markup?: InputImage;
}

/** A size resolved for the provider: exact pixels, or `auto`. */
export type ResolvedSize = { width: number; height: number } | 'auto';

/** A warning the engine returns with the result: something asked for was changed or ignored. */
export interface RequestWarning {
  /** `unsupported` (dropped), `translated` (changed to something equivalent), `other`. */
  type: 'unsupported' | 'translated' | 'other';
  /** The request field concerned, e.g. `style`. */
  setting?: string;
  /** A sentence for a person. */
  message: string;
}

/** A partial image streamed while a generation runs. */
export interface PartialImageEvent {
  /** Which output image (0-based) it belongs to. */
  imageIndex: number;
  /** Which partial it is (0-based). */
  partialIndex: number;
  /** Encoded bytes of the partial image. */
  data: Uint8Array;
  /** MIME type of `data`. */
  mimeType: string;
}

/**
 * What a provider receives: validated, with defaults applied and values translated for `model`.
 * Every field here is one the model accepts; providers do not re-validate.
 */
export interface ProviderCall {
  /** The resolved model. */
  model: ModelDefinition;
  /** Final prompt text (style folded in when asked). */
  prompt: string;
  /** Images to produce in this call (≤ `model.capabilities.maxImagesPerCall`). */
  n: number;
  /** Size to ask the provider for (Gemini providers derive an aspect ratio from it). */
  size: ResolvedSize;
  /** Quality to send, when the model has one. */
  quality?: string;
  /** Native style to send; set only when `model.capabilities.style` is true (otherwise folded into `prompt`). */
  style?: string;
  /** Background to send, when the model has one. */
  background?: string;
  /** Output format to ask for natively (the engine converts raster formats when the model cannot; gif and svg never). */
  outputFormat?: 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';
  /** Compression to send natively. */
  compression?: number;
  /** Moderation level to send (generations only). */
  moderation?: string;
  /** Partial images to stream (0 = no streaming). */
  partialImages?: number;
  /** Input images, for edits. */
  images?: readonly InputImage[];
  /** Mask, for edits. */
  mask?: InputImage;
  /** Input fidelity, for edits. */
  inputFidelity?: string;
  /** Thinking level to send, lowercase, when the model has `thinkingLevels`. */
  thinkingLevel?: string;
  /** Whether to ground the answer with a web search (the model has `searchGrounding`). */
  searchGrounding?: boolean;
  /**
   * Earlier turns to send as history before this one, for multi-turn editing. The last one is the model turn that
   * produced `images[0]`: providers send that image through the history only, and the new user turn holds the prompt
   * and `images[1…]`.
   */
  conversation?: readonly ConversationTurn[];
  /** Complexity to send (validated against the model's `vendorFeatures.complexities`). */
  complexity?: string;
  /** GIF frame count to send (gif output only). */
  frameCount?: number;
  /** GIF delay per frame to send, in milliseconds (gif output only). */
  frameDurationMs?: number;
  /** Markup overlay, for edits (never with `mask`). */
  markup?: InputImage;
  /** The end user's safety identifier to send. */
  safetyIdentifier?: string;
  /** This provider's own options, from `providerOptions[provider.id]`. */
  providerOptions?: Readonly<Record<string, unknown>>;
  /** Aborts the call; a provider must stop the network request and throw `cancelled`. */
  signal?: AbortSignal;
  /** Receives streamed partial images. */
  onPartialImage?: (event: PartialImageEvent) => void;
}

/** Token usage as the vendor reported it. */
export interface ProviderUsage {
  /** Prompt text tokens. */
  inputTextTokens?: number;
  /** Input image tokens (edits). */
  inputImageTokens?: number;
  /** Output (image) tokens. */
  outputTokens?: number;
  /** Total tokens. */
  totalTokens?: number;
  /** Web search queries the model ran for grounding (billed per query). */
  searchQueries?: number;
  /** SVG output: the tokens of the model that wrote the SVG from the reference image (OpenAI `svg_usage`), billed on top. */
  svgAuthoring?: { model?: string; inputTokens: number; outputTokens: number };
}

/** One image a provider produced. */
export interface GeneratedImageData {
  /** Encoded bytes. */
  data: Uint8Array;
  /** MIME type of `data`, as detected or declared by the vendor (`image/gif`, `image/svg+xml` for those outputs). */
  mimeType: string;
}

/** What a provider returns for one call. */
export interface ProviderResult {
  /** The images, in order. */
  images: GeneratedImageData[];
  /** Usage, when the vendor reports it. */
  usage?: ProviderUsage;
  /** Actual cost in USD, when the provider can compute it from the vendor's answer. */
  costUsd?: number;
  /** What the provider changed or ignored. */
  warnings: RequestWarning[];
  /** Vendor request id, for support. */
  requestId?: string;
  /** The model id the vendor says it used (may be a dated snapshot). */
  modelUsed?: string;
  /** The model's answer as the next turn of a conversation needs it (multi-turn editing), when the model signs its parts. */
  answerParts?: AnswerPart[];
  /** What a grounded answer searched for and drew on. */
  grounding?: GroundingReport;
}
