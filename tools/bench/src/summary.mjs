#!/usr/bin/env node
// Builds summary.md from the scenario result files in a results folder: the machine, the targets with pass/fail,
// and one table per scenario (medians over rounds with their min–max spread, and ratios against the baseline measured
// in the same run). Targets are reported, never enforced.
// Usage: node tools/bench/src/summary.mjs [--out-dir DIR]   (run-all.mjs calls it after the scenarios)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argument, defaultResultsFolder, machineDescription, workspaceRoot } from './lib/bench-kit.mjs';

export const scenarioNames = ['overhead', 'cache-hit', 'storage-scale', 'startup', 'memory', 'http'];

const MiB_TO_MB = 1.048576;

function readResult(folder, name) {
  const file = path.join(folder, `${name}.json`);
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * @param {unknown} value
 * @returns {value is number}
 */
const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
const fmt = (value, digits = 1) =>
  isNumber(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
const ms = (value) => (isNumber(value) ? `${fmt(value, value < 10 ? 2 : 1)} ms` : '–');
const times = (value) => (isNumber(value) ? `${fmt(value, 2)}×` : '–');

/** "median (min–max)" of an acrossRounds figure; a single round shows just the value. */
function spread(figure, unit = ms) {
  if (!figure || !isNumber(figure.median)) return '–';
  if (figure.rounds?.length > 1 && isNumber(figure.min) && isNumber(figure.max))
    return `${unit(figure.median)} (${unit(figure.min).replace(/ ms|×| MiB/g, '')}–${unit(figure.max)})`;
  return unit(figure.median);
}
const mib = (value) => (isNumber(value) ? `${fmt(value, 0)} MiB` : '–');
const perSecond = (value) => (isNumber(value) ? `${fmt(value, 1)}/s` : '–');

function status(passed) {
  if (passed === undefined || passed === null) return 'n/a';
  return passed ? 'pass' : '**FAIL**';
}

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join(
    '\n',
  );
}

function targetsSection(results) {
  const rows = [];
  const overhead = results.overhead?.summary;
  const sequential = overhead?.['1'];
  const eight = overhead?.['8'];
  const check = (label, goal, cell, pick, show, pass) => {
    const value = cell ? pick(cell) : undefined;
    rows.push([label, goal, isNumber(value) ? show(value) : '–', status(isNumber(value) ? pass(value) : undefined)]);
  };
  check(
    'Overhead p50 above the floor, sequential, default result',
    '≤ +30 ms',
    sequential,
    (c) => c.extraP50Ms.median,
    (v) => `+${ms(v)}`,
    (v) => v <= 30,
  );
  check(
    'Throughput at 8 in flight, default result',
    '≥ 0.6× floor',
    eight,
    (c) => c.throughputRatio?.median,
    (v) => times(v),
    (v) => v >= 0.6,
  );
  check(
    'Overhead p50, sequential, SERVER__INLINE_PREVIEW=false',
    '≤ 1.2× floor',
    sequential,
    (c) => c.noPreviewRatioP50?.median,
    (v) => times(v),
    (v) => v <= 1.2,
  );
  check(
    'Throughput at 8 in flight, SERVER__INLINE_PREVIEW=false',
    '≥ 0.9× floor',
    eight,
    (c) => c.noPreviewThroughputRatio?.median,
    (v) => times(v),
    (v) => v >= 0.9,
  );
  const cache = results['cache-hit']?.summary;
  rows.push(['Cache hit p99', '< 10 ms', cache ? ms(cache.hitP99Ms.median) : '–', status(cache ? cache.hitP99Ms.median < 10 : undefined)]);

  const storageRows = results['storage-scale']?.results ?? [];
  const at100k = storageRows.find((row) => row.images === 100_000);
  const largest = storageRows.at(-1);
  const queryP99 = (row) => Math.max(row.historyFirstPage.p99, row.historyWeek.p99, row.stats.p99);
  if (at100k) {
    rows.push(['History/stats at 100k images (worst p99)', '< 20 ms', ms(queryP99(at100k)), status(queryP99(at100k) < 20)]);
    rows.push(['Open the store at 100k images', '< 1 s', ms(at100k.openMs), status(at100k.openMs < 1000)]);
  } else {
    const note = largest
      ? ` (only ${largest.images.toLocaleString('en-US')} images this run: ${ms(queryP99(largest))} / ${ms(largest.openMs)})`
      : '';
    rows.push([`History/stats at 100k images (worst p99)${note}`, '< 20 ms', '–', 'n/a']);
    rows.push(['Open the store at 100k images', '< 1 s', '–', 'n/a']);
  }
  const startup = results.startup?.summary;
  rows.push([
    'Start-up to initialize (p50)',
    '< 200 ms',
    startup ? ms(startup.initializeP50Ms.median) : '–',
    status(startup ? startup.initializeP50Ms.median < 200 : undefined),
  ]);
  rows.push([
    'Start-up to initialize against a minimal server on the same SDK (p50)',
    '≤ 1.2×',
    startup ? times(startup.ratioInitializeP50.median) : '–',
    status(startup ? startup.ratioInitializeP50.median <= 1.2 : undefined),
  ]);
  const memory = results.memory?.summary;
  const peakMB = memory && isNumber(memory.peakRssMiB.median) ? memory.peakRssMiB.median * MiB_TO_MB : undefined;
  rows.push([
    'Peak RSS, 32 concurrent 1536x1024 generations',
    '< 350 MB',
    isNumber(peakMB) ? `${fmt(peakMB, 0)} MB` : '–',
    status(isNumber(peakMB) ? peakMB < 350 : undefined),
  ]);
  const fewArenasMB = memory && isNumber(memory.fewArenasPeakRssMiB?.median) ? memory.fewArenasPeakRssMiB.median * MiB_TO_MB : undefined;
  rows.push([
    `Peak RSS, 32 concurrent, started with MALLOC_ARENA_MAX=${memory?.fewArenas ?? 2} (README, container image)`,
    '< 350 MB',
    isNumber(fewArenasMB) ? `${fmt(fewArenasMB, 0)} MB` : '–',
    status(isNumber(fewArenasMB) ? fewArenasMB < 350 : undefined),
  ]);
  const generations = memory?.leakGenerations;
  rows.push([
    `RSS growth after ${isNumber(generations) ? generations.toLocaleString('en-US') : '1,000'} generations${generations && generations < 1000 ? ' (quick: fewer than 1,000)' : ''}`,
    '≤ 10 %',
    memory && isNumber(memory.growthPct) ? `${fmt(memory.growthPct, 1)} %` : '–',
    status(memory && isNumber(memory.growthPct) ? memory.growthPct <= 10 : undefined),
  ]);
  return `## Targets\n\nReported, not enforced: a miss never fails the run.\n\n${table(['target', 'goal', 'measured (median over rounds)', 'status'], rows)}`;
}

function overheadSection(result) {
  if (!result) return '## 1. Overhead per generation\n\nNo result.';
  const rows = Object.entries(result.summary).map(([inFlight, cell]) => [
    inFlight === '1' ? '1 (sequential)' : inFlight,
    spread(cell.serverP50Ms),
    spread(cell.serverP95Ms),
    spread(cell.baselineP50Ms),
    spread(cell.baselineP95Ms),
    spread(cell.ratioP50, times),
    spread(cell.ratioP95, times),
    `+${ms(cell.extraP50Ms.median)}`,
    `${perSecond(cell.serverThroughputPerSecond.median)} vs ${perSecond(cell.baselineThroughputPerSecond.median)}`,
  ]);
  return [
    '## 1. Overhead per generation',
    '',
    `\`generate_image\` through the built stdio server (spawned; SDK Client over stdio), end to end, against a baseline program that calls the same fake provider with the \`openai\` SDK (\`images.generate\`, b64_json) and writes the file. Fresh prompt per call; ${result.setup.image}; the fake answers without delay, so the difference is the server's own work. ${result.setup.rounds} round(s), each measuring both sides; ${result.setup.serverSettings}.`,
    '',
    table(
      [
        'calls in flight',
        'server p50',
        'server p95',
        'baseline p50',
        'baseline p95',
        'ratio p50',
        'ratio p95',
        'extra p50',
        'throughput server vs baseline',
      ],
      rows,
    ),
    ...noPreviewTable(result),
  ].join('\n');
}

/** The same server with SERVER__INLINE_PREVIEW=false, measured in the same rounds (absent in older result files). */
function noPreviewTable(result) {
  const cells = Object.entries(result.summary).filter(([, cell]) => cell.noPreviewP50Ms);
  if (cells.length === 0) return [];
  const rows = cells.map(([inFlight, cell]) => [
    inFlight === '1' ? '1 (sequential)' : inFlight,
    spread(cell.noPreviewP50Ms),
    spread(cell.noPreviewP95Ms),
    spread(cell.baselineP50Ms),
    spread(cell.noPreviewRatioP50, times),
    `+${ms(cell.noPreviewExtraP50Ms.median)}`,
    `${perSecond(cell.noPreviewThroughputPerSecond.median)} vs ${perSecond(cell.baselineThroughputPerSecond.median)}`,
    spread(cell.noPreviewThroughputRatio, times),
    spread(cell.throughputRatio, times),
  ]);
  return [
    '',
    'With `SERVER__INLINE_PREVIEW=false` (text, resource link and structured content; no preview is made), same rounds:',
    '',
    table(
      [
        'calls in flight',
        'server p50',
        'server p95',
        'baseline p50',
        'ratio p50',
        'extra p50',
        'throughput vs baseline',
        'throughput ratio',
        'default result: throughput ratio',
      ],
      rows,
    ),
  ];
}

function cacheSection(result) {
  if (!result) return '## 2. Cache hit\n\nNo result.';
  const s = result.summary;
  return [
    '## 2. Cache hit',
    '',
    `A repeated identical \`generate_image\` through the built stdio server (memory cache), ${result.setup.callsPerRound} calls per round, ${result.setup.rounds} round(s). The result (${fmt(result.setup.toolResultBytes / 1024, 0)} KB of JSON) carries an inline preview made within the byte budget. Baseline: MCP \`ping\` on the same connection, interleaved.`,
    '',
    table(
      ['', 'p50', 'p99'],
      [
        ['cache hit', spread(s.hitP50Ms), spread(s.hitP99Ms)],
        ['ping (baseline)', spread(s.pingP50Ms), spread(s.pingP99Ms)],
        ['ratio', spread(s.ratioP50, times), spread(s.ratioP99, times)],
      ],
    ),
  ].join('\n');
}

function storageSection(result, reused) {
  if (!result) return '## 3. Storage at scale\n\nNo result.';
  const first = result.results[0];
  const pq = (figure) => `${ms(figure.p50)} / ${ms(figure.p99)}`;
  const rows = result.results.map((row) => [
    row.images.toLocaleString('en-US'),
    ms(row.rebuildIndexMs),
    ms(row.openMs),
    pq(row.historyFirstPage),
    pq(row.historyWeek),
    pq(row.stats),
    row.cleanupAllExpired
      ? `${ms(row.cleanupAllExpired.ms)} (${row.cleanupAllExpired.removedImages.toLocaleString('en-US')} removed)`
      : '–',
    row === first
      ? '1.00× (baseline)'
      : `${times(row.openMs / first.openMs)} open, ${times(row.historyFirstPage.p50 / first.historyFirstPage.p50)} history p50`,
  ]);
  return [
    '## 3. Storage at scale',
    '',
    `\`tools/bench/src/storage-scale.mjs\`: the store opened over N stored images (real files with sidecars), ${result.repeats} repeats per query; retention removing every image of the largest size. Ratio: against 1,000 images in the same run (how it scales).${reused ? ` Results from an earlier run (${result.date}; ${result.machine}), not re-measured in this one.` : ''}`,
    '',
    table(
      [
        'images',
        'rebuild index',
        'open (index present)',
        'history first page p50 / p99',
        'history 7 days p50 / p99',
        'stats p50 / p99',
        'cleanup all expired',
        'vs 1,000',
      ],
      rows,
    ),
  ].join('\n');
}

function startupSection(result) {
  if (!result) return '## 4. Start-up\n\nNo result.';
  const s = result.summary;
  return [
    '## 4. Start-up',
    '',
    `Spawn of the built stdio server to a completed \`initialize\` (the SDK Client's connect) and to a completed first \`tools/list\`; ${result.setup.spawnsPerRound} spawns per round, ${result.setup.rounds} round(s). Baseline: a minimal MCP server on the same SDK with one tool, spawned the same way, interleaved.`,
    '',
    table(
      ['', 'imagegen-mcp p50', 'minimal server p50', 'ratio'],
      [
        ['to initialize', spread(s.initializeP50Ms), spread(s.baselineInitializeP50Ms), spread(s.ratioInitializeP50, times)],
        ['to tools/list', spread(s.toolsListP50Ms), spread(s.baselineToolsListP50Ms), spread(s.ratioToolsListP50, times)],
      ],
    ),
    ...(s.withoutCompileCacheInitializeP50Ms
      ? [
          '',
          `Node's module compile cache (on by default, in the user's cache folder): to initialize p50 ${spread(s.initializeP50Ms)} warm vs ${spread(s.withoutCompileCacheInitializeP50Ms)} with \`NODE_DISABLE_COMPILE_CACHE=1\` (saving ${spread(s.compileCacheSavingInitializeP50Ms)}); to tools/list ${spread(s.toolsListP50Ms)} vs ${spread(s.withoutCompileCacheToolsListP50Ms)}.${result.node ? ` Node ${result.node}.` : ''}`,
        ]
      : []),
    '',
    `p95 to initialize: ${spread(s.initializeP95Ms)}; to tools/list: ${spread(s.toolsListP95Ms)}.`,
  ].join('\n');
}

function memorySection(result) {
  if (!result) return '## 5. Memory\n\nNo result.';
  const s = result.summary;
  const trace = result.leak.server.trace.map((point) => `${point.generations}: ${fmt(point.rssMiB, 0)}`).join(', ');
  return [
    '## 5. Memory',
    '',
    `RSS of the built stdio server from \`/proc/PID/status\`. Peak: VmHWM of a fresh server (after ${result.setup.burstWarmUp} warm-up generations) while ${result.setup.burstSize} generations of 1536x1024 images run at once, ${result.setup.burstRounds} round(s); VmRSS was also sampled every 5 ms. Leak check: settled RSS after ${result.setup.leakWarmUp} warm-up generations vs after ${result.setup.leakGenerations.toLocaleString('en-US')} more, sequential. Baseline: the openai-SDK program doing the same work.`,
    '',
    table(
      ['', 'imagegen-mcp', 'baseline program', 'ratio'],
      [
        [
          `peak RSS (VmHWM), ${result.setup.burstSize} concurrent`,
          spread(s.peakRssMiB, mib),
          spread(s.baselinePeakRssMiB, mib),
          spread(s.ratioPeak, times),
        ],
        ...(s.fewArenasPeakRssMiB
          ? [[`peak RSS, started with MALLOC_ARENA_MAX=${s.fewArenas}`, spread(s.fewArenasPeakRssMiB, mib), '–', '–']]
          : []),
        ['largest sampled VmRSS during the burst', spread(s.sampledMaxRssMiB, mib), '–', '–'],
        [`time for the ${result.setup.burstSize} generations`, spread(s.burstMs), spread(s.baselineBurstMs), '–'],
        ['RSS after warm-up', mib(s.rssAfterWarmUpMiB), mib(result.leak.baseline?.rssAfterWarmUpMiB), '–'],
        [
          `RSS after ${s.leakGenerations.toLocaleString('en-US')} generations`,
          mib(s.rssAfterRunMiB),
          mib(result.leak.baseline?.rssAfterRunMiB),
          '–',
        ],
        ['growth', `${fmt(s.growthPct, 1)} %`, isNumber(s.baselineGrowthPct) ? `${fmt(s.baselineGrowthPct, 1)} %` : '–', '–'],
      ],
    ),
    '',
    `RSS (MiB) along the leak check, by generations done: ${trace}.${trendNote(result.leak.server.trace)}`,
  ].join('\n');
}

/** RSS saw-tooths with garbage collection; the median of the last points against the first is a steadier trend. */
function trendNote(trace) {
  const points = trace.map((point) => point.rssMiB).filter(isNumber);
  if (points.length < 6) return '';
  const take = Math.min(5, Math.floor(points.length / 2));
  const middle = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];
  const first = middle(points.slice(0, take));
  const last = middle(points.slice(-take));
  return ` RSS swings with garbage collection, so one reading before and one after are noisy: the median of the last ${take} readings against the first ${take} is ${fmt(first, 0)} → ${fmt(last, 0)} MiB (${last >= first ? '+' : ''}${fmt(((last - first) / first) * 100, 1)} %).`;
}

