/**
 * Coordination between replicas against the real Redis on 127.0.0.1:6379 (CI starts one). Each "replica" is a
 * coordination object with its own owner token; all of a test share one unique key prefix, removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createMemoryClientRateLimiter, createRedisCoordination, type Coordination } from './redis-coordination';
import type { SharedFlights } from './request-flights';

type Flights = SharedFlights<{ imageIds: string[] }>;

const redisUrl = 'redis://127.0.0.1:6379/0';

describe('Redis coordination', () => {
  const opened: Coordination[] = [];
  const prefixes: string[] = [];
  const replicas = async (count: number, leaseTtlMs = 2_000) => {
    const keyPrefix = `imagegen-test:${randomUUID()}:`;
    prefixes.push(keyPrefix);
    const made: Coordination[] = [];
    for (let index = 0; index < count; index += 1) {
      made.push(await createRedisCoordination({ url: redisUrl, keyPrefix, owner: randomUUID(), leaseTtlMs, pollMs: 20 }));
    }
    opened.push(...made);
    return made;
  };

  afterAll(async () => {
    for (const coordination of opened) await coordination.close().catch(() => undefined);
    const admin = new Redis(redisUrl);
    for (const prefix of prefixes) {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.unlink(...keys);
    }
    await admin.quit();
  });

  it('lets one replica produce a request while the others wait for its outcome', async () => {
    const [first, second, third] = (await replicas(3)).map((replica) => replica.flights<{ imageIds: string[] }>()) as [
      Flights,
      Flights,
      Flights,
    ];
    const claims = await Promise.all([
      first.claim('request-a', 'job_1'),
      second.claim('request-a', 'job_2'),
      third.claim('request-a', 'job_3'),
    ]);
    const producers = claims.filter((claim) => claim.kind === 'producer');
    expect(producers).toHaveLength(1);
    const waiting = claims.filter((claim) => claim.kind === 'elsewhere');
    expect(waiting).toHaveLength(2);
    const producerJob = ['job_1', 'job_2', 'job_3'][claims.findIndex((claim) => claim.kind === 'producer')];
    for (const claim of waiting) expect(claim).toEqual({ kind: 'elsewhere', jobId: producerJob });

    const outcomes = Promise.all([second.awaitOutcome('request-a'), third.awaitOutcome('request-a')]);
    const producer = producers[0];
    if (producer?.kind !== 'producer') throw new Error('no producer');
    await producer.flight.finish({ summary: { imageIds: ['img_1'] } });
    expect(await outcomes).toEqual([{ summary: { imageIds: ['img_1'] } }, { summary: { imageIds: ['img_1'] } }]);
    // A claim right after the outcome was published is answered from it, not produced again.
    expect(await first.claim('request-a', 'job_4')).toEqual({ kind: 'done', outcome: { summary: { imageIds: ['img_1'] } } });
  });

  it('hands a failure to the waiters, and the next request tries again', async () => {
    const [first, second] = (await replicas(2)).map((replica) => replica.flights<{ imageIds: string[] }>()) as [Flights, Flights];
    const claim = await first.claim('request-b', 'job_1');
    if (claim.kind !== 'producer') throw new Error('expected to produce');
    const waited = second.awaitOutcome('request-b');
    await claim.flight.finish({ error: { code: 'content_policy', message: 'refused' } });
    expect(await waited).toEqual({ error: { code: 'content_policy', message: 'refused' } });
    expect((await second.claim('request-b', 'job_2')).kind).toBe('producer');
  });

  it('frees the request of a producer that died once its lease expires, so a waiter can produce it', async () => {
    const [dying, survivor] = (await replicas(2, 300)) as [Coordination, Coordination];
    const claim = await dying.flights().claim('request-c', 'job_1');
    expect(claim.kind).toBe('producer');
    // The dying replica stops renewing (its process is gone): closing the connection stops every renewal.
    await dying.close();
    expect(await survivor.flights().awaitOutcome('request-c')).toBeUndefined();
    expect((await survivor.flights().claim('request-c', 'job_2')).kind).toBe('producer');
    expect(await survivor.isAlive(dying.owner)).toBe(false);
    expect(await survivor.isAlive(survivor.owner)).toBe(true);
  });

  it('caps concurrent provider calls across replicas, and a dead replica gives its slots back', async () => {
    const [left, right, dying] = (await replicas(3, 300)) as [Coordination, Coordination, Coordination];
    const limits = { requestsPerMinute: 0, maxConcurrency: 2 };
    const gates = [left.providerGate('openai', limits), right.providerGate('openai', limits)] as const;
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, index) => {
        const release = await (index % 2 === 0 ? gates[0] : gates[1]).acquire();
        running += 1;
        most = Math.max(most, running);
        await delay(30);
        running -= 1;
        await release();
      }),
    );
    expect(most).toBe(2);

    await dying.providerGate('gemini', limits).acquire();
    await dying.providerGate('gemini', limits).acquire();
    await dying.close();
    const started = Date.now();
    const release = await left.providerGate('gemini', limits).acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await release();
  });

  it('spends one per-minute budget across replicas', async () => {
    const [left, right] = (await replicas(2)) as [Coordination, Coordination];
    const limits = { requestsPerMinute: 3, maxConcurrency: 5 };
    const gates = [left.providerGate('openai', limits), right.providerGate('openai', limits)] as const;
    for (const gate of [gates[0], gates[1], gates[0]]) await (await gate.acquire())();
    const controller = new AbortController();
    const fourth = gates[1].acquire(controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(fourth).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('counts one client allowance across replicas, and per process without Redis', async () => {
    const [left, right] = (await replicas(2)) as [Coordination, Coordination];
    const limiters = [left.clientRateLimiter(3, 60), right.clientRateLimiter(3, 60)] as const;
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push(await (index % 2 === 0 ? limiters[0] : limiters[1]).consume('token:abc'));
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, false]);
    expect(answers[3]?.msBeforeNext).toBeGreaterThan(0);
    expect((await limiters[0].consume('token:other')).allowed).toBe(true);

    const local = await createMemoryClientRateLimiter(1, 60);
    expect((await local.consume('__proto__')).allowed).toBe(true);
    expect((await local.consume('__proto__')).allowed).toBe(false);
  });
});
