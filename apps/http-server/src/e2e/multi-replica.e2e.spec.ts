/**
 * Three replicas of the BUILT `imagegen-mcp-http` (child processes) behind a round-robin "load balancer" (a fetch
 * that sends every request to the next replica), sharing one image store, one job store and ledger, one Redis (a key
 * prefix unique to the run) and one fake provider that counts the calls it gets. Identical prompts go to all three
 * replicas at once, a few hundred calls are spread over them, and one replica is killed while its calls are out.
 *
 * The shared services are real: an S3-compatible server (s3rver, started here) for the images, the loopback PostgreSQL
 * (a database created for this run and dropped after) for the index, the ledger and the jobs, the loopback Redis.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as PostgresClient } from 'pg';
import { createPostgresCostLedger, openPostgresDatabase } from '@imagegen/core';
import { createFakeOpenAIServer, startS3CompatibleServer, type FakeOpenAIServer, type S3CompatibleServer } from '@imagegen/testing';
import { startBuiltHttpServer, type BuiltHttpServer } from '../test-support/built-http-server';

const token = 'replicas-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${token}` };
const redisUrl = 'redis://127.0.0.1:6379/0';
const postgresUrl = (database: string) => `postgres://postgres@127.0.0.1:5432/${database}`;
/** Distinct prompts sent to every replica at once. */
const distinctPrompts = 8;
/** Provider calls in flight at once, for all replicas together. */
const maxConcurrency = 2;

interface Shared {
  folder: string;
  keyPrefix: string;
  database: string;
  env: Record<string, string>;
}

/** The settings every replica shares: the bucket, the database, Redis with a fresh prefix, the fake provider. */
function sharedSettings(fake: FakeOpenAIServer, bucket: S3CompatibleServer, database: string): Shared {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-replicas-'));
  const keyPrefix = `imagegen-replicas-test:${randomUUID()}:`;
  return {
    folder,
    keyPrefix,
    database,
    env: {
      STORAGE__BACKEND: 's3',
      STORAGE__S3__BUCKET: bucket.bucket,
      STORAGE__S3__ENDPOINT: bucket.endpoint,
      STORAGE__S3__FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: bucket.accessKeyId,
      AWS_SECRET_ACCESS_KEY: bucket.secretAccessKey,
      DATABASE__URL: postgresUrl(database),
      OPENAI_API_KEY: 'sk-replicas',
      PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
      PROVIDERS__OPENAI__MAX_CONCURRENCY: String(maxConcurrency),
      PROVIDERS__OPENAI__MAX_RETRIES: '0',
      SERVER__AUTH_TOKEN: token,
      SERVER__STATELESS: 'true',
      SERVER__RATE_LIMIT_RPM: '1000',
      SERVER__CLIENT_RATE_LIMIT_RPM: '100000',
      SERVER__RESPONSE_BYTE_BUDGET: '20000',
      SERVER__SHUTDOWN_GRACE_SECONDS: '0',
      STORAGE__BASE_PATH: folder,
      CACHE__BACKEND: 'redis',
      CACHE__REDIS_KEY_PREFIX: `${keyPrefix}cache:`,
      REDIS__URL: redisUrl,
      REDIS__KEY_PREFIX: keyPrefix,
      REDIS__LEASE_SECONDS: '3',
      IMAGES__DEFAULT_SIZE: '1024x640',
      IMAGES__DEFAULT_QUALITY: 'low',
      IMAGES__DEFAULT_OUTPUT_FORMAT: 'jpeg',
    },
  };
}

/** A fetch that sends each request to the next live replica, as a round-robin load balancer would. */
function roundRobin(replicas: () => BuiltHttpServer[]) {
  let next = 0;
  return (input: string | URL | Request, init?: RequestInit) => {
    const live = replicas();
    const target = live[next++ % live.length] as BuiltHttpServer;
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const routed = new URL(url.pathname + url.search, target.baseUrl);
    return fetch(routed, init);
  };
}

