import type { ModelDefinition, ModelPricing, ResolvedSize } from '../contract';
import type { PlannedCall } from '../validation/plan-request';
import { formatSize, imageSizeTierFor, parseSize, type PixelSize } from '../validation/size';
import { pricedSize } from './priced-size';
import { framesOf } from '../validation/plan-vendor-features';

/** What an estimate looks at: one planned call (a `PlannedCall` fits). */
export type CostEstimateInput = Pick<PlannedCall, 'prompt' | 'n' | 'size'> &
  Partial<Pick<PlannedCall, 'quality' | 'partialImages' | 'images' | 'searchGrounding' | 'outputFormat' | 'frameCount'>>;

/** Extra output tokens one streamed partial image costs (third-party figure). */
export const outputTokensPerPartialImage = 100;

/**
 * Output tokens allowed for writing one SVG from its reference image, priced at the image-output rate. A guess: OpenAI
 * reports these tokens (`svg_usage`) but publishes no typical figure; the actual cost replaces it after the call.
 */
export const svgAuthoringTokensAllowance = 4_000;

/** Rough prompt tokens: about four characters per token. */
export function estimateTextTokens(prompt: string): number {
  return Math.ceil(Array.from(prompt).length / 4);
}

/**
 * Estimated US dollars for one call, before it is made; `undefined` when the model has no pricing (cost unknown,
 * never guessed). Token-priced models: prompt tokens (≈ chars / 4) plus output tokens from `outputTokensBySize`
 * (`auto` size → the dearest listed size; `auto` or unset quality → `high`; an unlisted size → the listed size nearest
 * in aspect, scaled by pixel count), plus ~100 tokens per partial image; a GIF counts every frame as an image (a guess:
 * the vendor publishes no GIF price, and this errs high); an SVG adds {@link svgAuthoringTokensAllowance}. Input-image tokens of edits are not
 * estimated. Per-image-priced models: the tier covering the size (for an unsized edit, the first input image's:
 * see {@link pricedSize}), times `n`, plus prompt tokens. A grounded request adds its estimated search queries.
 * Check `model.pricing.unverified` before presenting the figure as exact.
 */
export function estimateCost(model: ModelDefinition, call: CostEstimateInput): number | undefined {
  const pricing = model.pricing;
  if (pricing === undefined) return undefined;
  const textUsd = (estimateTextTokens(call.prompt) * pricing.textInputPerMillion) / 1_000_000;
  const searchUsd = estimateSearchCost(model, call);
  if (searchUsd === undefined) return undefined;
  if (pricing.kind === 'per-image') {
    const perImage = perImagePrice(model, pricing, pricedSize(call), call.quality);
    return perImage === undefined ? undefined : roundUsd(perImage * call.n + textUsd + searchUsd);
  }
  const perImage = outputTokensPerImage(pricing, call.size, call.quality);
  if (perImage === undefined) return undefined;
  const frames = call.outputFormat === 'gif' ? framesOf(model, call.frameCount) : 1;
  const authoring = call.outputFormat === 'svg' ? svgAuthoringTokensAllowance : 0;
  const outputTokens = (perImage * frames + authoring + (call.partialImages ?? 0) * outputTokensPerPartialImage) * call.n;
  return roundUsd(textUsd + searchUsd + (outputTokens * pricing.imageOutputPerMillion) / 1_000_000);
}

/**
 * The search queries of a grounded request, before the call: the model decides how many it runs, so the estimate
 * assumes `estimatedQueriesPerCall` (default 1) per image. 0 without grounding; undefined when the price is unknown.
 */
export function estimateSearchCost(model: ModelDefinition, call: Pick<CostEstimateInput, 'n' | 'searchGrounding'>): number | undefined {
  if (call.searchGrounding !== true) return 0;
  const grounding = model.capabilities.searchGrounding;
  if (grounding?.pricePerQueryUsd === undefined) return undefined;
  return grounding.pricePerQueryUsd * (grounding.estimatedQueriesPerCall ?? 1) * call.n;
}

/** Output tokens one image of `size` and `quality` costs, from the pricing table. */
export function outputTokensPerImage(
  pricing: Extract<ModelPricing, { kind: 'tokens' }>,
  size: ResolvedSize,
  quality: string | undefined,
): number | undefined {
  const rows = Object.entries(pricing.outputTokensBySize)
    .map(([key, row]) => ({ size: parseSize(key), row }))
    .filter((entry): entry is { size: PixelSize; row: Readonly<Record<string, number>> } => typeof entry.size === 'object');
  if (rows.length === 0) return undefined;
  const tokensAt = (row: Readonly<Record<string, number>>): number => {
    const values = Object.values(row);
    const wanted = quality === undefined || quality === 'auto' ? 'high' : quality;
    return row[wanted] ?? Math.max(0, ...values);
  };
  if (size === 'auto') return Math.max(...rows.map((entry) => tokensAt(entry.row)));
  const exact = pricing.outputTokensBySize[formatSize(size)];
  if (exact !== undefined) return tokensAt(exact);
  const aspectDistance = (other: PixelSize): number => Math.abs(Math.log(other.width / other.height / (size.width / size.height)));
  const nearest = [...rows].sort((left, right) => aspectDistance(left.size) - aspectDistance(right.size))[0];
  if (nearest === undefined) return undefined;
  const pixelFactor = (size.width * size.height) / (nearest.size.width * nearest.size.height);
  return Math.round(tokensAt(nearest.row) * pixelFactor);
}

/**
 * Price of one image for `size` (and `quality`, which can raise the resolution tier) under per-image pricing: an exact
 * `WxH` key, else the tier {@link imageSizeTierFor} picks.
 */
export function perImagePrice(
  model: ModelDefinition,
  pricing: Extract<ModelPricing, { kind: 'per-image' }>,
  size: ResolvedSize,
  quality?: string,
): number | undefined {
  const exact = pricing.perImageBySize[formatSize(size)];
  if (exact !== undefined) return exact;
  const tier = imageSizeTierFor(model.capabilities.sizes, size, quality);
  if (tier !== undefined) return pricing.perImageBySize[tier];
  return undefined;
}

/** Rounds to a millionth of a dollar, which hides floating-point noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}
