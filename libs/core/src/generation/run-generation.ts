import type Bottleneck from 'bottleneck';
import { randomUUID } from 'node:crypto';
import { ImageGenError, localPrincipalId, throwIfAborted, type Logger } from '@imagegen/common';
import { computeRequestKey, type CacheBackend, type ProducingFlight, type SharedFlights } from '@imagegen/cache';
import type { ImageProvider, ModelDefinition, RequestWarning } from '@imagegen/providers';
import type { ImageStore } from '@imagegen/storage';
import type { CostLedger } from '../cost/cost-ledger';
import type { ProviderLimiter } from '../limits/provider-limiter';
import type { CallOptions, ImageResult } from '../engine/engine-types';
import { lookUpCache, storeInCache, type CachedGeneration } from './cached-generation';
import { callProvider, type RetryPolicy } from './call-provider';
import { actualCost, costBounds } from './cost-bounds';
import { newJobId, type GenerationJobs, type JobControl } from './generation-jobs';
import { PartialPersistError, persistImages } from './persist-images';
import { planGeneration, type GenerationRequest, type PlanDefaults } from './plan-generation';
import { preflight } from './preflight';
import { recordFailedCall } from './record-cost';
import { claimSharedFlight, publishFlightOutcome } from './shared-flight';
import { providerFor, resolveModel } from './resolve-model';
import type { LiveModelList } from '../engine/live-model-list';

/** Everything the flow uses, built once per engine. */
export interface GenerationParts {
  registry: import('@imagegen/providers').ModelRegistry;
  /** What the providers' own model lists said; a model a fresh list lacks is refused before its job starts. */
  liveModels?: LiveModelList;
  providers: ReadonlyMap<string, ImageProvider>;
  limiters?: ReadonlyMap<string, ProviderLimiter>;
  retryPolicies?: ReadonlyMap<string, RetryPolicy>;
  providerSettingHints?: Readonly<Record<string, string>>;
  providerDefaultModels?: Readonly<Record<string, string>>;
  /** The store as the caller's principal sees it (saves are stamped with the principal). */
  store: ImageStore;
  /** Who the request is made for: its images, job, ledger entry and cache entry are the principal's. */
  principalId: string;
  /**
   * The whole store, given only when cache hits may be shared across principals (`CACHE__SHARE_ACROSS_PRINCIPALS`):
   * a hit on another principal's images is copied into the caller's own history, with no provider call.
   */
  sharedCacheStore?: ImageStore;
  cache?: CacheBackend<CachedGeneration>;
  cacheTtlMs: number;
  ledger: CostLedger;
  jobs: GenerationJobs;
  /** Single flight across replicas (Redis): an identical request running on another replica is waited for, not paid again. */
  flights?: SharedFlights<CachedGeneration>;
  defaults: PlanDefaults;
  imageWork: Bottleneck;
  logger: Logger;
  onImagesChanged?: () => void;
}

/** A request on its way: its job id (when it runs as a job) and this caller's wait for the result. */
export interface GenerationHandle {
  /** The job's id; absent when the answer came from the cache. */
  jobId?: string;
  /** The result; rejects with `cancelled` when this caller's signal fires (the job itself may go on, see the docs). */
  result: Promise<ImageResult>;
  /**
   * Marks the job as handed to a client by id (a caller that answers with the job id instead of the result): it then
   * runs to the end whoever waits, even when this caller's signal fires before it reached the provider.
   */
  handOut?(): void;
}

const promptExcerpt = (prompt: string) => (Array.from(prompt).length > 100 ? `${Array.from(prompt).slice(0, 99).join('')}…` : prompt);

/**
 * The flow of one request: resolve the model → plan → cache and in-flight lookup → (as a job) preflight → call the
 * provider → finish and persist the images → record the cost → cache. Resolves once the request is either answered
 * from the cache or running as a job.
 */
