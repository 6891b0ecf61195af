import { costFromUsage, estimateCost, type ModelDefinition, type ProviderResult, type RequestPlan } from '@imagegen/providers';

/** What a request may cost, known before the call. */
export interface CostBounds {
  /** The estimate from the price tables; undefined when the model's pricing is unknown. */
  estimatedUsd?: number;
  /**
   * The most the request can cost per the registry: the dearest quality the call may end up with, plus headroom for
   * what is only estimated (prompt and input-image tokens). Budgets hold this much while the call runs.
   */
  maxUsd?: number;
}

/** Search queries a budget holds per grounded image (the estimate counts one; Google runs as many as it needs). */
const searchQueriesAllowance = 5;
/** Headroom over the table figures for the parts of a bill that are estimated (prompt text, input images). */
const estimateHeadroom = 1.25;
/** Input-image tokens allowed per source image of an edit (and per image of a continued conversation), at the image-input rate (a 1536x1024 image is about 1 500). */
const inputImageTokensAllowance = 6_000;

/** Step: the estimate and the upper bound of a planned request. */
export function costBounds(model: ModelDefinition, plan: RequestPlan): CostBounds {
  const call = { ...plan.call, n: plan.totalImages };
  const estimatedUsd = estimateCost(model, call);
  const pricing = model.pricing;
  if (estimatedUsd === undefined || pricing === undefined) return estimatedUsd === undefined ? {} : { estimatedUsd };
  const fixedQuality = call.quality !== undefined && call.quality !== 'auto';
  const candidates = fixedQuality ? [call.quality] : ['auto', ...model.capabilities.qualities, ...qualitiesPriced(model)];
  const dearest = Math.max(
    estimatedUsd,
    ...candidates.map((quality) => estimateCost(model, { ...call, ...(quality === undefined ? {} : { quality }) }) ?? 0),
  );
  const historyImages = (plan.call.conversation ?? []).reduce((sum, turn) => sum + turn.parts.filter((part) => part.image).length, 0);
  const inputImages = (plan.call.images?.length ?? 0) + (plan.call.mask ? 1 : 0) + historyImages;
  const inputUsd = (inputImages * inputImageTokensAllowance * pricing.imageInputPerMillion) / 1_000_000;
  // The model decides how many searches a grounded answer runs; the estimate counts one, the hold allows a few.
  const searchPrice = call.searchGrounding === true ? (model.capabilities.searchGrounding?.pricePerQueryUsd ?? 0) : 0;
  const searchUsd = searchPrice * (searchQueriesAllowance - 1) * call.n;
  return { estimatedUsd, maxUsd: Math.round((dearest * estimateHeadroom + inputUsd + searchUsd) * 1_000_000) / 1_000_000 };
}

function qualitiesPriced(model: ModelDefinition): string[] {
  const pricing = model.pricing;
  if (pricing?.kind !== 'tokens') return [];
  return [...new Set(Object.values(pricing.outputTokensBySize).flatMap((row) => Object.keys(row)))];
}

/** The cost of the answered calls from the vendor's usage; undefined when any part is unknown. */
export function actualCost(model: ModelDefinition, plan: RequestPlan, results: readonly ProviderResult[]): number | undefined {
  const parts = results.map(
    (result) =>
      result.costUsd ??
      costFromUsage(model, result.usage, {
        images: result.images.length,
        size: plan.call.size,
        ...(plan.call.quality === undefined ? {} : { quality: plan.call.quality }),
      }),
  );
  return parts.every((part) => part !== undefined) ? parts.reduce<number>((sum, part) => sum + (part ?? 0), 0) : undefined;
}

/** Token counts of all answered calls, summed by kind. */
export function tokensOf(results: readonly ProviderResult[]): Record<string, number> | undefined {
  const totals: Record<string, number> = {};
  for (const result of results) {
    const { svgAuthoring, ...counts } = result.usage ?? {};
    // The SVG author's tokens are billed too: recorded beside the rendering tokens under their own names.
    const all: Record<string, unknown> = {
      ...counts,
      ...(svgAuthoring ? { svgAuthoringInputTokens: svgAuthoring.inputTokens, svgAuthoringOutputTokens: svgAuthoring.outputTokens } : {}),
    };
    for (const [key, value] of Object.entries(all)) {
      if (typeof value === 'number') totals[key] = (totals[key] ?? 0) + value;
    }
  }
  return Object.keys(totals).length > 0 ? totals : undefined;
}
