import { randomUUID } from 'node:crypto';
import { ImageGenError, localPrincipalId, silentLogger, systemClock, toImageGenError, type Clock, type Logger } from '@imagegen/common';
import type { ImageStore } from '@imagegen/storage';
import { localLiveness, thisProcess, type ProcessIdentity, type ProcessLiveness } from '../cost/process-identity';
import type { PartialImageEvent } from '@imagegen/providers';
import type { ImageResult, ProgressEvent } from '../engine/engine-types';
import { resultFromSummary, summarizeResult } from './cached-generation';
import type { JobPersistence, JobRecord, JobStatus } from './job-persistence';

/** A generation job as callers see it. */
export interface GenerationJob {
  jobId: string;
  operation: 'generate' | 'edit';
  status: JobStatus;
  createdAt: string;
  finishedAt?: string;
  model: string;
  /** Who started the job. */
  principalId: string;
  promptExcerpt: string;
  /** For `completed`: the result, with the images read from storage. */
  result?: ImageResult;
  /** For `failed`: what went wrong. `code` is `interrupted` when the server stopped while the job ran. */
  error?: { code: string; message: string };
  /** For `running` jobs that stream (`partialImages`): the newest partial image, and how many arrived so far. */
  latestPartial?: PartialImageEvent & { received: number };
}

/** What a running job's work receives. */
export interface JobControl {
  /**
   * Fires when the job is given up: every caller left before the request reached the provider (or, with
   * continue-on-cancel off, at any time), or the engine closes.
   */
  signal: AbortSignal;
  /** The request is about to go out to the vendor: from here on it is paid work. */
  reachedProvider(): void;
  /** Progress, passed on to every caller waiting. */
  progress(event: Omit<ProgressEvent, 'elapsedMs'>): void;
}

interface RunningJob {
  record: JobRecord;
  key: string;
  startedAt: number;
  promise: Promise<ImageResult>;
  waiters: number;
  /** Its id was handed to a client, who may come back for it: never given up for lack of waiters. */
  handedOut: boolean;
  reachedProvider: boolean;
  abandon: AbortController;
  listeners: Set<(event: ProgressEvent) => void>;
  /** The newest streamed partial image (kept in memory while the job runs, for views that poll). */
  latestPartial?: PartialImageEvent & { received: number };
  /** Wakes callers of `get` waiting for the next partial image. */
  partialWaiters: Set<() => void>;
}

/** Settings of {@link openGenerationJobs}. */
export interface GenerationJobsOptions {
  persistence: JobPersistence;
  store: ImageStore;
  /** Keep a request that reached the provider running when its caller cancels (`IMAGES__CONTINUE_ON_CANCEL`). */
  continueOnCancel: boolean;
  logger?: Logger;
  clock?: Clock;
  /**
   * Whether the process that runs a job may still be running. Default: by pid on this host. Replicas sharing one job
   * store pass a presence check (Redis), so any replica reports a job whose replica died as `interrupted`.
   */
  liveness?: ProcessLiveness;
  /** How often a wait for a job running on another replica reads the job store again, in milliseconds. Default 250. */
  remotePollMs?: number;
  /** Who runs this table's jobs, as written in their records; default this process (the coordination's owner token then). */
  identity?: ProcessIdentity;
}

/** A new job id (`job_<uuid>`): chosen before the job starts when other replicas must learn it first. */
export const newJobId = (): string => `job_${randomUUID()}`;

/** The jobs of an engine: running generations by request and by id, and the durable record of finished ones. */
export interface GenerationJobs {
  /** The running job for a request key, to share instead of paying twice. */
  find(key: string): RunningJobHandle | undefined;
  /** Starts a job for `key` running `work`. */
  start(
    key: string,
    facts: Pick<JobRecord, 'operation' | 'model' | 'promptExcerpt' | 'principalId'>,
    work: (control: JobControl) => Promise<ImageResult>,
    jobId?: string,
  ): RunningJobHandle;
  /**
   * A job by id: waits up to `waitMs` for a running one to finish (with `untilPartial`, also returns as soon as a new
   * partial image arrives); undefined for an unknown id, and for another principal's job when `principalId` is given
   * (without waiting for it or touching it).
   */
  get(
    jobId: string,
    options?: { waitMs?: number; signal?: AbortSignal; untilPartial?: boolean; principalId?: string },
  ): Promise<GenerationJob | undefined>;
  /** Jobs newest first (without images); only one principal's when `principalId` is given. */
  list(limit?: number, principalId?: string): Promise<GenerationJob[]>;
  /** Jobs running now. */
  runningCount(): number;
  /**
   * Gives up jobs that have not reached the provider, waits up to `graceMs` for the others (they are paid for), then
   * aborts what is left; those are recorded as interrupted.
   */
  close(graceMs: number): Promise<void>;
}

