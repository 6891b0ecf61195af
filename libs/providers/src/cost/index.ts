export { costFromUsage } from './cost-from-usage';
export type { UsageContext } from './cost-from-usage';
export {
  estimateCost,
  estimateTextTokens,
  outputTokensPerImage,
  outputTokensPerPartialImage,
  perImagePrice,
  roundUsd,
  svgAuthoringTokensAllowance,
} from './estimate-cost';
export type { CostEstimateInput } from './estimate-cost';
