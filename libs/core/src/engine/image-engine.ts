import { Readable } from 'node:stream';
import Bottleneck from 'bottleneck';
import { ImageGenError, silentLogger, type Clock, type Logger } from '@imagegen/common';
import type { CacheBackend, Coordination } from '@imagegen/cache';
import type { ImageLimits } from '@imagegen/imaging';
import {
  planRequest,
  type ImageProvider,
  type InputImage,
  type ModelRegistry,
  type RequestDefaults,
  type RequestWarning,
} from '@imagegen/providers';
import type { TemplateRegistry } from '@imagegen/prompt-templates';
import {
  localAccess,
  scopeStoreToPrincipal,
  type CleanupOptions,
  type CleanupReport,
  type HistoryPage,
  type HistoryQuery,
  type ImageStore,
  type PrincipalAccess,
  type StorageStats,
  type StoredImageContent,
  type StoredImageStream,
} from '@imagegen/storage';
import type { BudgetLimits, CostLedger, CostTotals } from '../cost/cost-ledger';
import type { PrincipalBudgetChange, PrincipalBudgets } from '../cost/principal-budgets';
import type { ProviderLimiter } from '../limits/provider-limiter';
import type { ProcessLiveness } from '../cost/process-identity';
import type { CachedGeneration } from '../generation/cached-generation';
import type { RetryPolicy } from '../generation/call-provider';
import { costBounds } from '../generation/cost-bounds';
import { openGenerationJobs, type GenerationJob } from '../generation/generation-jobs';
import { createMemoryJobPersistence, type JobPersistence } from '../generation/job-persistence';
import { resolveModel } from '../generation/resolve-model';
import { loadConversation } from '../generation/conversation-history';
import { startGeneration, type GenerationHandle, type GenerationParts } from '../generation/run-generation';
import { loadImaging } from './imaging-module';
import type { CallOptions, EditImageInput, GenerateImageInput, ImageResult, ModelListing } from './engine-types';
import { imageIdFromReference, resolveImageSource, type ResolvedImageSource } from './resolve-image-source';
import { deleteStoredImage, type DeleteImageReport } from './delete-image';
import { createLiveModelList, type LiveModelList } from './live-model-list';

export type { CachedGeneration } from '../generation/cached-generation';
export type { RetryPolicy } from '../generation/call-provider';

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
  /** `IMAGES__DEFAULT_STYLE`: the style of a request that names none (folded into the prompt on models without one). */
  defaultStyle?: string;
  /**
   * `IMAGES__CONTINUE_ON_CANCEL` (default true): a request that reached the provider runs to the end when its caller
   * cancels or goes away — it is stored and cached, and the same request again is answered from it. False aborts it.
   */
  continueOnCancel?: boolean;
  /** `TEMPLATES__AUTO_SIZE_OPTIMIZATION` (default true): templates pick the size that suits them. */
  templateAutoSize?: boolean;
  /** Where generation jobs are recorded (durable across restarts with a file); default: in memory. */
  jobPersistence?: JobPersistence;
  /** How long `close()` waits for generations already paid for, in milliseconds; default 30 000. */
  shutdownGraceMs?: number;
  /**
   * What replicas share through Redis (`REDIS__URL`): identical requests on different replicas make one provider
   * call, and a job whose replica died is reported as interrupted by any replica. The engine closes it. Provider
   * limits across replicas are the limiters' part (see `createProviderLimiter`'s `sharedGate`).
   */
  coordination?: Coordination;
  /**
   * Each principal's own caps (defaults and what administrators set). The ledger must have been opened with the same
   * caps (`principalBudgets: (id) => budgets.limitsOf(id)`) for them to be enforced. Absent: no per-principal caps.
   */
  principalBudgets?: PrincipalBudgets;
  /**
   * `CACHE__SHARE_ACROSS_PRINCIPALS` (default false): a request identical to one another principal made is answered
   * from the cache (its images copied into the caller's history). False: each principal's cache is its own.
   */
  shareCacheAcrossPrincipals?: boolean;
}