export async function startGeneration(request: GenerationRequest, options: CallOptions, parts: GenerationParts): Promise<GenerationHandle> {
  throwIfAborted(options.signal);
  const correlationId = options.correlationId ?? randomUUID();
  const log = parts.logger.child({ correlationId, operation: request.operation });

  const model = resolveModel(request.input.model, {
    registry: parts.registry,
    defaultModel: parts.defaults.model,
    ...(parts.providerDefaultModels ? { providerDefaultModels: parts.providerDefaultModels } : {}),
  });
  const provider = providerFor(model, parts.providers, parts.providerSettingHints);
  const planned = await planGeneration(request, model, parts.defaults);
  const isLocal = parts.principalId === localPrincipalId;
  // A principal's requests get keys of their own unless hits are shared; the local principal keeps the plain key, so
  // single-user caches stay as they were. The key is also what the images record as their request hash.
  if (!isLocal && !parts.sharedCacheStore)
    planned.requestHash = computeRequestKey({ principalId: parts.principalId, request: planned.requestHash });
  const cacheContext = {
    ...(parts.cache ? { cache: parts.cache } : {}),
    store: parts.store,
    ...(parts.sharedCacheStore ? { sharedStore: parts.sharedCacheStore, principalId: parts.principalId } : {}),
    ttlMs: parts.cacheTtlMs,
    log,
  };
  // Running jobs are joined only by the same principal: their images are made for whoever started them.
  const jobKey = isLocal ? planned.requestHash : `${parts.principalId}\n${planned.requestHash}`;

  if (!planned.fresh) {
    const hit = await lookUpCache(planned.requestHash, cacheContext);
    if (hit) {
      options.onProgress?.({ stage: 'done', message: 'Served from cache: no provider call, no new cost.', elapsedMs: 0 });
      return { result: Promise.resolve(hit) };
    }
    // An identical request is running (perhaps one whose caller gave up): share its call instead of paying twice.
    const running = parts.jobs.find(jobKey);
    if (running) {
      log.info('joined a running identical request', { jobId: running.jobId });
      return {
        jobId: running.jobId,
        result: running.wait(options.signal, options.onProgress).then((result) => ({ ...result, sharedCall: true, actualCostUsd: 0 })),
        handOut: () => running.handOut(),
      };
    }
  }

  parts.liveModels?.assertListed(model, defaultModelOf(model.provider, parts));
  const key = planned.fresh ? `${jobKey}:${randomUUID()}` : jobKey;
  const facts = {
    operation: request.operation,
    model: model.id,
    principalId: parts.principalId,
    promptExcerpt: promptExcerpt(planned.plan.call.prompt),
  };
  const startHere = (flight: ProducingFlight<CachedGeneration> | undefined, jobId: string) =>
    parts.jobs.start(
      key,
      facts,
      async (control) => {
        try {
          const result = await produceImages(planned, model, provider, control, options, parts, log, cacheContext);
          await publishFlightOutcome(flight, { result });
          return result;
        } catch (error) {
          await publishFlightOutcome(flight, { error });
          throw error;
        }
      },
      jobId,
    );

  const jobId = newJobId();
  if (!planned.fresh && parts.flights) {
    const decision = await claimSharedFlight(
      jobKey,
      jobId,
      {
        flights: parts.flights,
        store: parts.store,
        log,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
      (flight, handoverJobId) => startHere(flight, handoverJobId).wait(options.signal, options.onProgress),
    );
    if (decision.kind === 'answered') return { result: Promise.resolve(decision.result) };
    if (decision.kind === 'joined') return { jobId: decision.jobId, result: decision.result };
    const job = startHere(decision.flight, jobId);
    return { jobId: job.jobId, result: job.wait(options.signal, options.onProgress), handOut: () => job.handOut() };
  }
  const job = startHere(undefined, jobId);
  return { jobId: job.jobId, result: job.wait(options.signal, options.onProgress), handOut: () => job.handOut() };
}

/** The paid part of the flow, run as a job. */
async function produceImages(
  planned: Awaited<ReturnType<typeof planGeneration>>,
  model: ModelDefinition,
  provider: ImageProvider,
  control: JobControl,
  options: CallOptions,
  parts: GenerationParts,
  log: Logger,
  cacheContext: Parameters<typeof storeInCache>[2],
): Promise<ImageResult> {
  const started = Date.now();
  const { plan, warnings } = planned;
  const bounds = costBounds(model, plan);
  await preflight(plan, parts);
  throwIfAborted(control.signal);
  const paidCall = await parts.ledger.startCall({
    provider: model.provider,
    model: model.id,
    principalId: parts.principalId,
    estimatedUsd: bounds.estimatedUsd ?? 0,
    maxUsd: bounds.maxUsd ?? bounds.estimatedUsd ?? 0,
  });

  let reachedProvider = false;
  let results;
  try {
    throwIfAborted(control.signal);
    results = await callProvider(plan, {
      provider,
      model,
      ...(parts.limiters?.get(model.provider) ? { limiter: parts.limiters.get(model.provider) as ProviderLimiter } : {}),
      retryPolicy: parts.retryPolicies?.get(model.provider) ?? { maxRetries: 2 },
      signal: control.signal,
      onReachingProvider: () => {
        reachedProvider = true;
        control.reachedProvider();
      },
      progress: control.progress,
      log,
    });
  } catch (error) {
    await recordFailedCall(paidCall, error, reachedProvider);
    throw error;
  }

  // The vendor has billed the call from here on: nothing below is cancellable, and the spend is recorded whatever happens.
  const actualCostUsd = actualCost(model, plan, results);
  for (const result of results) warnings.push(...result.warnings);
  const taskId = randomUUID();
  const modelUsed = results.find((result) => result.modelUsed)?.modelUsed ?? model.id;
  const spend = {
    usd: actualCostUsd ?? bounds.estimatedUsd ?? 0,
    basis: actualCostUsd === undefined ? ('estimate' as const) : ('actual' as const),
  };
  let stored;
  try {
    stored = await persistImages(
      planned,
      results,
      {
        taskId,
        modelUsed,
        ...(bounds.estimatedUsd === undefined ? {} : { estimatedCostUsd: bounds.estimatedUsd }),
        ...(actualCostUsd === undefined ? {} : { actualCostUsd }),
      },
      {
        store: parts.store,
        imageWork: parts.imageWork,
        ...(options.preview ? { preview: options.preview } : {}),
        progress: control.progress,
      },
    );
  } catch (error) {
    const partial = error instanceof PartialPersistError ? error : undefined;
    const cause = partial ? partial.cause : error;
    const kept = partial?.stored ?? [];
    const reason = `The images could not be stored: ${ImageGenError.isInstance(cause) ? cause.message : String(cause)}`;
    await paidCall.billed({ ...spend, images: kept.length, imageIds: kept.map((image) => image.imageId), reason });
    if (kept.length > 0) parts.onImagesChanged?.();
    log.error('a paid generation could not be stored', { model: model.id, usd: spend.usd, kept: kept.length });
    throw ImageGenError.isInstance(cause)
      ? new ImageGenError({
          code: cause.code,
          message: `${cause.message} The call was paid for (recorded in the cost ledger)${kept.length > 0 ? `; ${kept.length} image(s) were stored: ${kept.map((image) => image.imageId).join(', ')}` : ''}.`,
          details: { ...cause.details, storedImageIds: kept.map((image) => image.imageId) },
          cause,
        })
      : cause;
  }
  await paidCall.billed({ ...spend, images: stored.length, imageIds: stored.map((image) => image.imageId) });

  const result: ImageResult = {
    taskId,
    model: model.id,
    provider: model.provider,
    images: stored,
    warnings,
    fromCache: false,
    ...(bounds.estimatedUsd === undefined ? {} : { estimatedCostUsd: bounds.estimatedUsd }),
    ...(actualCostUsd === undefined ? {} : { actualCostUsd }),
    prompt: plan.call.prompt,
    parameters: planned.parameters,
  };
  await storeInCache(planned.requestHash, result, cacheContext);
  parts.onImagesChanged?.();
  log.info('images stored', {
    model: model.id,
    images: stored.length,
    actualCostUsd,
    estimatedCostUsd: bounds.estimatedUsd,
    elapsedMs: Date.now() - started,
  });
  control.progress({ stage: 'done', message: `Stored ${stored.length} image(s).` });
  return result;
}

/** The provider's default model, to suggest instead of one its list lacks; undefined when there is none. */
function defaultModelOf(provider: string, parts: GenerationParts): string | undefined {
  try {
    return parts.registry.defaultModelFor(provider).id;
  } catch {
    return undefined;
  }
}

export type { RequestWarning };
