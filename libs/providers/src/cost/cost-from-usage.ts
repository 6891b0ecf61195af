import type { ModelDefinition, ProviderUsage, ResolvedSize } from '../contract';
import { perImagePrice, roundUsd } from './estimate-cost';

/** What per-image pricing needs beyond token usage. */
export interface UsageContext {
  /** Images the call returned. */
  images?: number;
  /** Size the call asked for (selects the resolution tier). */
  size?: ResolvedSize;
  /** Quality the call asked for (can raise the resolution tier). */
  quality?: string;
}

/**
 * Actual US dollars of one call from the vendor's usage: text tokens × text rate + input-image tokens × image-input
 * rate + output tokens × image-output rate (per-image pricing: images × tier price + input tokens), plus the search
 * queries of a grounded answer at the model's price per query, plus the SVG author's tokens at the text-input and
 * image-output rates (an upper bound: they have no published price). `undefined` when
 * the model has no pricing or the usage carries no token counts.
 */
export function costFromUsage(model: ModelDefinition, usage: ProviderUsage | undefined, context: UsageContext = {}): number | undefined {
  const pricing = model.pricing;
  if (pricing === undefined || usage === undefined) return undefined;
  const { inputTextTokens, inputImageTokens, outputTokens, svgAuthoring } = usage;
  const searchQueries = usage.searchQueries ?? 0;
  const queryPrice = model.capabilities.searchGrounding?.pricePerQueryUsd;
  // Searches at an unknown price make the whole cost unknown rather than understated.
  if (searchQueries > 0 && queryPrice === undefined) return undefined;
  // SVG authoring tokens have no published price of their own: counted at the image model's text and output rates.
  const authoringUsd =
    svgAuthoring === undefined
      ? 0
      : (svgAuthoring.inputTokens * pricing.textInputPerMillion +
          svgAuthoring.outputTokens * (pricing.kind === 'tokens' ? pricing.imageOutputPerMillion : pricing.textInputPerMillion)) /
        1_000_000;
  const inputUsd =
    ((inputTextTokens ?? 0) * pricing.textInputPerMillion + (inputImageTokens ?? 0) * pricing.imageInputPerMillion) / 1_000_000 +
    searchQueries * (queryPrice ?? 0) +
    authoringUsd;
  if (pricing.kind === 'per-image') {
    if (context.images === undefined || context.size === undefined) return undefined;
    const perImage = perImagePrice(model, pricing, context.size, context.quality);
    return perImage === undefined ? undefined : roundUsd(perImage * context.images + inputUsd);
  }
  if (inputTextTokens === undefined && inputImageTokens === undefined && outputTokens === undefined) return undefined;
  return roundUsd(inputUsd + ((outputTokens ?? 0) * pricing.imageOutputPerMillion) / 1_000_000);
}
