#!/usr/bin/env node
// Replicas — throughput per replica: 1 and then 3 BUILT http servers sharing one S3-compatible bucket (s3rver, started
// here), one PostgreSQL database (created for the run, dropped after) and one Redis (a fresh key prefix), stateless,
// driven by lean JSON-RPC clients spread over the replicas (client i talks to replica i mod N), each looping for a fixed
// time. Two operations: fresh generations (every call a new prompt, so every call reaches the fake provider and stores
// an image) and cache hits (one identical request). Everything runs on this one machine, clients included.
// Usage: node tools/bench/src/replicas.mjs [--quick] [--out-dir DIR] [--database-url postgres://…/postgres] [--redis-url redis://…]
import { randomUUID } from 'node:crypto';
import {
  appEnvironment,
  argument,
  benchImage,
  describe,
  freePort,
  freshPrompt,
  httpServerBinary,
  loadBuiltLibrary,
  makeTempFolder,
  removeTempFolder,
  requireBuiltApp,
  runForDuration,
  runScenario,
  scenarioOptions,
  spawnHttpServer,
  startFakeProvider,
  writeResult,
} from './lib/bench-kit.mjs';
import { connectRawClient, createAgent } from './lib/raw-http-client.mjs';

const { quick, outDir } = scenarioOptions();
const durationMs = quick ? 1000 : 4000;
const clientCount = 8;
const replicaCounts = [1, 3];
const adminUrl = argument('--database-url', 'postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = argument('--redis-url', 'redis://127.0.0.1:6379/0');

async function withPostgres(work) {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function removeRedisKeys(prefix) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
}

async function expectSuccess(result, label) {
  if (result.isError) throw new Error(`${label} failed: ${JSON.stringify(result.content).slice(0, 500)}`);
  return result;
}

runScenario('replicas', async () => {
  requireBuiltApp(httpServerBinary, 'http-server');
  const { startS3CompatibleServer } = loadBuiltLibrary('testing');
  const provider = await startFakeProvider();
  const bucket = await startS3CompatibleServer({ bucket: 'imagegen-bench' });
  const results = {};
  try {
    for (const replicaCount of replicaCounts) {
      const database = `imagegen_bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const keyPrefix = `imagegen-bench:${randomUUID()}:`;
      await withPostgres((client) => client.query(`CREATE DATABASE ${database}`));
      const storage = makeTempFolder(`replicas-${replicaCount}`);
      const servers = [];
      const agent = createAgent();
      const clients = [];
      try {
        for (let index = 0; index < replicaCount; index += 1) {
          const port = await freePort();
          servers.push(
            await spawnHttpServer({
              binary: httpServerBinary,
              args: ['--port', String(port), '--stateless'],
              port,
              env: appEnvironment(provider.fake.url, storage, {
                STORAGE__BACKEND: 's3',
                STORAGE__S3__BUCKET: bucket.bucket,
                STORAGE__S3__ENDPOINT: bucket.endpoint,
                STORAGE__S3__FORCE_PATH_STYLE: 'true',
                AWS_ACCESS_KEY_ID: bucket.accessKeyId,
                AWS_SECRET_ACCESS_KEY: bucket.secretAccessKey,
                DATABASE__URL: adminUrl.replace(/\/[^/]*$/, `/${database}`),
                REDIS__URL: redisUrl,
                REDIS__KEY_PREFIX: keyPrefix,
                CACHE__BACKEND: 'redis',
                CACHE__REDIS_KEY_PREFIX: `${keyPrefix}cache:`,
                SERVER__LOG_LEVEL: 'warn',
              }),
            }),
          );
        }
        for (let index = 0; index < clientCount; index += 1) {
          const server = servers[index % servers.length];
          if (!server) throw new Error('no replica started');
          clients.push(await connectRawClient(agent, `${server.url}/mcp`, `imagegen-bench-replicas-${index}`));
        }
        const cached = { prompt: freshPrompt('replicas-cached'), size: benchImage.size, quality: benchImage.quality };
        const [firstClient] = clients;
        if (!firstClient) throw new Error('no client connected');
        await expectSuccess(await firstClient.callTool('generate_image', cached), 'generate_image');
        // Warm-up: every client makes one fresh image and one cache hit.
        await Promise.all(
          clients.map(async (client) => {
            await expectSuccess(
              await client.callTool('generate_image', { ...cached, prompt: freshPrompt('replicas-warm') }),
              'generate_image',
            );
            await expectSuccess(await client.callTool('generate_image', cached), 'generate_image');
          }),
        );
        const operations = {
          'generate_image (fresh, provider call)': (client) =>
            client
              .callTool('generate_image', { ...cached, prompt: freshPrompt(`replicas-${replicaCount}`) })
              .then((result) => expectSuccess(result, 'generate_image')),
          'generate_image (cache hit)': (client) =>
            client.callTool('generate_image', cached).then((result) => expectSuccess(result, 'generate_image')),
        };
        results[replicaCount] = {};
        for (const [name, operation] of Object.entries(operations)) {
          const run = await runForDuration(durationMs, clients, operation);
          const requestsPerSecond = Math.round(run.requestsPerSecond * 10) / 10;
          results[replicaCount][name] = {
            requestsPerSecond,
            perReplicaRequestsPerSecond: Math.round((run.requestsPerSecond / replicaCount) * 10) / 10,
            latencyMs: describe(run.latencies),
          };
          console.log(
            `${replicaCount} replica(s), ${name}, ${clientCount} clients: ${requestsPerSecond} req/s (${results[replicaCount][name].perReplicaRequestsPerSecond} per replica), p50 ${results[replicaCount][name].latencyMs.p50} ms`,
          );
        }
      } finally {
        for (const client of clients) await client.close().catch(() => undefined);
        agent.destroy();
        for (const server of servers) await server.stop();
        removeTempFolder(storage);
        await withPostgres((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
        await removeRedisKeys(keyPrefix).catch(() => undefined);
      }
    }
    const file = writeResult(outDir, 'replicas', {
      quick,
      description:
        'Throughput of 1 and 3 built http servers (stateless) sharing an s3rver bucket, one PostgreSQL database and one Redis; lean JSON-RPC clients spread over the replicas; fresh generations (each a fake-provider call and a stored image) and cache hits',
      setup: {
        image: `${benchImage.size} PNG, ${provider.imageBytes.min}–${provider.imageBytes.max} bytes`,
        durationMs,
        clients: clientCount,
        replicaCounts,
        runsOn: 'one machine: replicas, s3rver, PostgreSQL, Redis, the fake provider and the clients share its cores',
      },
      summary: results,
    });
    console.log(`written to ${file}`);
  } finally {
    await bucket.close();
    await provider.close();
  }
});
