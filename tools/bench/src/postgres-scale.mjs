#!/usr/bin/env node
// PostgreSQL at scale: history, stats and completion of the shared image index with 1,000,000 images, and the cost of
// a save's index insert and of a budget-checked reservation. Rows are generated inside PostgreSQL (generate_series,
// totals recounted once); queries go through the same catalog and ledger code the servers run (built libs/core).
// Usage: node tools/bench/src/postgres-scale.mjs [--rows 1000000] [--database-url postgres://…] [--out-dir DIR]
// Needs a PostgreSQL the user may create schemas in; everything is written to a schema of its own, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { argument, describe, loadBuiltLibrary, scenarioOptions, since, writeResult } from './lib/bench-kit.mjs';

const { outDir } = scenarioOptions();
const rows = Number(argument('--rows', '1000000'));
const databaseUrl = argument('--database-url', 'postgres://postgres@127.0.0.1:5432/test');
const repeats = 200;
const core = loadBuiltLibrary('core');
const schema = `imagegen_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
const dayMs = 86_400_000;

const database = await core.openPostgresDatabase({ url: databaseUrl, schema, maxConnections: 4 });

async function sample(work, count = repeats) {
  for (let warm = 0; warm < 5; warm += 1) await work(warm);
  const samples = [];
  for (let index = 0; index < count; index += 1) {
    const started = process.hrtime.bigint();
    await work(index);
    samples.push(since(started));
  }
  return describe(samples);
}

try {
  await core.migrateDatabase(database);
  const newest = new Date('2026-12-01T12:00:00Z');
  // One image every ~31.5 s over the year before `newest`; 10% belong to alice; one in five is a JPEG.
  const loadStarted = process.hrtime.bigint();
  await database.query('ALTER TABLE images DISABLE TRIGGER images_keep_totals');
  await database.query(
    `INSERT INTO images (id, created_at, image_bytes, sidecar_bytes, format, directory, prompt_excerpt, model, principal_id)
     SELECT 'img_' || to_char(at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS') || '_' || lpad(to_hex(n), 12, '0'),
            date_trunc('second', at), 1500000 + n % 500000, 900, CASE WHEN n % 5 = 0 THEN 'jpeg' ELSE 'png' END,
            to_char(at AT TIME ZONE 'UTC', 'YYYY/MM/DD'), 'benchmark image ' || n, 'gpt-image-2',
            CASE WHEN n % 10 = 0 THEN 'alice' ELSE 'local' END
       FROM generate_series(1, $1::int) AS n, LATERAL (SELECT $2::timestamptz - (n * (365 * 86400.0 / $1::int)) * interval '1 second' AS at) AS t`,
    [rows, newest.toISOString()],
  );
  await database.query('ALTER TABLE images ENABLE TRIGGER images_keep_totals');
  await database.query('SELECT images_recount()');
  await database.query('ANALYZE');
  const loadMs = since(loadStarted);
  process.stdout.write(`loaded ${rows} rows in ${(loadMs / 1000).toFixed(1)} s\n`);

  const catalog = core.createPostgresImageCatalog(database);
  const keyFor = (ms) => `img_${new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  // What ImageStore.history runs: one page and the total count of the window, in parallel.
  const history = (options) =>
    Promise.all([catalog.newestFirst({ limit: options.limit ?? 10, ...options }), catalog.countFrom(options.fromKey, options.principalId)]);
  const middle = (await catalog.newestFirst({ fromKey: 'img_', limit: 1, beforeId: keyFor(newest.getTime() - 180 * dayMs) })).entries[0].id;

  const figures = {
    historyFirstPage: await sample(() => history({ fromKey: 'img_' })),
    historyLast7Days: await sample(() => history({ fromKey: keyFor(newest.getTime() - 7 * dayMs) })),
    historyLast30DaysPage100: await sample(() => history({ fromKey: keyFor(newest.getTime() - 30 * dayMs), limit: 100 })),
    historyDeepCursor: await sample(() => history({ fromKey: 'img_', beforeId: middle })),
    historyOnePrincipal: await sample(() => history({ fromKey: keyFor(newest.getTime() - 30 * dayMs), principalId: 'alice' })),
    stats: await sample(() => Promise.all([catalog.totals(), catalog.lastCleanup()])),
    statsOnePrincipal: await sample(() => catalog.totals('alice')),
    completion: await sample(() => catalog.listIds('img_202606', 20)),
    lookUpById: await sample(() => catalog.get(middle)),
  };
  let next = 0;
  figures.indexInsertWithTotals = await sample(() =>
    catalog.add({
      id: `img_20261201130000_${(next += 1).toString(16).padStart(12, '0')}`,
      createdAtMs: Date.parse('2026-12-01T13:00:00Z'),
      imageBytes: 1_000_000,
      sidecarBytes: 900,
      format: 'png',
      directory: '2026/12/01',
      promptExcerpt: 'inserted',
      model: 'gpt-image-2',
    }),
  );
  const ledger = await core.createPostgresCostLedger({ database, budgets: { dailyUsd: 1e9 } });
  figures.budgetReservation = await sample(() =>
    ledger.startCall({ provider: 'openai', model: 'gpt-image-2', estimatedUsd: 0.04, maxUsd: 0.2 }),
  );
  await ledger.close();

  const file = writeResult(outDir, 'postgres-scale', {
    rows,
    loadSeconds: Math.round(loadMs / 100) / 10,
    target: 'history and stats p95 under 20 ms at 1,000,000 rows',
    milliseconds: figures,
  });
  for (const [name, figure] of Object.entries(figures))
    process.stdout.write(`${name.padEnd(28)} p50 ${figure.p50} ms  p95 ${figure.p95} ms\n`);
  process.stdout.write(`written to ${file}\n`);
} finally {
  await database.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
  await database.close();
}
