export { createGeminiProvider, defaultGeminiBaseUrl } from './gemini-provider';
export type { GeminiProviderSettings } from './gemini-provider';
export { mapGeminiError } from './gemini-error-mapping';
export type { GeminiErrorContext } from './gemini-error-mapping';