/** Runs `work` on a connection to the server's maintenance database (creating and dropping this run's database). */
async function postgresAdmin(work: (client: PostgresClient) => Promise<unknown>): Promise<void> {
  const client = new PostgresClient({ connectionString: postgresUrl('postgres') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

const structuredOf = <T>(result: unknown) => (result as CallToolResult).structuredContent as T;

describe('three replicas sharing one store, one Redis and one provider', () => {
  let fake: FakeOpenAIServer;
  let bucket: S3CompatibleServer;
  let shared: Shared;
  let replicas: BuiltHttpServer[] = [];
  let killed: BuiltHttpServer | undefined;
  const live = () => replicas.filter((replica) => replica !== killed);
  const clients: Array<{ close(): Promise<void> }> = [];

  const connect = async (baseUrl: string) => {
    const client = new Client({ name: 'replicas-e2e', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: auth } }));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    fake = await createFakeOpenAIServer({ latencyMs: 150 });
    bucket = await startS3CompatibleServer({ bucket: 'imagegen-replicas' });
    const database = `imagegen_replicas_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await postgresAdmin((client) => client.query(`CREATE DATABASE ${database}`));
    shared = sharedSettings(fake, bucket, database);
    const starting = await Promise.allSettled([0, 1, 2].map(() => startBuiltHttpServer(shared.env)));
    replicas = starting.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const failed = starting.find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await Promise.all(replicas.map((replica) => replica.dispose()));
    await fake?.close();
    await bucket?.close();
    if (shared) await postgresAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${shared.database} WITH (FORCE)`));
    const admin = new Redis(redisUrl);
    const keys = await admin.keys(`${shared.keyPrefix}*`);
    if (keys.length > 0) await admin.unlink(...keys);
    await admin.quit();
    fs.rmSync(shared.folder, { recursive: true, force: true });
  });

  let imageIds: string[] = [];

  it('makes one provider call per distinct request sent to all three replicas at once, within the global concurrency cap', async () => {
    const perReplica = await Promise.all(replicas.map((replica) => connect(replica.baseUrl)));
    const prompts = Array.from({ length: distinctPrompts }, (_, index) => `replica test prompt ${index}`);
    // Every prompt goes to all three replicas at the same moment.
    const answers = await Promise.all(
      prompts.flatMap((prompt) =>
        perReplica.map((client) => client.callTool({ name: 'generate_image', arguments: { prompt, wait_seconds: 60 } })),
      ),
    );
    for (const answer of answers) expect((answer as CallToolResult).isError).toBeFalsy();
    const answered = answers.map((answer) => structuredOf<{ image_id: string }>(answer).image_id);
    for (let index = 0; index < distinctPrompts; index += 1) expect(new Set(answered.slice(index * 3, index * 3 + 3)).size).toBe(1);
    imageIds = [...new Set(answered)];
    expect(imageIds).toHaveLength(distinctPrompts);
    expect(fake.requests.filter((request) => request.path === '/v1/images/generations')).toHaveLength(distinctPrompts);
    expect(fake.peakImageRequestsInFlight()).toBeLessThanOrEqual(maxConcurrency);
  });

  it('serves every image from every replica, counting one client allowance across them', async () => {
    const remaining: number[] = [];
    for (const imageId of imageIds) {
      for (const replica of replicas) {
        const response = await fetch(`${replica.baseUrl}/images/${imageId}`, { headers: auth });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('image/jpeg');
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
        remaining.push(Number(/remaining=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1]));
      }
    }
    // Each request, whichever replica took it, spent from the same allowance.
    expect(remaining.every((value, index) => index === 0 || value < (remaining[index - 1] as number))).toBe(true);
  });

  it('shows the same history on every replica to a client behind a round-robin load balancer', async () => {
    const balanced = new Client({ name: 'balanced', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await balanced.connect(
      new StreamableHTTPClientTransport(new URL(`${replicas[0]?.baseUrl}/mcp`), {
        requestInit: { headers: auth },
        fetch: roundRobin(live),
      }),
    );
    clients.push(balanced);
    const histories = new Set<string>();
    for (let index = 0; index < 90; index += 1) {
      const history = await balanced.callTool({ name: 'get_image_history', arguments: { limit: 100 } });
      histories.add(JSON.stringify(structuredOf<{ images: Array<{ image_id: string }> }>(history).images.map((image) => image.image_id)));
    }
    expect(histories.size).toBe(1);
    expect(JSON.parse([...histories][0] as string).sort()).toEqual([...imageIds].sort());
  });

  it('serves a 2025 client (initialize, then requests) from any replica: the replicas run stateless', async () => {
    const legacy = new LegacyClient({ name: 'legacy-balanced', version: '1.0.0' });
    await legacy.connect(
      new LegacyHttpTransport(new URL(`${replicas[0]?.baseUrl}/mcp`), { requestInit: { headers: auth }, fetch: roundRobin(live) }),
    );
    clients.push(legacy);
    for (let index = 0; index < 45; index += 1) {
      const stats = await legacy.callTool({ name: 'get_storage_stats', arguments: {} });
      expect(JSON.stringify(stats.structuredContent)).toContain(`"total_images":${distinctPrompts}`);
    }
  });

  it('reports the jobs of a killed replica as interrupted, makes their requests elsewhere, and the ledger counts every call', async () => {
    const [first, , doomed] = replicas as [BuiltHttpServer, BuiltHttpServer, BuiltHttpServer];
    const doomedClient = await connect(doomed.baseUrl);
    const before = fake.requests.length;
    fake.injectFault({ kind: 'delay', delayMs: 30_000, times: maxConcurrency });
    // As many as the global cap lets out at once, so every one of them is at the provider when the replica dies.
    const prompts = Array.from({ length: maxConcurrency }, (_, index) => `killed replica prompt ${index}`);
    const started = await Promise.all(
      prompts.map((prompt) => doomedClient.callTool({ name: 'generate_image', arguments: { prompt, wait_seconds: 0 } })),
    );
    const jobIds = started.map((answer) => structuredOf<{ job_id: string }>(answer).job_id);
    for (const jobId of jobIds) expect(jobId).toMatch(/^job_/);
    // The calls reach the provider (their answers are held back); then the replica dies.
    for (let waited = 0; fake.imageRequestsInFlight() < maxConcurrency && waited < 200; waited += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(fake.imageRequestsInFlight()).toBe(maxConcurrency);
    killed = doomed;
    expect(await doomed.stop('SIGKILL')).toBeNull();
    // A held-back answer the dead replica's calls did not get to is not meant for the calls that follow.
    fake.clearFaults();

    const survivor = await connect(first.baseUrl);
    for (const jobId of jobIds) {
      // The dead replica's presence lease (REDIS__LEASE_SECONDS) runs out within the wait.
      const report = await survivor.callTool({ name: 'get_generation', arguments: { job_id: jobId, wait_seconds: 8 } });
      const job = structuredOf<{ status: string; error?: { code: string; message: string } }>(report);
      expect(job.status).toBe('failed');
      expect(job.error?.code).toBe('interrupted');
      expect(job.error?.message).toContain('may have been billed');
    }

    // The same requests again on a live replica: made once each, now that the dead replica's hold on them expired.
    const again = await Promise.all(
      prompts.map((prompt) => survivor.callTool({ name: 'generate_image', arguments: { prompt, wait_seconds: 60 } })),
    );
    for (const answer of again) expect((answer as CallToolResult).isError).toBeFalsy();
    const calls = fake.requests.slice(before).filter((request) => request.path === '/v1/images/generations');
    expect(calls).toHaveLength(2 * prompts.length);
    expect(fake.peakImageRequestsInFlight()).toBeLessThanOrEqual(maxConcurrency);

    // The shared ledger counts every provider call: the dead replica's are reconciled as possibly billed.
    // A process silent for a second is taken as stopped here; the live replicas have no call running by now.
    const database = await openPostgresDatabase({ url: postgresUrl(shared.database), maxConnections: 1 });
    const ledger = await createPostgresCostLedger({ database, staleAfterMs: 1_000, heartbeatMs: 60_000 });
    const totals = ledger.totals();
    await ledger.close();
    await database.close();
    const providerCalls = fake.requests.filter((request) => request.path === '/v1/images/generations').length;
    expect(totals.calls).toBe(providerCalls);
    expect(totals.unknownOutcomeCalls).toBe(prompts.length);
  });
});
