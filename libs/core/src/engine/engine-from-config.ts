import { ImageGenError, silentLogger, systemClock, type Clock, type Logger } from '@imagegen/common';
import { createMemoryCache, createRedisCache, createRedisCoordination, type Coordination } from '@imagegen/cache';
import type { ImageGenConfig } from '@imagegen/config';
import { loadTemplateRegistry, type TemplateRegistry } from '@imagegen/prompt-templates';
import { builtInModels, createModelRegistry, type ImageProvider, type ModelRegistry } from '@imagegen/providers';
import { thisProcess } from '../cost/process-identity';
import { createProviderLimiter, type ProviderLimiter } from '../limits/provider-limiter';
import { openBackendsFromConfig } from './backends-from-config';
import { configureImagingOnLoad } from './imaging-module';
import { createProvidersFromConfig, providerSettingHints } from './providers-from-config';
import { createImageEngine, replicaLiveness, type CachedGeneration, type ImageEngine, type RetryPolicy } from './image-engine';

/** Extras for {@link createImageEngineFromConfig}. */
export interface EngineFromConfigOptions {
  /** Structured logs (apps pass a JSON logger on stderr). */
  logger?: Logger;
  /** Time source. */
  clock?: Clock;
  /** A `fetch` for the vendor SDKs (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /** Run retention at start and on the configured interval. Default true; the CLI's one-shot commands pass false. */
  scheduleRetention?: boolean;
  /** Called when stored images change (new image, retention), e.g. to tell MCP clients the resource list changed. */
  onImagesChanged?: () => void;
  /**
   * The Redis coordination to use (the HTTP app shares it for its client limits); default: one is opened when
   * `REDIS__URL` is set. The engine closes it.
   */
  coordination?: Coordination;
  /**
   * The prompt templates, when the caller built them already from `config.templates` (the stdio server lists them
   * before the engine has opened); default: built here, with the custom ones when `TEMPLATES__ENABLE_CUSTOM` is on.
   */
  templates?: TemplateRegistry;
}

/**
 * Opens the coordination that replicas share when `REDIS__URL` is set (undefined otherwise); its owner token is this
 * process's identity, so the presence it renews is what other replicas check before calling a job interrupted.
 */
export async function openCoordinationFromConfig(config: ImageGenConfig, logger: Logger = silentLogger): Promise<Coordination | undefined> {
  if (!config.redis.url) return undefined;
  return createRedisCoordination({
    url: config.redis.url,
    keyPrefix: config.redis.key_prefix,
    owner: thisProcess.instance,
    leaseTtlMs: Math.round(config.redis.lease_seconds * 1000),
    logger,
  });
}

const hoursToMs = (hours: number) => hours * 3_600_000;

/**
 * Builds an engine from a validated configuration: the registry (with user models), the providers that have
 * credentials, the image store, cost ledger and job store chosen by `STORAGE__BACKEND` and `DATABASE__URL` (a folder
 * and files beside the images by default), the cache, templates and limiters.
 * Throws `invalid_config` when the configured default model is retired or unknown, before anything starts.
 */