function httpSection(result) {
  if (!result) return '## 6. HTTP (Streamable HTTP)\n\nNo result.';
  const parts = [
    '## 6. HTTP (Streamable HTTP)',
    '',
    `The built http server (spawned), stateful and \`--stateless\`; 1 and 16 concurrent clients, each looping for ${fmt(result.setup.durationMs / 1000, 1)} s, ${result.setup.rounds} round(s). Clients are lean JSON-RPC clients over node:http keep-alive in the benchmark process (the SDK Client compiles output-schema validators per tools/list, which would count as server time); the SDK Client checks each server once first. Baseline: a minimal MCP server on the same SDK and express wiring — its \`tools/list\`, and a trivial \`echo\` tool call for the generate figure. The cache-hit result carries an inline preview (${fmt(result.modes.stateful.toolResultBytes / 1024, 0)} KB of JSON).`,
  ];
  for (const [mode, summary] of Object.entries(result.summary)) {
    const rows = [];
    for (const [operation, byConcurrency] of Object.entries(summary)) {
      for (const [concurrency, cell] of Object.entries(byConcurrency)) {
        rows.push([
          operation,
          concurrency,
          spread(cell.requestsPerSecond, perSecond),
          spread(cell.p50Ms),
          spread(cell.p95Ms),
          spread(cell.p99Ms),
          perSecond(cell.baselineRequestsPerSecond.median),
          ms(cell.baselineP50Ms.median),
          spread(cell.latencyRatioP50, times),
        ]);
      }
    }
    parts.push(
      '',
      `### ${mode}`,
      '',
      table(['request', 'clients', 'requests/s', 'p50', 'p95', 'p99', 'minimal req/s', 'minimal p50', 'latency ratio p50'], rows),
    );
  }
  return parts.join('\n');
}