/** One caller's hold on a running job. */
export interface RunningJobHandle {
  readonly jobId: string;
  /** Waits for the job; `signal` stops this caller's wait (and may give the job up, see {@link JobControl.signal}). */
  wait(signal: AbortSignal | undefined, onProgress: ((event: ProgressEvent) => void) | undefined): Promise<ImageResult>;
  /** Marks the job as handed to a client by id: it then runs to the end whoever waits. */
  handOut(): void;
}

const cancelled = () => new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });
const interruptedError = {
  code: 'interrupted',
  message:
    'The server stopped (a restart or a crash) while this generation ran, so its result is lost. It may have been billed: `imagegen cost` counts it. Make the request again to get the image.',
};
const maxRecordsKept = 1_000;
const compactAbove = 4 * maxRecordsKept;

/** Opens the job table, marking jobs of processes that stopped while running as failed (`interrupted`). */
export async function openGenerationJobs(options: GenerationJobsOptions): Promise<GenerationJobs> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const { persistence, store } = options;
  // Redis presence when replicas coordinate; else the shared store's own heartbeat check; else the pid on this host.
  const storeLiveness = persistence.mayStillBeRunning?.bind(persistence);
  const liveness: ProcessLiveness =
    options.liveness ?? (storeLiveness ? async (writer) => (writer ? storeLiveness(writer) : false) : localLiveness);
  const remotePollMs = options.remotePollMs ?? 250;
  const byKey = new Map<string, RunningJob>();
  const running = new Map<string, RunningJob>();
  /** Latest record of each known job, oldest first (Map keeps insertion order; re-set moves nothing, so delete first). */
  const known = new Map<string, JobRecord>();
  const shutdown = new AbortController();

  const remember = (record: JobRecord) => {
    known.delete(record.jobId);
    known.set(record.jobId, record);
    if (known.size > maxRecordsKept) known.delete(known.keys().next().value as string);
  };
  const persist = (record: JobRecord) =>
    persistence.append(record).catch((error: unknown) => logger.warn('could not record a generation job', { error: String(error) }));

  const loaded = await persistence.load().catch((error: unknown) => {
    logger.warn('could not read the generation jobs; starting without them', { error: String(error) });
    return [] as JobRecord[];
  });
  for (const record of loaded) remember(record);
  /** A running record whose process is gone, recorded as interrupted (any replica may notice; the record is the same). */
  const interruptIfOrphaned = async (record: JobRecord): Promise<JobRecord> => {
    if (record.status !== 'running' || running.has(record.jobId)) return record;
    if (await liveness(record.process).catch(() => true)) return record;
    const interrupted: JobRecord = { ...record, status: 'failed', finishedAt: clock.now().toISOString(), error: interruptedError };
    remember(interrupted);
    await persist(interrupted);
    logger.warn('a generation job was interrupted: the process running it stopped; it may have been billed', { jobId: record.jobId });
    return interrupted;
  };
  for (const record of [...known.values()]) await interruptIfOrphaned(record);
  if (loaded.length > compactAbove && persistence.replace) {
    await persistence
      .replace([...known.values()])
      .catch((error: unknown) => logger.warn('could not compact the job records', { error: String(error) }));
  }

  /** A record from another process (or written since we loaded): read the store again. */
  const reload = async (jobId: string) => {
    if (persistence.find) return persistence.find(jobId).catch(() => undefined);
    const records = await persistence.load().catch(() => [] as JobRecord[]);
    let latest: JobRecord | undefined;
    for (const record of records) if (record.jobId === jobId) latest = record;
    return latest;
  };

  /** Waits up to `waitMs` for a job another replica runs, reading the shared store again every {@link remotePollMs}. */
  const awaitRemote = async (record: JobRecord, waitMs: number, signal: AbortSignal | undefined): Promise<JobRecord> => {
    let latest = await interruptIfOrphaned(record);
    const deadline = Date.now() + waitMs;
    while (latest.status === 'running' && Date.now() < deadline && !signal?.aborted) {
      await settledWithin(new Promise(() => undefined), Math.min(remotePollMs, deadline - Date.now()), signal);
      latest = await interruptIfOrphaned((await reload(record.jobId)) ?? latest);
    }
    if (latest.status !== 'running') remember(latest);
    return latest;
  };

  const view = async (record: JobRecord): Promise<GenerationJob> => {
    const base: GenerationJob = {
      jobId: record.jobId,
      operation: record.operation,
      status: record.status,
      createdAt: record.createdAt,
      ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
      model: record.model,
      principalId: ownerOf(record),
      promptExcerpt: record.promptExcerpt,
      ...(record.error ? { error: record.error } : {}),
    };
    if (record.status !== 'completed' || !record.summary) return base;
    const result = await resultFromSummary(record.summary, store);
    if (!result) {
      return {
        ...base,
        status: 'failed',
        error: { code: 'not_found', message: 'The images of this generation are no longer stored (retention removed them).' },
      };
    }
    return { ...base, result: { ...result, fromCache: false } };
  };

  /** A job nobody waits for or may come back to, and that has not reached the provider (or may be aborted), stops. */
  const giveUpIfUnwanted = (job: RunningJob) => {
    const mayGiveUp = !job.reachedProvider || !options.continueOnCancel;
    if (job.waiters === 0 && !job.handedOut && mayGiveUp) {
      job.abandon.abort();
      // The abandoned job may still be unwinding; a new identical request must not join it.
      if (byKey.get(job.key) === job) byKey.delete(job.key);
    }
  };

  const waitFor = (job: RunningJob, signal: AbortSignal | undefined, onProgress: ((event: ProgressEvent) => void) | undefined) => {
    if (signal?.aborted) {
      // Cancelled while the request was being planned: the job it started must not go on to pay for nobody.
      giveUpIfUnwanted(job);
      return Promise.reject(cancelled());
    }
    job.waiters += 1;
    if (onProgress) job.listeners.add(onProgress);
    return new Promise<ImageResult>((resolve, reject) => {
      let settled = false;
      const leave = () => {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (onProgress) job.listeners.delete(onProgress);
        job.waiters -= 1;
      };
      const onAbort = () => {
        if (settled) return;
        leave();
        giveUpIfUnwanted(job);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (value) => {
          if (settled) return;
          leave();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          leave();
          reject(error);
        },
      );
    });
  };

  const handleOf = (job: RunningJob): RunningJobHandle => ({
    jobId: job.record.jobId,
    wait: (signal, onProgress) => waitFor(job, signal, onProgress),
    handOut: () => {
      job.handedOut = true;
    },
  });

  return {
    find(key) {
      const job = byKey.get(key);
      return job ? handleOf(job) : undefined;
    },
    start(key, facts, work, jobId = newJobId()) {
      const record: JobRecord = {
        jobId,
        ...facts,
        status: 'running',
        createdAt: clock.now().toISOString(),
        process: options.identity ?? thisProcess,
      };
      const abandon = new AbortController();
      const job: RunningJob = {
        record,
        key,
        startedAt: Date.now(),
        promise: Promise.resolve() as unknown as Promise<ImageResult>,
        waiters: 0,
        handedOut: false,
        reachedProvider: false,
        abandon,
        listeners: new Set(),
        partialWaiters: new Set(),
      };
      const control: JobControl = {
        signal: AbortSignal.any([abandon.signal, shutdown.signal]),
        reachedProvider: () => {
          job.reachedProvider = true;
        },
        progress: (event) => {
          const full = { ...event, elapsedMs: Date.now() - job.startedAt };
          if (event.partialImage) {
            job.latestPartial = { ...event.partialImage, received: (job.latestPartial?.received ?? 0) + 1 };
            for (const wake of job.partialWaiters) wake();
            job.partialWaiters.clear();
          }
          for (const listener of job.listeners) listener(full);
        },
      };
      remember(record);
      void persist(record);
      job.promise = work(control).then(
        async (result) => {
          const finished: JobRecord = {
            ...record,
            status: 'completed',
            finishedAt: clock.now().toISOString(),
            summary: summarizeResult(result),
          };
          remember(finished);
          await persist(finished);
          return result;
        },
        async (error: unknown) => {
          const failure = shutdown.signal.aborted && job.reachedProvider ? interruptedError : describeError(error);
          const failed: JobRecord = { ...record, status: 'failed', finishedAt: clock.now().toISOString(), error: failure };
          remember(failed);
          await persist(failed);
          throw error;
        },
      );
      job.promise
        .catch(() => undefined)
        .finally(() => {
          running.delete(record.jobId);
          if (byKey.get(key) === job) byKey.delete(key);
        });
      running.set(record.jobId, job);
      byKey.set(key, job);
      return handleOf(job);
    },
    async get(jobId, getOptions = {}) {
      if (typeof jobId !== 'string' || !/^job_[0-9a-f-]{36}$/.test(jobId)) return undefined;
      const { principalId } = getOptions;
      const isForeign = (record: JobRecord | undefined) =>
        principalId !== undefined && record !== undefined && ownerOf(record) !== principalId;
      const job = running.get(jobId);
      if (job && isForeign(job.record)) return undefined;
      if (job) {
        job.handedOut = true;
        const waitMs = getOptions.waitMs ?? 0;
        let wake: (() => void) | undefined;
        const nextPartial = getOptions.untilPartial ? new Promise<void>((resolve) => job.partialWaiters.add((wake = resolve))) : undefined;
        if (waitMs > 0)
          await settledWithin(nextPartial ? Promise.race([job.promise, nextPartial]) : job.promise, waitMs, getOptions.signal);
        if (wake) job.partialWaiters.delete(wake);
      }
      const cached = known.get(jobId);
      // A shared store may hold a newer state written by another replica than the one remembered here; a job another
      // replica runs is waited for there.
      const shared = persistence.find !== undefined && job === undefined;
      const stale = cached === undefined || (cached.status === 'running' && job === undefined);
      const fresh = shared || stale ? ((await reload(jobId)) ?? cached) : cached;
      if (!fresh || isForeign(fresh)) return undefined;
      const record = fresh.status === 'running' && !job ? await awaitRemote(fresh, getOptions.waitMs ?? 0, getOptions.signal) : fresh;
      const seen = await view(record);
      return seen.status === 'running' && job?.latestPartial ? { ...seen, latestPartial: job.latestPartial } : seen;
    },
    async list(limit = 20, principalId) {
      return [...known.values()]
        .reverse()
        .filter((record) => principalId === undefined || ownerOf(record) === principalId)
        .slice(0, limit)
        .map((record) => ({
          jobId: record.jobId,
          operation: record.operation,
          status: record.status,
          createdAt: record.createdAt,
          ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
          model: record.model,
          principalId: ownerOf(record),
          promptExcerpt: record.promptExcerpt,
          ...(record.error ? { error: record.error } : {}),
        }));
    },
    runningCount: () => running.size,
    async close(graceMs) {
      for (const job of running.values()) if (!job.reachedProvider) job.abandon.abort();
      const all = Promise.allSettled([...running.values()].map((job) => job.promise));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([all, grace]);
      if (timer) clearTimeout(timer);
      shutdown.abort();
      await all;
    },
  };
}

/** Who a job record belongs to (records from before principals: `local`). */
const ownerOf = (record: JobRecord) => record.principalId ?? localPrincipalId;

function describeError(error: unknown): { code: string; message: string } {
  const family = toImageGenError(error);
  return { code: family.code, message: family.message };
}

/** Resolves when `promise` settles, `milliseconds` pass or `signal` fires, whichever is first. Never rejects. */
function settledWithin(promise: Promise<unknown>, milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal?.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}
