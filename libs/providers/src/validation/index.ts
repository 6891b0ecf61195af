export { defaultMaxPromptLength, maxImagesPerRequest, planRequest } from './plan-request';
export type { OutputFormat, PlannedCall, PlanOptions, RequestDefaults, RequestPlan } from './plan-request';
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
