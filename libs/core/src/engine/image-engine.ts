import Bottleneck from 'bottleneck';
import { randomUUID } from 'node:crypto';
import { ImageGenError, ownValue, silentLogger, systemClock, throwIfAborted, type Clock, type Logger } from '@imagegen/common';
import { computeRequestKey, hashBytes, createRequestCoalescer, type CacheBackend } from '@imagegen/cache';
import type { ImageLimits } from '@imagegen/imaging';
import { loadImaging } from './imaging-module';
import {
  costFromUsage,
  estimateCost,
  planRequest,
  withRetries,
  type ImageProvider,
  type InputImage,
  type ModelDefinition,
  type ModelRegistry,
  type ProviderResult,
  type RequestDefaults,
  type RequestPlan,
  type RequestWarning,
} from '@imagegen/providers';
import type { TemplateRegistry } from '@imagegen/prompt-templates';
import type {
  CleanupOptions,
  CleanupReport,
  HistoryPage,
  HistoryQuery,
  ImageStore,
  StorageStats,
  StoredImageContent,
} from '@imagegen/storage';
import type { CostLedger, CostTotals } from '../cost/cost-ledger';
import type { ProviderLimiter } from '../limits/provider-limiter';
import type {
  CallOptions,
  EditImageInput,
  GenerateImageInput,
  ImageResult,
  ModelListing,
  ProgressEvent,
  StoredImage,
} from './engine-types';
import { resolveImageSource, type ResolvedImageSource } from './resolve-image-source';
import { deleteStoredImage, type DeleteImageReport } from './delete-image';

/** What the cache keeps for one request: enough to answer a repeat without calling the provider. */
export interface CachedGeneration {
  taskId: string;
  model: string;
  provider: string;
  imageIds: string[];
  warnings: RequestWarning[];
  estimatedCostUsd?: number;
  prompt: string;
  parameters: Record<string, unknown>;
}

/** How the engine retries a failed provider call. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First back-off delay in milliseconds. */
  baseDelayMs?: number;
  /** Longest single wait in milliseconds (also caps a server's Retry-After). */
  maxDelayMs?: number;
}

/** Everything the engine is built from. All parts are injectable; {@link createImageEngineFromConfig} wires defaults. */
export interface ImageEngineDependencies {
  /** The model registry. */
  registry: ModelRegistry;
  /** Configured providers by id; a model whose provider is absent answers `provider_not_configured`. */
  providers: ReadonlyMap<string, ImageProvider>;
  /** One limiter per provider id (rate and concurrency). Providers without one run unlimited. */
  limiters?: ReadonlyMap<string, ProviderLimiter>;
  /** Where images are stored. */
  store: ImageStore;
  /** Request cache; absent means no caching. */
  cache?: CacheBackend<CachedGeneration>;
  /** How long cache entries live, in milliseconds. */
  cacheTtlMs?: number;
  /** The cost ledger (spend and budgets). */
  ledger: CostLedger;
  /** Prompt templates. */
  templates: TemplateRegistry;
  /** Defaults for unset request fields. */
  defaults: RequestDefaults & { model: string };
  /** Retry policy per provider id; a provider without an entry gets `{ maxRetries: 2 }`. */
  retryPolicies?: ReadonlyMap<string, RetryPolicy>;
  /** Limits on untrusted input images. */
  inputLimits: ImageLimits;
  /** Folders local input files may come from; empty refuses local files. */
  allowedFolders?: readonly string[];
  /** The setting a user adds to configure each provider, for `provider_not_configured` messages. */
  providerSettingHints?: Readonly<Record<string, string>>;
  /** Images decoded or re-encoded at once (conversion, exact sizes, previews); default 4. */
  maxConcurrentImageProcessing?: number;
  /** The model a request gets when it names only a provider id as its model (`"model": "gemini"`). */
  providerDefaultModels?: Readonly<Record<string, string>>;
  /** Structured logs. */
  logger?: Logger;
  /** Time source. */
  clock?: Clock;
  /** Called after a retention run, with its report (for the scheduler's logs and the resource-list change signal). */
  onImagesChanged?: () => void;
}

