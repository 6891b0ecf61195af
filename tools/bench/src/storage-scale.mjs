#!/usr/bin/env node
// Storage at scale: how long opening the store, history and stats take with 1,000 / 10,000 / 100,000 stored images,
// and how long retention takes to remove 100,000 expired images. Images are small real files with valid sidecars,
// written straight into the storage layout (the store's own save path is measured elsewhere).
// Usage: node tools/bench/src/storage-scale.mjs [--sizes 1000,10000,100000] [--out FILE]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { createFileSystemImageStore } = createRequire(import.meta.url)(path.join(workspaceRoot, 'libs/storage/dist/index.js'));

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const sizes = argument('--sizes', '1000,10000,100000').split(',').map(Number);
const outFile = argument('--out', path.join(workspaceRoot, 'tools/bench/results/storage-scale.json'));
const repeats = 50;
const tinyPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

const pad = (value, width = 2) => String(value).padStart(width, '0');
function populate(folder, count, newest) {
  for (let index = 0; index < count; index += 1) {
    // Spread over the 60 days before `newest`, one image every few seconds.
    const created = new Date(newest.getTime() - Math.floor((index * 60 * 86_400_000) / count));
    const stamp = `${created.getUTCFullYear()}${pad(created.getUTCMonth() + 1)}${pad(created.getUTCDate())}${pad(created.getUTCHours())}${pad(created.getUTCMinutes())}${pad(created.getUTCSeconds())}`;
    const imageId = `img_${stamp}_${index.toString(16).padStart(12, '0')}`;
    const day = path.join(folder, 'images', String(created.getUTCFullYear()), pad(created.getUTCMonth() + 1), pad(created.getUTCDate()));
    fs.mkdirSync(day, { recursive: true });
    fs.writeFileSync(path.join(day, `${imageId}.png`), tinyPng);
    const metadata = {
      schema_version: 1,
      image_id: imageId,
      task_id: null,
      created_at: new Date(`${created.toISOString().slice(0, 19)}Z`).toISOString(),
      prompt: `benchmark image ${index}`,
      provider: 'openai',
      model_requested: 'gpt-image-2',
      model_used: 'gpt-image-2',
      parameters: { model: 'gpt-image-2', size: '1024x1024' },
      file_info: {
        filename: `${imageId}.png`,
        size_bytes: tinyPng.length,
        format: 'png',
        mime_type: 'image/png',
        width: 1,
        height: 1,
        dimensions: '1x1',
      },
      cost_info: { estimated_cost: null, actual_cost_usd: null, tokens_used: null },
      warnings: [],
      request_hash: null,
      source_image_ids: [],
      provenance: { c2pa_present: false, c2pa_removed: false },
      extra: {},
    };
    fs.writeFileSync(path.join(day, `${imageId}.json`), JSON.stringify(metadata));
  }
}

async function timed(work) {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function summarize(samples) {
  const sorted = [...samples].sort((left, right) => left - right);
  const at = (fraction) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
  return { p50: +at(0.5).toFixed(2), p95: +at(0.95).toFixed(2), p99: +at(0.99).toFixed(2), max: +sorted.at(-1).toFixed(2) };
}

async function sample(work) {
  const samples = [];
  for (let index = 0; index < repeats; index += 1) samples.push((await timed(work)).ms);
  return summarize(samples);
}

const results = [];
const newest = new Date();
for (const count of sizes) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `imagegen-bench-${count}-`));
  try {
    populate(folder, count, newest);
    const rebuild = await timed(() => createFileSystemImageStore({ basePath: folder, minFreeBytes: 0 }));
    await rebuild.value.close();
    const open = await timed(() => createFileSystemImageStore({ basePath: folder, minFreeBytes: 0 }));
    const store = open.value;
    const historyFirstPage = await sample(() => store.history({ limit: 10 }));
    const historyWeek = await sample(() => store.history({ days: 7, limit: 100 }));
    const stats = await sample(() => store.stats());
    await store.close();
    const row = {
      images: count,
      rebuildIndexMs: +rebuild.ms.toFixed(1),
      openMs: +open.ms.toFixed(1),
      historyFirstPage,
      historyWeek,
      stats,
    };
    if (count === Math.max(...sizes)) {
      const later = new Date(newest.getTime() + 365 * 86_400_000);
      const expiring = await createFileSystemImageStore({ basePath: folder, minFreeBytes: 0, clock: { now: () => later } });
      const cleanup = await timed(() => expiring.cleanup({ retentionDays: 30 }));
      row.cleanupAllExpired = { removedImages: cleanup.value.removedImages.length, ms: +cleanup.ms.toFixed(1) };
      await expiring.close();
    }
    results.push(row);
    console.log(JSON.stringify(row));
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

const report = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${os.platform()}`,
  repeats,
  results,
};
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written to ${path.relative(workspaceRoot, outFile)}`);
