/**
 * Engines as replicas: two (or three) engines sharing one image folder, one job store and one Redis (127.0.0.1:6379,
 * a unique key prefix per test), each with its own provider that counts calls, as separate processes would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisCoordination, type Coordination } from '@imagegen/cache';
import { createFileSystemImageStore } from '@imagegen/storage';
import { createMemoryJobPersistence, type JobPersistence } from './job-persistence';
import { createMemoryEngine, sleep, type MemoryEngine } from './test-support/memory-engine';

const redisUrl = 'redis://127.0.0.1:6379/0';

type Replica = MemoryEngine & { coordination: Coordination };

describe('replicas sharing Redis', () => {
  const prefixes: string[] = [];
  const folders: string[] = [];
  const engines: MemoryEngine[] = [];

  afterAll(async () => {
    for (const engine of engines) await engine.close().catch(() => undefined);
    const admin = new Redis(redisUrl);
    for (const prefix of prefixes) {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.unlink(...keys);
    }
    await admin.quit();
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });

  /** Replicas over one folder, one job store and one key prefix; each has its own provider and cache. */
  async function startReplicas(count: number, options: { delayMs: number; leaseTtlMs?: number; jobs?: JobPersistence }) {
    const keyPrefix = `imagegen-test:${randomUUID()}:`;
    prefixes.push(keyPrefix);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-replicas-'));
    folders.push(folder);
    const jobPersistence = options.jobs ?? createMemoryJobPersistence();
    const started: Replica[] = [];
    for (let index = 0; index < count; index += 1) {
      const coordination = await createRedisCoordination({
        url: redisUrl,
        keyPrefix,
        owner: randomUUID(),
        leaseTtlMs: options.leaseTtlMs ?? 2_000,
        pollMs: 20,
      });
      const store = await createFileSystemImageStore({ basePath: folder, minFreeBytes: 0 });
      const replica = await createMemoryEngine({
        provider: { delayMs: options.delayMs },
        jobPersistence,
        engine: { store, coordination, shutdownGraceMs: 0 },
      });
      engines.push(replica);
      started.push({ ...replica, coordination });
    }
    return started;
  }

  it('makes one provider call for an identical request sent to three replicas at once, and all three get its images', async () => {
    const replicas = await startReplicas(3, { delayMs: 300 });
    const results = await Promise.all(replicas.map(({ engine }) => engine.generate({ prompt: 'a lighthouse at dusk' })));
    const calls = replicas.reduce((sum, replica) => sum + replica.provider.calls.length, 0);
    expect(calls).toBe(1);
    const imageIds = new Set(results.map((result) => result.images[0]?.imageId));
    expect(imageIds.size).toBe(1);
    expect(results.filter((result) => result.sharedCall)).toHaveLength(2);
    // Every replica reads the image, and only the producing replica recorded a paid call.
    for (const { engine } of replicas) expect((await engine.getImage([...imageIds][0] as string)).bytes.length).toBeGreaterThan(0);
    expect(replicas.reduce((sum, replica) => sum + replica.ledger.totals().calls, 0)).toBe(1);
  });

  it('answers for a job from any replica, waiting for it to finish elsewhere', async () => {
    const [maker, other] = (await startReplicas(2, { delayMs: 300 })) as [Replica, Replica];
    const handle = await maker.engine.startGenerate({ prompt: 'a paper boat' });
    expect(handle.jobId).toBeDefined();
    const seen = await other.engine.getJob(handle.jobId as string, { waitMs: 5_000 });
    expect(seen?.status).toBe('completed');
    expect(seen?.result?.images).toHaveLength(1);
    await handle.result;
  });

  it('reports a job whose replica died as interrupted, saying it may have been billed', async () => {
    const [dying, survivor] = (await startReplicas(2, { delayMs: 5_000, leaseTtlMs: 300 })) as [Replica, Replica];
    const handle = await dying.engine.startGenerate({ prompt: 'a kite in a storm' });
    handle.result.catch(() => undefined);
    while (dying.provider.calls.length === 0) await sleep(10);
    // The replica's process is gone: it renews nothing any more (its presence expires after one lease).
    await dying.coordination.close();
    const report = await survivor.engine.getJob(handle.jobId as string, { waitMs: 3_000 });
    expect(report).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
    expect(report?.error?.message).toContain('may have been billed');
  });

  it('makes the request on a waiting replica when the one making it dies without an answer', async () => {
    const [dying, survivor] = (await startReplicas(2, { delayMs: 60_000, leaseTtlMs: 300 })) as [Replica, Replica];
    const first = dying.engine.generate({ prompt: 'a clock tower' });
    first.catch(() => undefined);
    while (dying.provider.calls.length === 0) await sleep(10);
    survivor.provider.setDelayMs(0);
    const waiting = survivor.engine.generate({ prompt: 'a clock tower' });
    await sleep(100);
    expect(survivor.provider.calls).toHaveLength(0);
    await dying.coordination.close();
    const result = await waiting;
    expect(result.images).toHaveLength(1);
    expect(survivor.provider.calls).toHaveLength(1);
  });
});
