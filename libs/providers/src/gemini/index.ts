import type { ModelDefinition } from '../contract';

export const geminiModels: ModelDefinition[] = [];
