import type { ImageGenConfig } from '@imagegen/config';
import type { ImageGenError, Logger } from '@imagegen/core';

/** What asking one provider found. */
export interface ProviderKeyCheck {
  provider: string;
  status: 'ok' | 'warn' | 'fail' | 'skipped';
  message: string;
  /** Models the key can use, when the listing worked. */
  modelCount?: number;
  /** The failure, when the provider could not be used. */
  error?: ImageGenError;
}

/** Longest wait for one listing: a check should answer quickly even when the configured timeout is minutes. */
const checkTimeoutMs = 20_000;

/** Every provider the command line knows, in the order checks are reported. */
const knownProviders = ['openai', 'gemini'] as const;

/**
 * Checks that each configured provider answers and accepts its key, by listing the models the key can use (a free
 * call), with the providers built exactly as the engine builds them. Providers without credentials are skipped.
 */
export async function checkProviderKeys(
  config: ImageGenConfig,
  options: { logger: Logger; signal?: AbortSignal },
): Promise<ProviderKeyCheck[]> {
  const { createProvidersFromConfig, providerSettingHints, ImageGenError } = await import('@imagegen/core');
  const configured = createProvidersFromConfig(config, { logger: options.logger, maxTimeoutMs: checkTimeoutMs });
  const defaults: Record<string, string> = { gemini: config.providers.gemini.default_model };
  if (config.images.default_model.startsWith('gpt-')) defaults['openai'] = config.images.default_model;
  const checks: ProviderKeyCheck[] = [];
  for (const id of knownProviders) {
    const entry = configured.get(id);
    if (entry === undefined) {
      const turnedOff = config.providers[id].enabled === false;
      checks.push({
        provider: id,
        status: 'skipped',
        message: turnedOff
          ? `disabled (PROVIDERS__${id.toUpperCase()}__ENABLED=false)`
          : `not configured (set ${providerSettingHints[id]})`,
      });
      continue;
    }
    try {
      const ids = (await entry.provider.listAvailableModels(options.signal)).map((model) => model.toLowerCase());
      const defaultModel = defaults[id];
      const defaultMissing = defaultModel !== undefined && !ids.includes(defaultModel.toLowerCase());
      const where = id === 'openai' ? ` at ${config.providers.openai.base_url}` : '';
      checks.push({
        provider: id,
        status: defaultMissing ? 'warn' : 'ok',
        message:
          `the key works: ${ids.length} model(s) listed${where}` +
          (defaultMissing ? `; the default model ${defaultModel} is not among them` : ''),
        modelCount: ids.length,
      });
    } catch (error) {
      const failure = ImageGenError.isInstance(error)
        ? error
        : new ImageGenError({
            code: 'upstream_unavailable',
            message: `The provider could not be asked: ${error instanceof Error ? error.message : String(error)}`,
            cause: error,
          });
      checks.push({ provider: id, status: 'fail', message: failure.message, error: failure });
    }
  }
  return checks;
}