/** The image engine: everything the MCP server and the CLI do, with no MCP code. */
export interface ImageEngine {
  /** Text-to-image: validates, checks the cache and budget, calls the provider, stores the images. */
  generate(input: GenerateImageInput, options?: CallOptions): Promise<ImageResult>;
  /** Image-to-image from stored ids, bytes, base64 or allowed local files, with an optional mask. */
  edit(input: EditImageInput, options?: CallOptions): Promise<ImageResult>;
  /**
   * Like {@link generate}, but resolves as soon as the request is running as a job (or answered from the cache), with
   * the job's id and the result to come: a caller with a hard time-out can answer with the id and come back.
   */
  startGenerate(input: GenerateImageInput, options?: CallOptions): Promise<GenerationHandle>;
  /** Like {@link edit}, returning once the request runs as a job; see {@link startGenerate}. */
  startEdit(input: EditImageInput, options?: CallOptions): Promise<GenerationHandle>;
  /**
   * A generation job by id, after waiting up to `waitMs` for a running one to finish (`signal` stops the wait, never
   * the job). Undefined for an unknown id. Jobs are durable: one interrupted by a restart is `failed` with code
   * `interrupted`.
   */
  getJob(jobId: string, options?: { waitMs?: number; signal?: AbortSignal; untilPartial?: boolean }): Promise<GenerationJob | undefined>;
  /** Recent generation jobs, newest first (without images). */
  listJobs(limit?: number): Promise<GenerationJob[]>;
  /** Whether templates pick their sizes (`TEMPLATES__AUTO_SIZE_OPTIMIZATION`). */
  readonly templateAutoSize: boolean;
  /** A stored image with its bytes and metadata (`not_found` for an unknown id, `invalid_request` for a malformed one). */
  getImage(imageId: string): Promise<StoredImageContent>;
  /**
   * A stored image's metadata with its bytes as a stream (the HTTP `/images` route pipes it; object storage never holds
   * the whole image in memory). Same errors as {@link getImage}.
   */
  openImageStream(imageId: string): Promise<StoredImageStream>;
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
  /** Spend per day and month, with the budgets: the principal's own in a principal's view, everyone's for an admin. */
  costReport(): CostTotals;
  /**
   * Who this engine acts for. The engine itself acts for the local principal and sees everything (single-user setups);
   * {@link forPrincipal} gives a view acting for one signed-in user.
   */
  readonly access: PrincipalAccess;
  /**
   * The engine as one principal sees it, over the same store, cache, ledger and jobs: its generations, jobs, ledger
   * entries and cache entries are the principal's; history, stats, completion, images and jobs of other principals
   * answer as unknown (`not_found`, the message of an id that does not exist); its calls count against its own caps
   * beside the global ones. With `admin`, it sees every principal's images, jobs and spend.
   */
  forPrincipal(access: PrincipalAccess): ImageEngine;
  /** Sets one principal's own daily and monthly caps; admin views only (`permission_denied` otherwise). */
  setPrincipalBudget(principalId: string, change: PrincipalBudgetChange): Promise<BudgetLimits>;
  /** The caps of one principal (its own, or the defaults). A principal may ask only for itself; an admin for anyone. */
  principalBudget(principalId?: string): BudgetLimits;
  /**
   * What a readiness probe needs: whether a provider is configured, the store answers and the cache (when networked)
   * is reachable. Never throws; each failed check carries a sentence for a person.
   */
  checkReadiness(): Promise<ReadinessReport>;
  /** Waits (within the grace period) for paid generations still running, then stops timers and limiters and closes the store. */
  close(): Promise<void>;
}

/** The result of {@link ImageEngine.checkReadiness}. */
export interface ReadinessReport {
  /** True when every check passed. */
  ready: boolean;
  /** Each check: passed, and why not when it failed. `coordination` is there when replicas coordinate through Redis. */
  checks: Record<'provider_configured' | 'storage' | 'cache', { ok: boolean; message?: string }> & {
    coordination?: { ok: boolean; message?: string };
  };
}

/**
 * Liveness of a record's writer by its presence in Redis: replicas on other hosts are alive while they renew their
 * presence lease. A Redis that does not answer counts as alive (nothing is declared dead on an outage).
 */
