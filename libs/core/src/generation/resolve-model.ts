import { ImageGenError, ownValue } from '@imagegen/common';
import type { ImageProvider, ModelDefinition, ModelRegistry } from '@imagegen/providers';

/** What picking a model and its provider looks at. */
export interface ModelChoiceContext {
  registry: ModelRegistry;
  /** The model of a request that names none. */
  defaultModel: string;
  /** The model a request gets when it names only a provider id (`"model": "gemini"`). */
  providerDefaultModels?: Readonly<Record<string, string>>;
}

/** Step 1: the model a request asked for (or the default), by id, alias or provider name. */
export function resolveModel(requested: string | undefined, context: ModelChoiceContext): ModelDefinition {
  const name = requested ?? context.defaultModel;
  const providerDefault = context.providerDefaultModels ? ownValue(context.providerDefaultModels, name.trim().toLowerCase()) : undefined;
  return context.registry.resolve(providerDefault ?? name);
}

/** The configured provider of `model`, or `provider_not_configured` naming the setting that configures it. */
export function providerFor(
  model: ModelDefinition,
  providers: ReadonlyMap<string, ImageProvider>,
  settingHints?: Readonly<Record<string, string>>,
): ImageProvider {
  const provider = providers.get(model.provider);
  if (provider) return provider;
  const hint = settingHints && Object.hasOwn(settingHints, model.provider) ? settingHints[model.provider] : undefined;
  const setting = hint ?? `PROVIDERS__${model.provider.toUpperCase()}__API_KEY`;
  throw new ImageGenError({
    code: 'provider_not_configured',
    message: `The model ${model.id} needs the ${model.provider} provider, which is not configured. Set ${setting} (in the environment or the config file) and restart the server.`,
    provider: model.provider,
    details: { setting, model: model.id },
  });
}
