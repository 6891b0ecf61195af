import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@imagegen/config';
import { createFakeOpenAIServer, startS3CompatibleServer, type FakeOpenAIServer, type S3CompatibleServer } from '@imagegen/testing';
import { dropTestSchema, testDatabaseUrl, uniqueSchemaName } from '../postgres/test-support/test-database';
import { createImageEngineFromConfig } from './engine-from-config';

const schema = uniqueSchemaName('engine');
let folder: string;
let fake: FakeOpenAIServer;
let bucket: S3CompatibleServer;
const savedCredentials = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-backends-'));
  [fake, bucket] = await Promise.all([createFakeOpenAIServer(), startS3CompatibleServer()]);
  // The store takes credentials from the AWS SDK's default chain, as in production.
  process.env['AWS_ACCESS_KEY_ID'] = bucket.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = bucket.secretAccessKey;
});
afterAll(async () => {
  for (const [name, value] of [
    ['AWS_ACCESS_KEY_ID', savedCredentials.id],
    ['AWS_SECRET_ACCESS_KEY', savedCredentials.secret],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all([fake.close(), bucket.close(), dropTestSchema(schema), ...extraSchemas.map((name) => dropTestSchema(name))]);
  fs.rmSync(folder, { recursive: true, force: true });
});

/** Settings of engines sharing the test bucket and a schema of the test database (created here). */
async function sharedSettings(label: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const name = `${schema}_${label}`;
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.end();
  extraSchemas.push(name);
  return {
    STORAGE__BACKEND: 's3',
    STORAGE__S3__BUCKET: bucket.bucket,
    STORAGE__S3__PREFIX: `${name}/`,
    STORAGE__S3__ENDPOINT: bucket.endpoint,
    STORAGE__S3__FORCE_PATH_STYLE: 'true',
    DATABASE__URL: `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${name}`)}`,
    ...extra,
  };
}
const extraSchemas: string[] = [];

function configFor(env: Record<string, string>) {
  return loadConfig({
    env: { STORAGE__BASE_PATH: folder, OPENAI_API_KEY: 'sk-backends', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, ...env },
    cwd: folder,
    homeDirectory: folder,
    platform: 'linux',
  }).config;
}

describe('backends chosen by the configuration', () => {
  it('with no settings keeps images in the folder and the ledger and jobs in files beside them', async () => {
    const engine = await createImageEngineFromConfig(configFor({}), { scheduleRetention: false });
    try {
      const result = await engine.generate({ prompt: 'a local image' });
      expect(result.images[0]?.filePath?.startsWith(folder)).toBe(true);
    } finally {
      await engine.close();
    }
    expect(fs.existsSync(path.join(folder, 'cost-ledger.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(folder, 'generation-jobs.jsonl'))).toBe(true);
  });

  it('with a bucket and a database, two engines share images, history, jobs and spend', async () => {
    const env = await sharedSettings('shared', { COST__DAILY_BUDGET_USD: '50' });

    const [first, second] = await Promise.all([
      createImageEngineFromConfig(configFor(env), { scheduleRetention: false }),
      createImageEngineFromConfig(configFor(env), { scheduleRetention: false }),
    ]);
    try {
      const generated = await first.startGenerate({ prompt: 'a shared image' });
      const result = await generated.result;
      const imageId = result.images[0]?.imageId ?? '';
      expect(result.images[0]?.filePath).toBeUndefined();

      const read = await second.getImage(imageId);
      expect(Buffer.from(read.bytes).equals((await result.images[0]?.readData()) ?? Buffer.alloc(0))).toBe(true);
      const streamed = await second.openImageStream(imageId);
      const chunks: Buffer[] = [];
      for await (const chunk of streamed.stream) chunks.push(Buffer.from(chunk as Uint8Array));
      expect(Buffer.concat(chunks).equals(Buffer.from(read.bytes))).toBe(true);
      expect(await second.history()).toEqual(await first.history());
      expect(await second.getJob(generated.jobId ?? '')).toMatchObject({ status: 'completed' });
      const third = await createImageEngineFromConfig(configFor(env), { scheduleRetention: false });
      try {
        expect(third.costReport()).toMatchObject({ calls: 1, budgets: { dailyUsd: 50 } });
      } finally {
        await third.close();
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('with a bucket and a database, each user sees only their own images and the per-user caps an administrator sets', async () => {
    const env = await sharedSettings('users', { COST__PRINCIPAL_DAILY_BUDGET_USD: '5', CACHE__ENABLED: 'false' });
    const [first, second] = await Promise.all([
      createImageEngineFromConfig(configFor(env), { scheduleRetention: false }),
      createImageEngineFromConfig(configFor(env), { scheduleRetention: false }),
    ]);
    try {
      const alice = first.forPrincipal({ principalId: 'alice' });
      const bob = second.forPrincipal({ principalId: 'bob' });
      const imageId = (await alice.generate({ prompt: "alice's image" })).images[0]?.imageId ?? '';

      await expect(bob.getImage(imageId)).rejects.toMatchObject({ code: 'not_found' });
      await expect(bob.openImageStream(imageId)).rejects.toMatchObject({ code: 'not_found' });
      expect((await bob.history()).images).toEqual([]);
      expect((await second.forPrincipal({ principalId: 'alice' }).history()).images.map((image) => image.imageId)).toEqual([imageId]);
      expect(second.forPrincipal({ principalId: 'alice' }).costReport()).toMatchObject({ principalId: 'alice', budgets: { dailyUsd: 5 } });

      await first.setPrincipalBudget('bob', { dailyUsd: 0 });
      // Another replica reads the change from the database (here at start; running ones re-read it every few seconds).
      const third = await createImageEngineFromConfig(configFor(env), { scheduleRetention: false });
      try {
        expect(third.principalBudget('bob')).toEqual({ dailyUsd: 0 });
        await expect(third.forPrincipal({ principalId: 'bob' }).generate({ prompt: "bob's image" })).rejects.toMatchObject({
          code: 'budget_exceeded',
          details: expect.objectContaining({ scope: 'principal' }),
        });
      } finally {
        await third.close();
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    expect(fs.existsSync(path.join(folder, 'principal-budgets.jsonl'))).toBe(false);
  });

  it('two engines sharing one database never spend past the daily cap together, and record every provider call', async () => {
    const probe = await createImageEngineFromConfig(configFor({}), { scheduleRetention: false });
    const estimate = probe.estimateCost({ prompt: 'probe', quality: 'low', size: '1024x1024' }) ?? 0;
    await probe.close();
    expect(estimate).toBeGreaterThan(0);
    const cap = estimate * 3.5;
    const env = await sharedSettings('budget', { COST__DAILY_BUDGET_USD: String(cap), CACHE__ENABLED: 'false' });
    const engines = await Promise.all([1, 2].map(() => createImageEngineFromConfig(configFor(env), { scheduleRetention: false })));
    const before = fake.requests.filter((request) => request.path.includes('/images/generations')).length;
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 16 }, (_, index) =>
          (engines[index % 2] as (typeof engines)[number]).generate({ prompt: `budget test ${index}`, quality: 'low', size: '1024x1024' }),
        ),
      );

      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((outcome) => (outcome as PromiseRejectedResult).reason?.code === 'budget_exceeded')).toBe(true);
      const providerCalls = fake.requests.filter((request) => request.path.includes('/images/generations')).length - before;
      expect(providerCalls).toBe(outcomes.length - refused.length);
      const { Client } = await import('pg');
      const reader = new Client({ connectionString: env['DATABASE__URL'] });
      await reader.connect();
      const rows = (
        await reader.query<{ calls: number; spent: number }>(
          "SELECT count(*)::int AS calls, coalesce(sum(usd), 0)::float8 AS spent FROM cost_calls WHERE outcome = 'billed'",
        )
      ).rows;
      await reader.end();
      expect(rows[0]?.calls).toBe(providerCalls);
      expect(rows[0]?.spent).toBeLessThanOrEqual(cap);
    } finally {
      await Promise.all(engines.map((engine) => engine.close()));
    }
  });
});
