export { builtInTemplates } from './built-in-templates';
export { createTemplateRegistry } from './template-registry';
export type { TemplateRegistry, TemplateRegistryOptions } from './template-registry';
export { loadCustomTemplates } from './custom-templates';
export { loadTemplateRegistry } from './load-template-registry';
export type { TemplateSettings } from './load-template-registry';
export type { TemplateFileSystem } from './custom-templates';
export type { PromptTemplate, RenderedTemplate, TemplateArgument, TemplateRecommendation, TemplateValues } from './template-definition';