/** What the fake served, from the first scenario that recorded it. */
function imageNote(results) {
  const recorded = ['overhead', 'cache-hit', 'memory', 'http'].map((name) => results[name]?.setup?.image).find(Boolean);
  const match = recorded && /(\d+)–(\d+) bytes/.exec(recorded);
  return match ? `a 1536x1024 PNG of ${fmt(Number(match[2]) / 1e6, 1)} MB` : 'a 1536x1024 PNG of a few MB';
}

/** Writes summary.md in `folder`; `run` (optional) says which scenarios ran, crashed or were reused. */
export function writeSummary(folder, run = {}) {
  const results = Object.fromEntries(scenarioNames.map((name) => [name, readResult(folder, name)]));
  const reused = new Set(run.reused ?? []);
  const machine =
    Object.values(results).find((result) => result?.machine && typeof result.machine === 'object' && !reused.has(result.scenario))
      ?.machine ?? machineDescription();
  const dates = Object.entries(results)
    .filter(([name, result]) => result && !reused.has(name))
    .map(([, result]) => result.date)
    .sort();
  const quick = run.quick ?? Object.values(results).some((result) => result?.quick);
  const lines = [
    '# imagegen benchmarks',
    '',
    `Generated by \`${run.command ?? (quick ? 'node tools/bench/src/run-all.mjs --quick' : 'npm run bench')}\`${dates.length ? ` on ${dates[0].slice(0, 10)} (${dates[0].slice(11, 16)}–${dates.at(-1).slice(11, 16)} UTC)` : ''}.${quick ? ' **Quick mode**: few iterations and small sizes, a smoke test — not figures to compare.' : ''}`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${fmt(machine.ramGiB, 1)} GiB RAM, Node ${machine.node}, ${machine.platform}.`,
    '',
    'Load average at the start of each scenario (2 cores; the benchmark itself, its fake provider and the baseline programs count too): ' +
      Object.values(results)
        .filter((result) => result?.machine?.loadAverageAtStart)
        .map((result) => `${result.scenario} ${result.machine.loadAverageAtStart[0]}`)
        .join(', ') +
      '. Absolute times drift with load on a shared machine, so every scenario runs a baseline in the same run and repeats in rounds: figures are medians over rounds with the min–max over rounds in brackets, and ratios are taken within a round.',
    '',
    `The fake provider (\`createFakeOpenAIServer\` from \`@imagegen/testing\`) runs in the benchmark process on loopback and answers at once; its images are seeded noise over a gradient (${imageNote(results)}), about the weight of a real generation, so decoding and copying them costs what it would in use. Spawned servers get a temp storage folder, \`SERVER__RATE_LIMIT_RPM=0\`, \`SERVER__CLIENT_RATE_LIMIT_RPM=0\`, \`PROVIDERS__OPENAI__MAX_CONCURRENCY=64\`, no budgets, log level info.`,
    '',
  ];
  if (run.scenarios?.length) {
    lines.push(
      table(
        ['scenario', 'status', 'time'],
        run.scenarios.map((entry) => [
          entry.name,
          entry.status === 'ok'
            ? 'ran'
            : entry.status === 'reused'
              ? `reused from an earlier run${results[entry.name]?.date ? ` (${results[entry.name].date})` : ''}`
              : `**${entry.status}**`,
          isNumber(entry.seconds) ? `${fmt(entry.seconds, 0)} s` : '–',
        ]),
      ),
      '',
    );
  }
  lines.push(
    targetsSection(results),
    '',
    overheadSection(results.overhead),
    '',
    cacheSection(results['cache-hit']),
    '',
    storageSection(results['storage-scale'], reused.has('storage-scale')),
    '',
    startupSection(results.startup),
    '',
    memorySection(results.memory),
    '',
    httpSection(results.http),
    '',
    `Raw figures (every round): the JSON files beside this one. Re-run: \`npm run bench\` (full, several minutes) or \`node tools/bench/src/run-all.mjs --quick\`.`,
    '',
  );
  const file = path.join(folder, 'summary.md');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const folder = path.resolve(argument('--out-dir', defaultResultsFolder));
  const runFile = path.join(folder, 'run.json');
  const file = writeSummary(folder, fs.existsSync(runFile) ? JSON.parse(fs.readFileSync(runFile, 'utf8')) : {});
  console.log(`written to ${path.relative(workspaceRoot, file) || file}`);
}
