export { defaultMaxPromptLength, maxImagesPerRequest, planRequest } from './plan-request';
export type { OutputFormat, PlannedCall, PlanOptions, RasterFormat, RequestDefaults, RequestPlan } from './plan-request';
export { framesOf, isVendorRenderedFormat } from './plan-vendor-features';
export type { VendorRenderedFormat } from './plan-vendor-features';
export {
  allowedSizes,
  describeSizes,
  formatSize,
  imageSizeTierFor,
  isValidForRule,
  nearestAspectRatio,
  nearestValidSize,
  parseSize,
  resolveSize,
} from './size';
export type { PixelSize, SizeResolution } from './size';
export { knownThinkingLevels, planConversation, planSearchGrounding, planThinkingLevel } from './plan-model-abilities';