/** The image engine: everything the MCP server and the CLI do, with no MCP code. */
export interface ImageEngine {
  /** Text-to-image: validates, checks the cache and budget, calls the provider, stores the images. */
  generate(input: GenerateImageInput, options?: CallOptions): Promise<ImageResult>;
  /** Image-to-image from stored ids, bytes, base64 or allowed local files, with an optional mask. */
  edit(input: EditImageInput, options?: CallOptions): Promise<ImageResult>;
  /** A stored image with its bytes and metadata (`not_found` for an unknown id, `invalid_request` for a malformed one). */
  getImage(imageId: string): Promise<StoredImageContent>;
  /** Deletes a stored image (file, sidecar, index entry) and the cache entry pointing at it. */
  deleteImage(imageId: string): Promise<DeleteImageReport>;
  /** Stored images, newest first. */
  history(query?: HistoryQuery): Promise<HistoryPage>;
  /** Storage totals. */
  stats(): Promise<StorageStats>;
  /** Applies retention now. */
  cleanup(options?: CleanupOptions): Promise<CleanupReport>;
  /** Stored ids starting with `prefix`, for completion. */
  completeImageIds(prefix: string, limit?: number): Promise<string[]>;
  /** Every registry model with whether its provider is configured and whether the key can use it. */
  listModels(options?: { checkAvailability?: boolean; includeRetired?: boolean; signal?: AbortSignal }): Promise<ModelListing[]>;
  /** The registry, for model details. */
  readonly registry: ModelRegistry;
  /** Prompt templates. */
  readonly templates: TemplateRegistry;
  /** Ids of configured providers. */
  configuredProviders(): string[];
  /** Estimated USD of a request, without calling anything (undefined when the model's pricing is unknown). */
  estimateCost(input: GenerateImageInput): number | undefined;
  /** Spend per day and month, with the budgets. */
  costReport(): CostTotals;
  /**
   * What a readiness probe needs: whether a provider is configured, the store answers and the cache (when networked)
   * is reachable. Never throws; each failed check carries a sentence for a person.
   */
  checkReadiness(): Promise<ReadinessReport>;
  /** Stops timers and limiters and closes the store. */
  close(): Promise<void>;
}

/** The result of {@link ImageEngine.checkReadiness}. */
export interface ReadinessReport {
  /** True when every check passed. */
  ready: boolean;
  /** Each check: passed, and why not when it failed. */
  checks: Record<'provider_configured' | 'storage' | 'cache', { ok: boolean; message?: string }>;
}

const resourceUriOf = (imageId: string) => `generated-images://${imageId}`;