export function replicaLiveness(coordination: Coordination): ProcessLiveness {
  return async (writer) => {
    if (writer === undefined || typeof writer.instance !== 'string') return false;
    return coordination.isAlive(writer.instance).catch(() => true);
  };
}

export function createImageEngine(dependencies: ImageEngineDependencies): ImageEngine {
  const logger = dependencies.logger ?? silentLogger;
  const { registry, store, ledger, coordination } = dependencies;
  // Decoding and re-encoding images is CPU- and memory-heavy: a few at a time keeps the process's peak memory
  // bounded under many concurrent generations without slowing a single one.
  const imageWork = new Bottleneck({ maxConcurrent: dependencies.maxConcurrentImageProcessing ?? 4 });
  const defaults = { ...dependencies.defaults, ...(dependencies.defaultStyle ? { style: dependencies.defaultStyle } : {}) };
  const jobsOpening = openGenerationJobs({
    persistence: dependencies.jobPersistence ?? createMemoryJobPersistence(),
    store,
    continueOnCancel: dependencies.continueOnCancel ?? true,
    logger: logger.child({ component: 'jobs' }),
    ...(dependencies.clock ? { clock: dependencies.clock } : {}),
    ...(coordination ? { liveness: replicaLiveness(coordination), identity: { pid: process.pid, instance: coordination.owner } } : {}),
  });
  // Opening reads a small file; a failure surfaces on the first request instead of as an unhandled rejection.
  jobsOpening.catch(() => undefined);
  const liveModels = createLiveModelList(dependencies.clock ? { clock: dependencies.clock } : {});
  const parts = (jobs: Awaited<typeof jobsOpening>): GenerationParts => ({
    registry,
    liveModels,
    providers: dependencies.providers,
    ...(dependencies.limiters ? { limiters: dependencies.limiters } : {}),
    ...(dependencies.retryPolicies ? { retryPolicies: dependencies.retryPolicies } : {}),
    ...(dependencies.providerSettingHints ? { providerSettingHints: dependencies.providerSettingHints } : {}),
    ...(dependencies.providerDefaultModels ? { providerDefaultModels: dependencies.providerDefaultModels } : {}),
    store,
    principalId: localAccess.principalId,
    ...(dependencies.cache ? { cache: dependencies.cache } : {}),
    cacheTtlMs: dependencies.cacheTtlMs ?? 24 * 3_600_000,
    ledger,
    jobs,
    ...(coordination ? { flights: coordination.flights<CachedGeneration>() } : {}),
    defaults,
    imageWork,
    logger,
    ...(dependencies.onImagesChanged ? { onImagesChanged: dependencies.onImagesChanged } : {}),
  });
  let built: GenerationParts | undefined;
  const sharedParts = async () => (built ??= parts(await jobsOpening));
  return buildView(localAccess);

  /** The engine acting for one principal; every view shares the store, cache, ledger, jobs and limiters. */
  function buildView(access: PrincipalAccess): ImageEngine {
    const viewStore = access === localAccess ? store : scopeStoreToPrincipal(store, access);
    const generationParts = async (): Promise<GenerationParts> => ({
      ...(await sharedParts()),
      store: viewStore,
      principalId: access.principalId,
      ...(dependencies.shareCacheAcrossPrincipals ? { sharedCacheStore: store } : {}),
    });
    const ownJobs = access.admin ? undefined : access.principalId;
    const requireAdmin = (what: string) => {
      if (!access.admin) {
        throw new ImageGenError({
          code: 'permission_denied',
          message: `Only an administrator can ${what}; sign in with the administrator scope.`,
        });
      }
    };
    const modelContext = {
      registry,
      defaultModel: dependencies.defaults.model,
      ...(dependencies.providerDefaultModels ? { providerDefaultModels: dependencies.providerDefaultModels } : {}),
    };

    const startGenerate = async (input: GenerateImageInput, options: CallOptions = {}) =>
      startGeneration({ operation: 'generate', input, inputImages: [], inputWarnings: [] }, options, await generationParts());

    const startEdit = async (input: EditImageInput, options: CallOptions = {}) => {
      if (!Array.isArray(input.images) || input.images.length === 0) {
        throw new ImageGenError({
          code: 'invalid_request',
          message: 'An edit needs at least one source image.',
          details: { setting: 'images' },
        });
      }
      // The conversation first: a refusal to continue it should not wait for the images to be read.
      const { conversation, request } = await continuedConversation(input);
      const { images, mask, markup, warnings } = await resolveInputs(input);
      if (conversation !== undefined && conversation.droppedTurns > 0) {
        warnings.push({
          type: 'translated',
          setting: 'continue_conversation',
          message: `The ${conversation.droppedTurns} oldest turn(s) of the conversation were left out to stay within ${conversation.modelId}'s input-image limit.`,
        });
      }
      return startGeneration(
        {
          operation: 'edit',
          input: request,
          inputImages: images,
          ...(mask ? { mask } : {}),
          ...(markup ? { markup } : {}),
          inputWarnings: warnings,
          ...(conversation ? { conversation } : {}),
        },
        options,
        await generationParts(),
      );
    };

    /** Multi-turn editing: the first image's stored conversation, and the request on its model unless one was named. */
    async function continuedConversation(input: EditImageInput) {
      if (input.continueConversation !== true) return { request: input, conversation: undefined };
      const first = input.images[0];
      let modelName = input.model;
      if (modelName === undefined && first?.kind === 'stored') {
        const stored = await viewStore.get(imageIdFromReference(first.imageId));
        modelName = stored.metadata.conversation?.model;
      }
      const model = resolveModel(modelName, modelContext);
      const conversation = await loadConversation(first, model, input.images.length - 1, {
        store: viewStore,
        limits: dependencies.inputLimits,
      });
      return { request: { ...input, model: model.id }, conversation };
    }

    async function resolveInputs(input: EditImageInput) {
      const context = { store: viewStore, limits: dependencies.inputLimits, allowedFolders: dependencies.allowedFolders ?? [] };
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
      let markup: InputImage | undefined;
      if (input.markup && first) {
        if (input.mask) {
          throw new ImageGenError({
            code: 'invalid_request',
            message: 'markup cannot be combined with a mask: use one or the other.',
            details: { setting: 'markup' },
          });
        }
        const resolvedMarkup = await resolveImageSource(input.markup, 'markup', context);
        const prepared = await (await loadImaging()).prepareMarkup(resolvedMarkup.image, first.image);
        markup = { data: prepared.data, mimeType: prepared.mimeType, width: prepared.width, height: prepared.height };
      }
      return { images, mask, markup, warnings };
    }

    return {
      registry,
      templates: dependencies.templates,
      templateAutoSize: dependencies.templateAutoSize ?? true,
      generate: async (input, options = {}) => (await startGenerate(input, options)).result,
      edit: async (input, options = {}) => (await startEdit(input, options)).result,
      startGenerate,
      startEdit,
      getJob: async (jobId, options) => (await jobsOpening).get(jobId, { ...options, ...(ownJobs ? { principalId: ownJobs } : {}) }),
      listJobs: async (limit) => (await jobsOpening).list(limit, ownJobs),
      getImage: (imageId) => viewStore.get(withoutResourceScheme(imageId)),
      openImageStream: (imageId) => openImageStream(viewStore, withoutResourceScheme(imageId)),
      deleteImage: (imageId) => deleteStoredImage({ ...dependencies, store: viewStore, logger }, imageId),
      history: (query) => viewStore.history(query),
      stats: () => viewStore.stats(),
      async cleanup(options) {
        requireAdmin('run a retention cleanup');
        const report = await store.cleanup(options);
        if (!report.dryRun && (report.removedImages.length > 0 || report.removedFiles.length > 0)) dependencies.onImagesChanged?.();
        return report;
      },
      completeImageIds: (prefix, limit) => viewStore.listIds(prefix, limit),
      configuredProviders: () => [...dependencies.providers.keys()],
      listModels: (options = {}) => listModels(dependencies, logger, options, liveModels),
      estimateCost(input) {
        const model = resolveModel(input.model, modelContext);
        const style = input.style ?? defaults.style;
        return costBounds(model, planRequest(model, { ...input, ...(style ? { style } : {}) }, defaults)).estimatedUsd;
      },
      costReport: () => (access.admin ? ledger.totals() : ledger.totals(access.principalId)),
      access,
      forPrincipal: (next) => buildView(next),
      async setPrincipalBudget(principalId, change) {
        requireAdmin("set a user's budget");
        if (!dependencies.principalBudgets) {
          throw new ImageGenError({ code: 'invalid_request', message: 'Per-user budgets are not available in this setup.' });
        }
        return dependencies.principalBudgets.set(principalId, change, access.principalId);
      },
      principalBudget(principalId = access.principalId) {
        if (principalId !== access.principalId) requireAdmin("see another user's budget");
        return dependencies.principalBudgets?.limitsOf(principalId) ?? {};
      },
      checkReadiness: () => checkReadiness(dependencies),
      async close() {
        // Views share everything with the engine they came from: only the engine itself closes it.
        if (access !== localAccess) return;
        await (await jobsOpening.catch(() => undefined))?.close(dependencies.shutdownGraceMs ?? 30_000);
        await Promise.all([...(dependencies.limiters?.values() ?? [])].map((limiter) => limiter.close()));
        await ledger.close();
        await dependencies.cache?.close?.();
        await coordination?.close();
        await store.close();
      },
    };
  }
}

