/**
 * @imagegen/providers — the model registry, request planning (validation and translation), cost, the retry helper
 * and the vendor providers. Everything public is listed here by name.
 */
export * from './contract';
export * from './gemini';
export { defaultProviderTimeoutMs } from './provider-support/common-provider-settings';
export type { CommonProviderSettings } from './provider-support/common-provider-settings';
export { guardProviderCall } from './provider-support/provider-call-guard';
export { startDeadline } from './provider-support/start-deadline';
export { builtInModels, createModelRegistry, geminiModels, modelDefinitionSchema, modelOverrideSchema, openaiModels } from './registry';
export type { DefinitionIssue, ListModelsOptions, ModelOverride, ModelRegistry, ModelRegistryOptions } from './registry';
export {
  allowedSizes,
  defaultMaxPromptLength,
  describeSizes,
  formatSize,
  imageSizeTierFor,
  isValidForRule,
  maxImagesPerRequest,
  nearestAspectRatio,
  nearestValidSize,
  parseSize,
  planRequest,
  resolveSize,
} from './validation';
export type { OutputFormat, PixelSize, PlannedCall, PlanOptions, RequestDefaults, RequestPlan, SizeResolution } from './validation';
export { framesOf, isVendorRenderedFormat } from './validation';
export type { RasterFormat, VendorRenderedFormat } from './validation';
export {
  costFromUsage,
  estimateCost,
  estimateTextTokens,
  outputTokensPerImage,
  outputTokensPerPartialImage,
  perImagePrice,
  roundUsd,
  svgAuthoringTokensAllowance,
} from './cost';
export type { CostEstimateInput, UsageContext } from './cost';
export {
  createOpenAIProvider,
  defaultOpenAIBaseUrl,
  mapOpenAIError,
  openaiCommonOptionsSchema,
  parseOpenAIProviderOptions,
} from './openai';
export type { OpenAIErrorContext, OpenAIExtraFields, OpenAIProviderSettings } from './openai';
export { isRetryable, parseRetryAfter, withRetries } from './retry';
export type { HeaderLookup, RetryEvent, RetryOptions } from './retry';
