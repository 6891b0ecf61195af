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

/**
 * Checks that each configured provider answers and accepts its key, by listing the models the key can use (a free
 * call). Providers without credentials are reported as skipped.
 */
export async function checkProviderKeys(config: ImageGenConfig, options: { logger: Logger; signal?: AbortSignal }): Promise<ProviderKeyCheck[]> {
  const { createOpenAIProvider } = await import('@imagegen/providers');
  const { ImageGenError } = await import('@imagegen/core');
  const checks: ProviderKeyCheck[] = [];
  const openai = config.providers.openai;
  if (!openai.api_key) {
    checks.push({ provider: 'openai', status: 'skipped', message: 'not configured (set OPENAI_API_KEY or PROVIDERS__OPENAI__API_KEY)' });
  } else if (openai.enabled === false) {
    checks.push({ provider: 'openai', status: 'skipped', message: 'disabled (PROVIDERS__OPENAI__ENABLED=false)' });
  } else {
    const provider = createOpenAIProvider({
      apiKey: openai.api_key,
      baseUrl: openai.base_url,
      ...(openai.organization ? { organization: openai.organization } : {}),
      ...(openai.project ? { project: openai.project } : {}),
      timeoutMs: Math.min(openai.timeout * 1000, checkTimeoutMs),
      logger: options.logger.child({ provider: 'openai' }),
    });
    try {
      const ids = (await provider.listAvailableModels(options.signal)).map((id) => id.toLowerCase());
      const defaultModel = config.images.default_model;
      const defaultListed = ids.includes(defaultModel.toLowerCase());
      checks.push({
        provider: 'openai',
        status: defaultListed || !defaultModel.startsWith('gpt-') ? 'ok' : 'warn',
        message: `the key works: ${ids.length} model(s) listed at ${openai.base_url}` + (defaultListed || !defaultModel.startsWith('gpt-') ? '' : `; the default model ${defaultModel} is not among them`),
        modelCount: ids.length,
      });
    } catch (error) {
      const failure = ImageGenError.isInstance(error)
        ? error
        : new ImageGenError({ code: 'upstream_unavailable', message: `The provider could not be asked: ${error instanceof Error ? error.message : String(error)}`, cause: error });
      checks.push({ provider: 'openai', status: 'fail', message: failure.message, error: failure });
    }
  }
  const gemini = config.providers.gemini;
  if (gemini.api_key || gemini.vertexai) {
    checks.push({ provider: 'gemini', status: 'warn', message: 'Gemini settings are present, but this version has no Gemini provider yet; Gemini models are not available' });
  }
  return checks;
}

