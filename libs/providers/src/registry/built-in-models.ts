import type { ModelDefinition } from '../contract';
import { geminiModels } from './gemini-models';
import { openaiModels } from './openai-models';

/** Every model this library knows: OpenAI's, then Gemini's. Pass to `createModelRegistry({ models: builtInModels })`. */
export const builtInModels: readonly ModelDefinition[] = [...openaiModels, ...geminiModels];