export function createImageEngine(dependencies: ImageEngineDependencies): ImageEngine {
  const logger = dependencies.logger ?? silentLogger;
  const clock = dependencies.clock ?? systemClock;
  const coalescer = createRequestCoalescer();
  const { registry, store, ledger } = dependencies;

  const providerFor = (model: ModelDefinition): ImageProvider => {
    const provider = dependencies.providers.get(model.provider);
    if (provider) return provider;
    const setting = dependencies.providerSettingHints?.[model.provider] ?? `PROVIDERS__${model.provider.toUpperCase()}__API_KEY`;
    throw new ImageGenError({
      code: 'provider_not_configured',
      message: `The model ${model.id} needs the ${model.provider} provider, which is not configured. Set ${setting} (in the environment or the config file) and restart the server.`,
      provider: model.provider,
      details: { setting, model: model.id },
    });
  };

  // Decoding and re-encoding images is CPU- and memory-heavy: a few at a time keeps the process's peak memory bounded
  // under many concurrent generations without slowing a single one.
  const imageWork = new Bottleneck({ maxConcurrent: dependencies.maxConcurrentImageProcessing ?? 4 });

  const resolveModel = (requested: string | undefined) => {
    const name = requested ?? dependencies.defaults.model;
    return registry.resolve(ownValue(dependencies.providerDefaultModels, name.trim().toLowerCase()) ?? name);
  };

  async function run(
    operation: 'generate' | 'edit',
    input: GenerateImageInput | EditImageInput,
    inputImages: ResolvedImageSource[],
    mask: InputImage | undefined,
    preWarnings: RequestWarning[],
    options: CallOptions,
  ): Promise<ImageResult> {
    const started = Date.now();
    const correlationId = options.correlationId ?? randomUUID();
    const log = logger.child({ correlationId, operation });
    const progress = (event: Omit<ProgressEvent, 'elapsedMs'>) => options.onProgress?.({ ...event, elapsedMs: Date.now() - started });
    throwIfAborted(options.signal);

    const model = resolveModel(input.model);
    const provider = providerFor(model);
    const providerImages: InputImage[] = [];
    for (const { image } of inputImages) {
      // Vendors take PNG, JPEG and WebP; a GIF (first frame) is sent as PNG.
      const sendable = image.format === 'gif' ? await (await loadImaging()).convertImage(image.data, { format: 'png' }) : image;
      providerImages.push({ data: sendable.data, mimeType: sendable.mimeType, width: sendable.width, height: sendable.height });
    }
    const request = operation === 'edit' ? { ...input, images: providerImages, ...(mask ? { mask } : {}) } : { ...input };
    delete (request as { fresh?: boolean }).fresh;
    const plan = planRequest(model, request, dependencies.defaults);
    const warnings = [...preWarnings, ...plan.warnings];
    const parameters = describeParameters(plan);
    const requestHash = computeRequestKey({
      operation,
      model: model.id,
      prompt: plan.call.prompt,
      parameters,
      images: providerImages.map((image) => hashBytes(image.data)),
      mask: mask ? hashBytes(mask.data) : undefined,
    });

    if (dependencies.cache && !input.fresh) {
      const hit = await cachedResult(requestHash, log);
      if (hit) {
        progress({ stage: 'done', message: 'Served from cache: no provider call, no new cost.' });
        return hit;
      }
    }

    const produce = async (signal: AbortSignal): Promise<ImageResult> => {
      const estimatedCostUsd = estimateCost(model, { ...plan.call, n: plan.totalImages });
      const reservation = ledger.reserve(estimatedCostUsd ?? 0);
      const taskId = randomUUID();
      let results: ProviderResult[];
      try {
        results = await callProvider(provider, model, plan, signal, progress, log);
      } catch (error) {
        reservation.release();
        throw error;
      }
      const actualParts = results.map(
        (result) =>
          result.costUsd ??
          costFromUsage(model, result.usage, {
            images: result.images.length,
            size: plan.call.size,
            ...(plan.call.quality === undefined ? {} : { quality: plan.call.quality }),
          }),
      );
      const actualCostUsd = actualParts.every((part) => part !== undefined)
        ? actualParts.reduce<number>((sum, part) => sum + (part ?? 0), 0)
        : undefined;
      for (const result of results) warnings.push(...result.warnings);
      const modelUsed = results.find((result) => result.modelUsed)?.modelUsed ?? model.id;

      // The vendor has billed us from here on: the spend is recorded even if storing fails or the caller cancels.
      const produced = results.flatMap((result) => result.images);
      const stored: StoredImage[] = [];
      try {
        throwIfAborted(signal);
        progress({ stage: 'processing', message: `Processing ${produced.length} image(s).` });
        const finished = [];
        for (const image of produced) finished.push(await imageWork.schedule(() => finishImage(image.data, plan, warnings)));
        progress({ stage: 'storing', message: 'Storing the image(s).' });
        // Previews are made while the files are written (CPU against disk waits); a failed preview is just absent.
        const previewOptions = options.preview;
        const previews = previewOptions
          ? finished.map((image) =>
              image.data.length <= (previewOptions.skipUpToBytes ?? 0)
                ? Promise.resolve(undefined)
                : imageWork
                    .schedule(async () =>
                      (await loadImaging()).makePreview(image.data, {
                        maxBytes: previewOptions.maxBytes,
                        ...(previewOptions.maxDimension ? { maxDimension: previewOptions.maxDimension } : {}),
                      }),
                    )
                    .catch(() => undefined),
            )
          : [];
        for (const image of finished) {
          throwIfAborted(signal);
          const saved = await store.save({
            bytes: image.data,
            format: image.format,
            width: image.width,
            height: image.height,
            prompt: plan.call.prompt,
            provider: model.provider,
            modelRequested: input.model ?? dependencies.defaults.model,
            modelUsed,
            parameters: { ...parameters, model: model.id },
            taskId,
            warnings: warnings.map((warning) => warning.message),
            cost: {
              ...(estimatedCostUsd === undefined ? {} : { estimatedUsd: estimatedCostUsd / produced.length }),
              ...(actualCostUsd === undefined ? {} : { actualUsd: actualCostUsd / produced.length }),
              ...(tokensOf(results) ? { tokensUsed: tokensOf(results) } : {}),
            },
            requestHash,
            sourceImageIds: inputImages.flatMap((source) => (source.storedImageId ? [source.storedImageId] : [])),
            provenance: { c2paPresent: image.hasC2pa, c2paRemoved: image.provenanceRemoved },
            ...(input.labels ? { extra: { labels: input.labels } } : {}),
            signal,
          });
          stored.push({
            imageId: saved.imageId,
            resourceUri: resourceUriOf(saved.imageId),
            ...(saved.filePath ? { filePath: saved.filePath } : {}),
            data: image.data,
            mimeType: saved.mimeType,
            format: image.format,
            width: image.width,
            height: image.height,
            byteLength: image.data.length,
            createdAt: saved.metadata.created_at,
          });
        }
        for (const [index, image] of stored.entries()) {
          const preview = await previews[index];
          if (preview) image.preview = preview;
        }
      } catch (error) {
        // A cancelled or failed call leaves nothing behind: images stored so far for this task are removed.
        await Promise.all(stored.map((image) => store.delete(image.imageId).catch(() => false)));
        await reservation.commit({
          provider: model.provider,
          model: model.id,
          usd: actualCostUsd ?? estimatedCostUsd ?? 0,
          basis: actualCostUsd === undefined ? 'estimate' : 'actual',
          images: 0,
          imageIds: [],
        });
        throw error;
      }
      await reservation.commit({
        provider: model.provider,
        model: model.id,
        usd: actualCostUsd ?? estimatedCostUsd ?? 0,
        basis: actualCostUsd === undefined ? 'estimate' : 'actual',
        images: stored.length,
        imageIds: stored.map((image) => image.imageId),
      });
      const result: ImageResult = {
        taskId,
        model: model.id,
        provider: model.provider,
        images: stored,
        warnings,
        fromCache: false,
        ...(estimatedCostUsd === undefined ? {} : { estimatedCostUsd }),
        ...(actualCostUsd === undefined ? {} : { actualCostUsd }),
        prompt: plan.call.prompt,
        parameters,
      };
      if (dependencies.cache) {
        const entry: CachedGeneration = {
          taskId,
          model: model.id,
          provider: model.provider,
          imageIds: stored.map((image) => image.imageId),
          warnings,
          ...(estimatedCostUsd === undefined ? {} : { estimatedCostUsd }),
          prompt: plan.call.prompt,
          parameters,
        };
        await dependencies.cache
          .set(requestHash, entry, {
            ttlMs: dependencies.cacheTtlMs ?? 24 * 3_600_000,
            sizeBytes: stored.reduce((sum, image) => sum + image.byteLength, 0),
          })
          .catch((error: unknown) => log.warn('could not write the cache', { error: String(error) }));
      }
      dependencies.onImagesChanged?.();
      log.info('images stored', {
        model: model.id,
        images: stored.length,
        actualCostUsd,
        estimatedCostUsd,
        elapsedMs: Date.now() - started,
      });
      progress({ stage: 'done', message: `Stored ${stored.length} image(s).` });
      return result;
    };

    // Identical requests running at the same time share one provider call; a fresh request never joins another.
    const key = input.fresh ? `${requestHash}:${randomUUID()}` : requestHash;
    return coalescer.run(key, produce, options.signal);
  }

  async function cachedResult(requestHash: string, log: Logger): Promise<ImageResult | undefined> {
    const entry = await dependencies.cache?.get(requestHash).catch((error: unknown) => {
      log.warn('cache read failed; calling the provider', { error: String(error) });
      return undefined;
    });
    if (!entry) return undefined;
    const images: StoredImage[] = [];
    for (const imageId of entry.imageIds) {
      // Retention may have removed an image since it was cached: then the entry is no longer a hit.
      const content = await store.get(imageId).catch(() => undefined);
      if (!content) {
        await dependencies.cache?.delete(requestHash).catch(() => undefined);
        return undefined;
      }
      images.push(storedImageFromContent(content));
    }
    log.info('cache hit', { model: entry.model, images: images.length });
    return {
      taskId: entry.taskId,
      model: entry.model,
      provider: entry.provider,
      images,
      warnings: entry.warnings,
      fromCache: true,
      ...(entry.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: entry.estimatedCostUsd }),
      actualCostUsd: 0,
      prompt: entry.prompt,
      parameters: entry.parameters,
    };
  }

  async function callProvider(
    provider: ImageProvider,
    model: ModelDefinition,
    plan: RequestPlan,
    signal: AbortSignal,
    progress: (event: Omit<ProgressEvent, 'elapsedMs'>) => void,
    log: Logger,
  ): Promise<ProviderResult[]> {
    const perCall = Math.max(1, plan.call.n);
    const batches: number[] = [];
    for (let remaining = plan.totalImages; remaining > 0; remaining -= perCall) batches.push(Math.min(perCall, remaining));
    const limiter = dependencies.limiters?.get(model.provider);
    const policy = dependencies.retryPolicies?.get(model.provider) ?? { maxRetries: 2 };
    const attempt = (count: number, batchIndex: number) => () =>
      withRetries(
        () => {
          progress({ stage: 'requesting', message: `Asking ${model.id} for ${count} image(s).` });
          const call = {
            ...plan.call,
            n: count,
            signal,
            onPartialImage: (event: { imageIndex: number; partialIndex: number; data: Uint8Array; mimeType: string }) =>
              progress({
                stage: 'partial_image',
                message: `Partial image ${event.partialIndex + 1} received.`,
                partialImage: { ...event, imageIndex: event.imageIndex + batchIndex * perCall },
              }),
          };
          return plan.operation === 'edit' ? provider.edit(call) : provider.generate(call);
        },
        {
          maxRetries: policy.maxRetries,
          ...(policy.baseDelayMs === undefined ? {} : { baseDelayMs: policy.baseDelayMs }),
          ...(policy.maxDelayMs === undefined ? {} : { maxDelayMs: policy.maxDelayMs }),
          signal,
          onRetry: (event) => {
            log.warn('retrying provider call', { code: event.error.code, nextAttempt: event.nextAttempt, delayMs: event.delayMs });
            progress({
              stage: 'retrying',
              message: `${event.error.message} Retrying in ${Math.round(event.delayMs / 100) / 10} s (attempt ${event.nextAttempt}).`,
            });
          },
        },
      );
    return Promise.all(
      batches.map((count, index) =>
        limiter
          ? limiter.run(attempt(count, index), {
              signal,
              onQueued: (ahead) => progress({ stage: 'queued', message: `Waiting for a free slot (${ahead} ahead).` }),
            })
          : attempt(count, index)(),
      ),
    );
  }

  async function finishImage(data: Uint8Array, plan: RequestPlan, warnings: RequestWarning[]) {
    const info = await (await loadImaging()).inspectImage(data);
    let current: { data: Buffer; format: typeof info.format; width: number; height: number; hasC2pa: boolean; provenanceRemoved: boolean } =
      {
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        format: info.format,
        width: info.width,
        height: info.height,
        hasC2pa: info.hasC2pa,
        provenanceRemoved: false,
      };
    if (plan.compositeMask) {
      // The model edited the whole image: keep its pixels only where the mask says, the original everywhere else.
      const { original, mask } = plan.compositeMask;
      const composed = await (await loadImaging()).compositeMaskedEdit({ original: original.data, edited: current.data, mask: mask.data });
      current = {
        data: composed.data,
        format: composed.format,
        width: composed.width,
        height: composed.height,
        hasC2pa: false,
        provenanceRemoved: current.hasC2pa,
      };
    }
    const wanted = plan.finalSize;
    if (wanted !== 'auto' && (wanted.width !== current.width || wanted.height !== current.height)) {
      const fitted = await (
        await loadImaging()
      ).fitToSize(current.data, {
        width: wanted.width,
        height: wanted.height,
        format: plan.outputFormat,
        ...(plan.compression === undefined ? {} : { compression: plan.compression }),
      });
      current = {
        data: fitted.data,
        format: fitted.format,
        width: fitted.width,
        height: fitted.height,
        hasC2pa: false,
        provenanceRemoved: current.hasC2pa || fitted.provenanceRemoved,
      };
    }
    if (current.format !== plan.outputFormat) {
      const converted = await (
        await loadImaging()
      ).convertImage(current.data, {
        format: plan.outputFormat,
        ...(plan.compression === undefined ? {} : { compression: plan.compression }),
      });
      current = {
        ...current,
        data: converted.data,
        format: converted.format,
        width: converted.width,
        height: converted.height,
        hasC2pa: false,
        provenanceRemoved: current.provenanceRemoved || converted.provenanceRemoved,
      };
    }
    if (current.provenanceRemoved && !warnings.some((warning) => warning.setting === 'provenance')) {
      warnings.push({
        type: 'other',
        setting: 'provenance',
        message: 'Resizing or converting the image removed the provider’s C2PA provenance data; this is recorded in its metadata.',
      });
    }
    if (current.format === 'gif')
      throw new ImageGenError({ code: 'upstream_error', message: 'The provider returned a GIF, which cannot be stored.' });
    return { ...current, format: current.format as 'png' | 'jpeg' | 'webp' };
  }

  async function resolveInputs(input: EditImageInput) {
    const context = { store, limits: dependencies.inputLimits, allowedFolders: dependencies.allowedFolders ?? [] };
    const images: ResolvedImageSource[] = [];
    for (const [index, source] of input.images.entries()) {
      images.push(await resolveImageSource(source, input.images.length > 1 ? `image ${index + 1}` : 'image', context));
    }
    const warnings: RequestWarning[] = images.flatMap(({ image }) =>
      image.warnings.map((warning) => ({ type: 'other' as const, setting: 'image', message: warning.message })),
    );
    let mask: InputImage | undefined;
    const first = images[0];
    if (input.mask && first) {
      const resolvedMask = await resolveImageSource(input.mask, 'mask', context);
      const prepared = await (await loadImaging()).prepareMask(resolvedMask.image, first.image);
      warnings.push(...prepared.warnings.map((warning) => ({ type: 'other' as const, setting: 'mask', message: warning.message })));
      mask = { data: prepared.data, mimeType: prepared.mimeType, width: prepared.width, height: prepared.height };
    }
    return { images, mask, warnings };
  }

  return {
    registry,
    templates: dependencies.templates,
    generate: (input, options = {}) => run('generate', input, [], undefined, [], options),
    async edit(input, options = {}) {
      if (!Array.isArray(input.images) || input.images.length === 0) {
        throw new ImageGenError({
          code: 'invalid_request',
          message: 'An edit needs at least one source image.',
          details: { setting: 'images' },
        });
      }
      const { images, mask, warnings } = await resolveInputs(input);
      return run('edit', input, images, mask, warnings, options);
    },
    getImage: (imageId) => store.get(imageId.startsWith('generated-images://') ? imageId.slice('generated-images://'.length) : imageId),
    deleteImage: (imageId) => deleteStoredImage({ ...dependencies, store, logger }, imageId),
    history: (query) => store.history(query),
    stats: () => store.stats(),
    async cleanup(options) {
      const report = await store.cleanup(options);
      if (!report.dryRun && (report.removedImages.length > 0 || report.removedFiles.length > 0)) dependencies.onImagesChanged?.();
      return report;
    },
    completeImageIds: (prefix, limit) => store.listIds(prefix, limit),
    configuredProviders: () => [...dependencies.providers.keys()],
    async listModels(options = {}) {
      const available = new Map<string, Set<string> | undefined>();
      if (options.checkAvailability) {
        await Promise.all(
          [...dependencies.providers].map(async ([id, provider]) => {
            try {
              available.set(id, new Set((await provider.listAvailableModels(options.signal)).map((name) => name.toLowerCase())));
            } catch (error) {
              logger.warn('could not list available models', {
                provider: id,
                error: ImageGenError.isInstance(error) ? error.code : String(error),
              });
              available.set(id, undefined);
            }
          }),
        );
      }
      const defaultModel = registry.get(dependencies.defaults.model)?.id;
      return registry.list({ includeRetired: options.includeRetired ?? true }).map((definition) => {
        const ids = available.get(definition.provider);
        const names = [definition.id, ...definition.aliases].map((name) => name.toLowerCase());
        return {
          definition,
          providerConfigured: dependencies.providers.has(definition.provider),
          ...(ids ? { availableForKey: names.some((name) => ids.has(name)) } : {}),
          isDefault: definition.id === defaultModel,
        };
      });
    },
    estimateCost(input) {
      const model = resolveModel(input.model);
      const plan = planRequest(model, input, dependencies.defaults);
      return estimateCost(model, { ...plan.call, n: plan.totalImages });
    },
    costReport: () => ledger.totals(),
    async checkReadiness() {
      const checks: ReadinessReport['checks'] = {
        provider_configured:
          dependencies.providers.size > 0
            ? { ok: true }
            : { ok: false, message: 'No provider is configured: set PROVIDERS__OPENAI__API_KEY or PROVIDERS__GEMINI__API_KEY.' },
        storage: { ok: true },
        cache: { ok: true },
      };
      try {
        await store.stats();
      } catch (error) {
        checks.storage = { ok: false, message: ImageGenError.isInstance(error) ? error.message : 'The image store does not answer.' };
      }
      try {
        await dependencies.cache?.ping?.();
      } catch (error) {
        checks.cache = { ok: false, message: ImageGenError.isInstance(error) ? error.message : 'The cache does not answer.' };
      }
      return { ready: Object.values(checks).every((check) => check.ok), checks };
    },
    async close() {
      await Promise.all([...(dependencies.limiters?.values() ?? [])].map((limiter) => limiter.close()));
      await dependencies.cache?.close?.();
      await store.close();
    },
  };

  function storedImageFromContent(content: StoredImageContent): StoredImage {
    const info = content.metadata.file_info;
    return {
      imageId: content.imageId,
      resourceUri: resourceUriOf(content.imageId),
      ...(content.filePath ? { filePath: content.filePath } : {}),
      data: Buffer.from(content.bytes),
      mimeType: content.mimeType,
      format: info.format,
      width: info.width,
      height: info.height,
      byteLength: content.bytes.length,
      createdAt: content.metadata.created_at,
    };
  }

  void clock;
}

