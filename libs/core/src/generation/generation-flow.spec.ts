import { ImageGenError } from '@imagegen/common';
import { createMemoryCache } from '@imagegen/cache';
import { createNodeStorageFileSystem, type ImageStore } from '@imagegen/storage';
import { createMemoryLedgerPersistence } from '../cost/ledger-persistence';
import type { CachedGeneration } from './cached-generation';
import { createMemoryJobPersistence, type JobRecord } from './job-persistence';
import { createMemoryEngine, sleep, type MemoryEngine } from './test-support/memory-engine';

const request = { prompt: 'a lighthouse at dawn', size: '1024x1024', quality: 'low' };

describe('the generation flow', () => {
  let harness: MemoryEngine | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('keeps a generation its client cancelled one second in, and answers the same request from it without a second call', async () => {
    harness = await createMemoryEngine({ provider: { delayMs: 1_500 } });
    const controller = new AbortController();
    const first = harness.engine.generate(request, { signal: controller.signal });
    await sleep(1_000);
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    // Asked again while the first is still running: it joins it.
    const again = await harness.engine.generate(request);
    expect(again.sharedCall).toBe(true);
    expect(again.actualCostUsd).toBe(0);
    expect(again.images).toHaveLength(1);
    // And after it finished: from the cache.
    const later = await harness.engine.generate(request);
    expect(later.fromCache).toBe(true);
    expect(later.images[0]?.imageId).toBe(again.images[0]?.imageId);
    expect(harness.provider.calls).toHaveLength(1);
    expect(harness.provider.calls[0]?.outcome).toBe('answered');
    expect((await harness.store.history()).totalCount).toBe(1);
    expect(harness.engine.costReport()).toMatchObject({ calls: 1, unknownOutcomeCalls: 0 });
  });

  it('aborts the provider call on cancel when continue-on-cancel is off, and counts it as possibly billed', async () => {
    harness = await createMemoryEngine({ provider: { delayMs: 2_000 }, engine: { continueOnCancel: false } });
    const controller = new AbortController();
    const pending = harness.engine.generate(request, { signal: controller.signal });
    await sleep(300);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    await sleep(100);
    expect(harness.provider.calls[0]?.outcome).toBe('aborted');
    expect((await harness.store.history()).totalCount).toBe(0);
    expect(harness.engine.costReport()).toMatchObject({ calls: 1, unknownOutcomeCalls: 1 });
  });

  it('cancels a request cancelled while it was still being planned: its job never calls the provider', async () => {
    // A cache that answers slowly holds the request in planning; it is cancelled there, before its caller waits.
    const controller = new AbortController();
    const slowCache = createMemoryCache<CachedGeneration>({ maxBytes: 10 * 1024 * 1024, ttlMs: 3_600_000 });
    const lookUp = slowCache.get.bind(slowCache);
    slowCache.get = async (key) => {
      await sleep(100);
      controller.abort();
      return lookUp(key);
    };
    harness = await createMemoryEngine({ provider: { delayMs: 300 }, maxConcurrency: 1, engine: { cache: slowCache } });
    const busy = harness.engine.generate({ ...request, prompt: 'holding the only slot' });
    const queued = harness.engine.generate(request, { signal: controller.signal });
    await expect(queued).rejects.toMatchObject({ code: 'cancelled' });
    await busy;
    await sleep(400);
    expect(harness.provider.calls.map((call) => call.prompt)).toEqual(['holding the only slot']);
    expect(harness.engine.costReport().calls).toBe(1);
  });

  it('cancels a request cancelled before it reached the provider: no call, nothing billed', async () => {
    harness = await createMemoryEngine({ provider: { delayMs: 1_000 }, maxConcurrency: 1 });
    const busy = harness.engine.generate({ ...request, prompt: 'holding the only slot' });
    // The second request must queue behind a call already at the provider (on a loaded machine it could plan faster
    // and take the slot first: a call that reached the provider goes on when its caller leaves, by design).
    while (harness.provider.calls.length === 0) await sleep(5);
    const controller = new AbortController();
    const queued = harness.engine.generate(request, { signal: controller.signal });
    await sleep(200);
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'cancelled' });
    await busy;
    await sleep(50);
    expect(harness.provider.calls.map((call) => call.prompt)).toEqual(['holding the only slot']);
    expect(harness.engine.costReport().calls).toBe(1);
  });

  it('keeps a queued job whose id was handed out when its caller goes away before it reached the provider', async () => {
    harness = await createMemoryEngine({ provider: { delayMs: 300 }, maxConcurrency: 1 });
    const busy = harness.engine.generate({ ...request, prompt: 'holding the only slot' });
    const controller = new AbortController();
    const handle = await harness.engine.startGenerate(request, { signal: controller.signal });
    handle.result.catch(() => undefined);
    handle.handOut?.();
    controller.abort();
    await busy;
    const job = await harness.engine.getJob(handle.jobId as string, { waitMs: 5_000 });
    expect(job?.status).toBe('completed');
    expect(harness.provider.calls).toHaveLength(2);
  });

  it('does not call the provider when the disk has no room for the image plus the reserve', async () => {
    const fileSystem = { ...createNodeStorageFileSystem(), availableBytes: async () => 1024 * 1024 };
    harness = await createMemoryEngine({ fileSystem });
    await expect(harness.engine.generate(request)).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringMatching(/free disk space/),
    });
    expect(harness.provider.calls).toHaveLength(0);
    expect(harness.engine.costReport().calls).toBe(0);
  });

  it('does not call the provider when the storage folder cannot be written', async () => {
    const fileSystem = {
      ...createNodeStorageFileSystem(),
      canWrite: async () => {
        throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
      },
    };
    harness = await createMemoryEngine({ fileSystem });
    await expect(harness.engine.generate(request)).rejects.toMatchObject({ code: 'storage_failed' });
    expect(harness.provider.calls).toHaveLength(0);
  });

  it('records the cost with the reason when a paid image cannot be saved', async () => {
    const failingSave = (store: ImageStore): ImageStore => ({
      ...store,
      checkCanSave: (bytes) => store.checkCanSave?.(bytes) ?? Promise.resolve(),
      save: async () => {
        throw new ImageGenError({ code: 'storage_failed', message: 'The disk turned read-only.' });
      },
    });
    const ledgerPersistence = createMemoryLedgerPersistence();
    harness = await createMemoryEngine({ wrapStore: failingSave, ledgerPersistence });
    await expect(harness.engine.generate(request)).rejects.toMatchObject({ code: 'storage_failed', message: /paid for/ });
    expect(harness.provider.calls).toHaveLength(1);
    expect(harness.engine.costReport()).toMatchObject({ calls: 1 });
    expect(harness.engine.costReport().allTimeUsd).toBeGreaterThan(0);
    expect(ledgerPersistence.entries.at(-1)).toMatchObject({ outcome: 'billed', images: 0, reason: expect.stringMatching(/read-only/) });
  });

  it('refuses paid calls while the ledger cannot be written', async () => {
    const memory = createMemoryLedgerPersistence();
    const readOnly = {
      load: memory.load,
      append: async () => {
        throw Object.assign(new Error('read-only'), { code: 'EROFS' });
      },
    };
    harness = await createMemoryEngine({ ledgerPersistence: readOnly });
    await expect(harness.engine.generate(request)).rejects.toMatchObject({ code: 'storage_failed', message: /cost ledger/ });
    expect(harness.provider.calls).toHaveLength(0);
  });

  it('never spends more than the daily budget with 32 calls at once', async () => {
    harness = await createMemoryEngine({ provider: { delayMs: 200 }, budgets: { dailyUsd: 0.2 } });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 32 }, (_, index) => harness?.engine.generate({ ...request, prompt: `budget call ${index}` })),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const outcome of refused) expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'budget_exceeded' });
    const report = harness.engine.costReport();
    expect(report.todayUsd).toBeLessThanOrEqual(0.2);
    expect(report.calls).toBe(harness.provider.calls.length);
  });

  it('answers with a job id while the provider runs, and the job with the image once it is done: one call', async () => {
    harness = await createMemoryEngine({ provider: { delayMs: 1_500 } });
    const handle = await harness.engine.startGenerate(request);
    expect(handle.jobId).toMatch(/^job_/);
    const jobId = handle.jobId ?? '';
    expect(await harness.engine.getJob(jobId)).toMatchObject({ status: 'running', operation: 'generate' });
    const done = await harness.engine.getJob(jobId, { waitMs: 5_000 });
    expect(done).toMatchObject({ status: 'completed' });
    expect((await done?.result?.images[0]?.readData())?.length).toBeGreaterThan(0);
    expect(harness.provider.calls).toHaveLength(1);
    expect(await harness.engine.listJobs()).toEqual([expect.objectContaining({ jobId, status: 'completed' })]);
    expect(await harness.engine.getJob('job_00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(await harness.engine.getJob('__proto__')).toBeUndefined();
  });

  it('reports a job interrupted by a restart as failed, never as running forever', async () => {
    const running: JobRecord = {
      jobId: 'job_11111111-2222-3333-4444-555555555555',
      operation: 'generate',
      status: 'running',
      createdAt: new Date().toISOString(),
      model: 'gpt-image-2',
      promptExcerpt: 'a lighthouse',
      process: { pid: process.pid, instance: 'the-run-before-the-restart' },
    };
    harness = await createMemoryEngine({ jobPersistence: createMemoryJobPersistence([running]) });
    expect(await harness.engine.getJob(running.jobId)).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
  });

  it('reports a failed job with its error', async () => {
    harness = await createMemoryEngine({
      provider: { failWith: () => new ImageGenError({ code: 'content_blocked', message: 'The safety system refused the prompt.' }) },
    });
    const handle = await harness.engine.startGenerate(request);
    await expect(handle.result).rejects.toMatchObject({ code: 'content_blocked' });
    expect(await harness.engine.getJob(handle.jobId ?? '')).toMatchObject({ status: 'failed', error: { code: 'content_blocked' } });
    // The vendor refused: nothing billed.
    expect(harness.engine.costReport()).toMatchObject({ calls: 0 });
  });

  it('applies IMAGES__DEFAULT_STYLE to a request that names no style', async () => {
    harness = await createMemoryEngine({ engine: { defaultStyle: 'natural' } });
    const result = await harness.engine.generate(request);
    expect(harness.provider.calls[0]?.prompt).toMatch(/Style: natural/);
    expect(result.warnings.map((warning) => warning.setting)).toContain('style');
    await harness.engine.generate({ ...request, prompt: 'own style', style: 'vivid' });
    expect(harness.provider.calls[1]?.prompt).toMatch(/Style: vivid/);
  });
});
