export { builtInModels } from './built-in-models';
export { geminiModels } from './gemini-models';
export { openaiModels } from './openai-models';
export { createModelRegistry } from './model-registry';
export type { ListModelsOptions, ModelRegistry, ModelRegistryOptions } from './model-registry';
export { modelDefinitionSchema, modelOverrideSchema } from './model-definition-schema';
export type { DefinitionIssue, ModelOverride } from './model-definition-schema';
