import type { Clock, Logger } from '@imagegen/common';
import type { ImageGenConfig } from '@imagegen/config';
import { createGeminiProvider, createOpenAIProvider, type ImageProvider } from '@imagegen/providers';

/** A provider built from configuration, with the limits the configuration sets for it. */
export interface ConfiguredProvider {
  provider: ImageProvider;
  /** Requests sent to this provider at the same time (`PROVIDERS__*__MAX_CONCURRENCY`). */
  maxConcurrency: number;
  /** Retries of a failed request (`PROVIDERS__*__MAX_RETRIES`). */
  maxRetries: number;
}

/** Options of {@link createProvidersFromConfig}. */
export interface ProvidersFromConfigOptions {
  logger: Logger;
  clock?: Clock;
  /** A `fetch` for the vendor SDKs (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /** Caps each provider's configured time-out (a quick key check should not wait minutes). */
  maxTimeoutMs?: number;
}

/** The setting a person adds to configure each provider, for "not configured" messages. */
export const providerSettingHints: Readonly<Record<string, string>> = {
  openai: 'PROVIDERS__OPENAI__API_KEY (or OPENAI_API_KEY)',
  gemini: 'PROVIDERS__GEMINI__API_KEY (or GEMINI_API_KEY)',
};

/**
 * The providers a configuration enables, by id: those with credentials and not turned off. The engine and the
 * command line's key checks build their providers here, so both see exactly the same wiring.
 */
export function createProvidersFromConfig(config: ImageGenConfig, options: ProvidersFromConfigOptions): Map<string, ConfiguredProvider> {
  const providers = new Map<string, ConfiguredProvider>();
  const timeoutMs = (seconds: number) => Math.min(seconds * 1000, options.maxTimeoutMs ?? Number.POSITIVE_INFINITY);
  const shared = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.clock ? { clock: options.clock } : {}) };
  const openai = config.providers.openai;
  if (openai.api_key && openai.enabled !== false) {
    providers.set('openai', {
      provider: createOpenAIProvider({
        apiKey: openai.api_key,
        baseUrl: openai.base_url,
        ...(openai.organization ? { organization: openai.organization } : {}),
        ...(openai.project ? { project: openai.project } : {}),
        timeoutMs: timeoutMs(openai.timeout),
        logger: options.logger.child({ provider: 'openai' }),
        ...shared,
      }),
      maxConcurrency: openai.max_concurrency,
      maxRetries: openai.max_retries,
    });
  }
  const gemini = config.providers.gemini;
  const geminiCredentials = Boolean(gemini.api_key) || (gemini.vertexai && Boolean(gemini.project));
  if (geminiCredentials && gemini.enabled !== false) {
    providers.set('gemini', {
      provider: createGeminiProvider({
        ...(gemini.api_key ? { apiKey: gemini.api_key } : {}),
        vertexai: gemini.vertexai,
        ...(gemini.project ? { project: gemini.project } : {}),
        location: gemini.location,
        ...(gemini.base_url ? { baseUrl: gemini.base_url } : {}),
        ...(gemini.api_version ? { apiVersion: gemini.api_version } : {}),
        timeoutMs: timeoutMs(gemini.timeout),
        logger: options.logger.child({ provider: 'gemini' }),
        ...shared,
      }),
      maxConcurrency: gemini.max_concurrency,
      maxRetries: gemini.max_retries,
    });
  } else if (gemini.vertexai && !geminiCredentials) {
    options.logger.warn(
      'PROVIDERS__GEMINI__VERTEXAI is on but neither PROVIDERS__GEMINI__PROJECT nor an API key is set; Gemini models are not available',
    );
  }
  return providers;
}