export async function createImageEngineFromConfig(config: ImageGenConfig, options: EngineFromConfigOptions = {}): Promise<ImageEngine> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  // Generated images are all different: libvips' operation cache would only hold memory.
  configureImagingOnLoad({ operationCache: false });
  const registry = createModelRegistry({ models: builtInModels, overrides: config.images.custom_models ?? [], clock });
  checkConfiguredModel(registry, 'IMAGES__DEFAULT_MODEL', config.images.default_model);

  const coordination = options.coordination ?? (await openCoordinationFromConfig(config, logger));
  const configured = createProvidersFromConfig(config, { logger, clock, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const providers = new Map<string, ImageProvider>();
  const limiters = new Map<string, ProviderLimiter>();
  const retryPolicies = new Map<string, RetryPolicy>();
  for (const [id, entry] of configured) {
    providers.set(id, entry.provider);
    limiters.set(
      id,
      createProviderLimiter({
        provider: id,
        requestsPerMinute: config.server.rate_limit_rpm,
        maxConcurrency: entry.maxConcurrency,
        maxQueued: 100,
        ...(coordination
          ? {
              sharedGate: coordination.providerGate(id, {
                requestsPerMinute: config.server.rate_limit_rpm,
                maxConcurrency: entry.maxConcurrency,
              }),
            }
          : {}),
      }),
    );
    retryPolicies.set(id, { maxRetries: entry.maxRetries });
  }
  const gemini = config.providers.gemini;
  if (providers.has('gemini')) checkConfiguredModel(registry, 'PROVIDERS__GEMINI__DEFAULT_MODEL', gemini.default_model);
  // With a single configured provider, a default model from the other one would fail every request that names no
  // model: the configured provider's own default takes its place (a Gemini-only setup works out of the box).
  let defaultModel = config.images.default_model;
  const defaultProvider = registry.resolve(defaultModel).provider;
  if (!providers.has(defaultProvider) && providers.size > 0) {
    const fallback = providers.has('gemini') ? gemini.default_model : registry.defaultModelFor('openai').id;
    logger.info("the default model needs a provider that is not configured; using the configured provider's default", {
      configuredDefault: defaultModel,
      defaultModel: fallback,
    });
    defaultModel = fallback;
  }
  const backends = await openBackendsFromConfig(config, {
    clock,
    logger,
    ...(coordination ? { liveness: replicaLiveness(coordination) } : {}),
  });
  const { store, ledger, principalBudgets } = backends;
  const templates =
    options.templates ??
    (await loadTemplateRegistry({ enableCustom: config.templates.enable_custom, directory: config.templates.directory }));
  const cacheMaxBytes = config.cache.max_size_mb * 1024 * 1024;
  const cache = !config.cache.enabled
    ? undefined
    : config.cache.backend === 'redis' && (config.cache.redis_url ?? config.redis.url)
      ? createRedisCache<CachedGeneration>({
          url: (config.cache.redis_url ?? config.redis.url) as string,
          keyPrefix: config.cache.redis_key_prefix,
          maxBytes: cacheMaxBytes,
          logger,
          clock,
        })
      : createMemoryCache<CachedGeneration>({ maxBytes: cacheMaxBytes, ttlMs: hoursToMs(config.cache.ttl_hours), clock });

  const baseEngine = createImageEngine({
    registry,
    providers,
    limiters,
    retryPolicies,
    store,
    ...(cache ? { cache } : {}),
    cacheTtlMs: hoursToMs(config.cache.ttl_hours),
    ledger,
    templates,
    defaults: {
      model: defaultModel,
      size: config.images.default_size,
      quality: config.images.default_quality,
      outputFormat: config.images.default_output_format,
      moderation: config.images.default_moderation,
      ...(config.images.default_compression < 100 ? { compression: config.images.default_compression } : {}),
      ...(config.providers.openai.safety_identifier ? { safetyIdentifier: config.providers.openai.safety_identifier } : {}),
    },
    inputLimits: { maxBytes: config.images.max_input_bytes, maxPixels: config.images.max_input_pixels },
    allowedFolders: config.server.allowed_folders,
    providerSettingHints,
    providerDefaultModels: {
      openai: defaultProvider === 'openai' ? config.images.default_model : registry.defaultModelFor('openai').id,
      gemini: gemini.default_model,
    },
    logger,
    clock,
    ...(options.onImagesChanged ? { onImagesChanged: options.onImagesChanged } : {}),
    ...(config.images.default_style ? { defaultStyle: config.images.default_style } : {}),
    continueOnCancel: config.images.continue_on_cancel,
    templateAutoSize: config.templates.auto_size_optimization,
    jobPersistence: backends.jobPersistence,
    ...(coordination ? { coordination } : {}),
    principalBudgets,
    shareCacheAcrossPrincipals: config.cache.share_across_principals,
  });
  const engine: ImageEngine = {
    ...baseEngine,
    async close() {
      await baseEngine.close();
      await backends.close();
    },
  };

  if (options.scheduleRetention === false) return engine;
  const storage = config.storage;
  const retention = { retentionDays: storage.retention_days, maxSizeBytes: Math.round(storage.max_size_gb * 1024 ** 3) };
  const runRetention = () =>
    engine.cleanup(retention).then(
      (report) => logger.info('retention run', { removedImages: report.removedImages.length, removedBytes: report.removedBytes }),
      (error: unknown) => logger.error('retention run failed', { error: String(error) }),
    );
  let running: Promise<void> = runRetention();
  const timer = setInterval(() => {
    running = running.then(runRetention);
  }, hoursToMs(storage.cleanup_interval_hours));
  // A periodic chore must never keep a finished CLI or server process alive.
  timer.unref();
  return {
    ...engine,
    async close() {
      clearInterval(timer);
      await running;
      await engine.close();
    },
  };
}

/** Refuses a configured model that is unknown or retired, naming the setting, before anything starts. */
function checkConfiguredModel(registry: ModelRegistry, setting: string, modelId: string): void {
  try {
    registry.resolve(modelId);
  } catch (error) {
    if (ImageGenError.isInstance(error)) {
      throw new ImageGenError({
        code: 'invalid_config',
        message: `${setting} = ${modelId}: ${error.message}`,
        details: { problems: [{ setting, value: modelId, message: error.message }], ...error.details },
        cause: error,
      });
    }
    throw error;
  }
}