const withoutResourceScheme = (imageId: string) =>
  imageId.startsWith('generated-images://') ? imageId.slice('generated-images://'.length) : imageId;

/** Streams from the store when it can; otherwise reads the image whole and streams that. */
async function openImageStream(store: ImageStore, imageId: string): Promise<StoredImageStream> {
  if (store.openImageStream) return store.openImageStream(imageId);
  const { bytes, ...image } = await store.get(imageId);
  return { ...image, sizeBytes: bytes.length, stream: Readable.from([Buffer.from(bytes)]) };
}

/** Every registry model with whether its provider is configured and (when asked) whether the key can use it. */
async function listModels(
  dependencies: ImageEngineDependencies,
  logger: Logger,
  options: { checkAvailability?: boolean; includeRetired?: boolean; signal?: AbortSignal },
  liveModels: LiveModelList,
): Promise<ModelListing[]> {
  const available = new Map<string, Set<string> | undefined>();
  if (options.checkAvailability) {
    await Promise.all(
      [...dependencies.providers].map(async ([id, provider]) => {
        try {
          const listed = await provider.listAvailableModels(options.signal);
          liveModels.record(id, listed);
          available.set(id, new Set(listed.map((name) => name.toLowerCase())));
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
  const defaultModel = dependencies.registry.get(dependencies.defaults.model)?.id;
  return dependencies.registry.list({ includeRetired: options.includeRetired ?? true }).map((definition) => {
    const ids = available.get(definition.provider);
    const names = [definition.id, ...definition.aliases].map((name) => name.toLowerCase());
    return {
      definition,
      providerConfigured: dependencies.providers.has(definition.provider),
      ...(ids ? { availableForKey: names.some((name) => ids.has(name)) } : {}),
      isDefault: definition.id === defaultModel,
    };
  });
}

/** Whether a provider is configured, the store answers and the cache (when networked) is reachable. Never throws. */
async function checkReadiness(dependencies: ImageEngineDependencies): Promise<ReadinessReport> {
  const checks: ReadinessReport['checks'] = {
    provider_configured:
      dependencies.providers.size > 0
        ? { ok: true }
        : { ok: false, message: 'No provider is configured: set PROVIDERS__OPENAI__API_KEY or PROVIDERS__GEMINI__API_KEY.' },
    storage: { ok: true },
    cache: { ok: true },
  };
  try {
    await dependencies.store.stats();
  } catch (error) {
    checks.storage = { ok: false, message: ImageGenError.isInstance(error) ? error.message : 'The image store does not answer.' };
  }
  try {
    await dependencies.cache?.ping?.();
  } catch (error) {
    checks.cache = { ok: false, message: ImageGenError.isInstance(error) ? error.message : 'The cache does not answer.' };
  }
  if (dependencies.coordination) {
    checks.coordination = { ok: true };
    try {
      await dependencies.coordination.ping();
    } catch (error) {
      checks.coordination = { ok: false, message: ImageGenError.isInstance(error) ? error.message : 'Redis does not answer.' };
    }
  }
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}