function describeParameters(plan: RequestPlan): Record<string, unknown> {
  const call = plan.call;
  const finalSize = plan.finalSize === 'auto' ? 'auto' : `${plan.finalSize.width}x${plan.finalSize.height}`;
  const requestedSize = call.size === 'auto' ? 'auto' : `${call.size.width}x${call.size.height}`;
  return {
    n: plan.totalImages,
    size: finalSize,
    ...(requestedSize === finalSize ? {} : { provider_size: requestedSize }),
    ...(call.quality === undefined ? {} : { quality: call.quality }),
    ...(call.background === undefined ? {} : { background: call.background }),
    output_format: plan.outputFormat,
    ...(plan.compression === undefined ? {} : { compression: plan.compression }),
    ...(call.moderation === undefined ? {} : { moderation: call.moderation }),
    ...(call.inputFidelity === undefined ? {} : { input_fidelity: call.inputFidelity }),
  };
}

function tokensOf(results: ProviderResult[]): Record<string, number> | undefined {
  const totals: Record<string, number> = {};
  for (const result of results) {
    for (const [key, value] of Object.entries(result.usage ?? {})) {
      if (typeof value === 'number') totals[key] = (totals[key] ?? 0) + value;
    }
  }
  return Object.keys(totals).length > 0 ? totals : undefined;
}
