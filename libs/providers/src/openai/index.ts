export { createOpenAIProvider, defaultOpenAIBaseUrl } from './openai-provider';
export type { OpenAIProviderSettings } from './openai-provider';
export { mapOpenAIError } from './openai-error-mapping';
export type { OpenAIErrorContext } from './openai-error-mapping';
export { openaiCommonOptionsSchema, parseOpenAIProviderOptions } from './openai-provider-options';
export type { OpenAIExtraFields } from './openai-provider-options';
