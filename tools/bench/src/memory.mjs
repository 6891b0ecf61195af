#!/usr/bin/env node
// Scenario 5 — memory of the built stdio server (Linux /proc/PID/status):
//  a) peak RSS (VmHWM, plus VmRSS sampled every 5 ms) while 32 generations of 1536x1024 images run at once, on a
//     fresh server per round after a short warm-up;
//  b) leak check: settled RSS after a warm-up vs after 1,000 further sequential generations (growth in %), with an
//     RSS trace along the way.
// Baseline in the same run: the openai-SDK program (fixtures/baseline-client.mjs) doing the same work.
// Usage: node tools/bench/src/memory.mjs [--quick] [--out-dir DIR]
import {
  acrossRounds,
  appEnvironment,
  benchImage,
  connectStdio,
  freshPrompt,
  generate,
  makeTempFolder,
  processMemory,
  removeTempFolder,
  requireBuiltApp,
  runPool,
  runScenario,
  sampleMemory,
  scenarioOptions,
  settledRss,
  startFakeProvider,
  stdioServerBinary,
  writeResult,
} from './lib/bench-kit.mjs';
import { startBaselineClient } from './lib/baseline.mjs';

const { quick, outDir } = scenarioOptions();
const burstRounds = quick ? 1 : 3;
const burstSize = 32;
const burstWarmUp = 4;
const leakWarmUp = quick ? 5 : 100;
const leakGenerations = quick ? 20 : 1000;
const traceEvery = quick ? 5 : 100;
const settleMs = quick ? 500 : 2000;
/** glibc malloc arenas for the serverFewArenas side. */
const fewArenas = 2;

/** Starts one side (the stdio server or the baseline program) with its own storage folder. */
async function startSide(side, fakeUrl) {
  const folder = makeTempFolder(`memory-${side}`);
  if (side === 'server' || side === 'serverFewArenas') {
    // serverFewArenas: the same server started with MALLOC_ARENA_MAX=2, the setting the README and the container
    // image give (glibc reads it only at process start, so it belongs in the environment that starts the server).
    const extra = side === 'serverFewArenas' ? { MALLOC_ARENA_MAX: String(fewArenas) } : {};
    const server = await connectStdio({ env: appEnvironment(fakeUrl, folder, extra) });
    return {
      pid: server.pid,
      generate: () => generate(server.client, { prompt: freshPrompt('memory'), size: benchImage.size, quality: benchImage.quality }),
      async close() {
        await server.client.close().catch(() => undefined);
        removeTempFolder(folder);
      },
    };
  }
  const baseline = startBaselineClient(fakeUrl, folder);
  return {
    pid: baseline.pid,
    generate: () => baseline.generate(freshPrompt('memory-baseline')),
    async close() {
      await baseline.close();
      removeTempFolder(folder);
    },
  };
}

async function burst(side, fakeUrl) {
  const process_ = await startSide(side, fakeUrl);
  try {
    for (let index = 0; index < burstWarmUp; index += 1) await process_.generate();
    const before = processMemory(process_.pid);
    const sampler = sampleMemory(process_.pid, 5);
    const { elapsedMs } = await runPool(burstSize, burstSize, () => process_.generate());
    const sampled = sampler.stop();
    const after = processMemory(process_.pid);
    return {
      rssBeforeMiB: round1(before.rssMiB),
      peakRssMiB: round1(after.peakRssMiB),
      sampledMaxRssMiB: sampled.maxRssMiB,
      samples: sampled.samples,
      burstMs: Math.round(elapsedMs),
    };
  } finally {
    await process_.close();
  }
}

async function leakCheck(side, fakeUrl) {
  const process_ = await startSide(side, fakeUrl);
  try {
    for (let index = 0; index < leakWarmUp; index += 1) await process_.generate();
    const afterWarmUp = await settledRss(process_.pid, settleMs);
    const trace = [{ generations: 0, rssMiB: round1(processMemory(process_.pid).rssMiB) }];
    const started = Date.now();
    for (let index = 1; index <= leakGenerations; index += 1) {
      await process_.generate();
      if (index % traceEvery === 0) trace.push({ generations: index, rssMiB: round1(processMemory(process_.pid).rssMiB) });
    }
    const elapsedMs = Date.now() - started;
    const afterRun = await settledRss(process_.pid, settleMs);
    const growthPct =
      afterWarmUp !== null && afterRun !== null && afterWarmUp > 0 ? round1(((afterRun - afterWarmUp) / afterWarmUp) * 100) : null;
    console.log(
      `leak check (${side}): ${afterWarmUp} MiB after warm-up, ${afterRun} MiB after ${leakGenerations} generations (${growthPct}%)`,
    );
    return {
      rssAfterWarmUpMiB: afterWarmUp,
      rssAfterRunMiB: afterRun,
      growthPct,
      peakRssMiB: round1(processMemory(process_.pid).peakRssMiB),
      elapsedMs,
      trace,
    };
  } finally {
    await process_.close();
  }
}

const round1 = (value) => (value === null || value === undefined ? null : Math.round(value * 10) / 10);

runScenario('memory', async () => {
  requireBuiltApp(stdioServerBinary, 'stdio-server');
  if (processMemory(process.pid).rssMiB === null) throw new Error('memory figures need /proc/PID/status (Linux)');
  const provider = await startFakeProvider();
  try {
    const bursts = [];
    for (let roundIndex = 0; roundIndex < burstRounds; roundIndex += 1) {
      const sides = ['server', 'serverFewArenas', 'baseline'];
      const order = sides.map((_, index) => sides[(index + roundIndex) % sides.length]);
      const row = {};
      for (const side of order) row[side] = await burst(side, provider.fake.url);
      row.ratioPeak = row.server.peakRssMiB / row.baseline.peakRssMiB;
      bursts.push(row);
      console.log(
        `burst round ${roundIndex + 1}/${burstRounds}: server peak ${row.server.peakRssMiB} MiB (sampled ${row.server.sampledMaxRssMiB}), with MALLOC_ARENA_MAX=${fewArenas} ${row.serverFewArenas.peakRssMiB} MiB, baseline peak ${row.baseline.peakRssMiB} MiB`,
      );
    }
    // Quick mode checks the server only (the baseline program is exercised by the burst).
    const leak = {
      server: await leakCheck('server', provider.fake.url),
      baseline: quick ? null : await leakCheck('baseline', provider.fake.url),
    };
    const of = (pick) => acrossRounds(bursts.map(pick));
    const file = writeResult(outDir, 'memory', {
      quick,
      description:
        'RSS of the built stdio server: peak during 32 concurrent generations, and growth over sequential generations; baseline: the openai-SDK program doing the same',
      setup: {
        image: `${benchImage.size} PNG, ${provider.imageBytes.min}–${provider.imageBytes.max} bytes`,
        burstRounds,
        burstSize,
        burstWarmUp,
        leakWarmUp,
        leakGenerations,
        rssSource: `/proc/PID/status: VmHWM (peak) and VmRSS (sampled every 5 ms during a burst; settled = median of 10 readings over ${settleMs / 1000} s idle)`,
      },
      summary: {
        peakRssMiB: of((row) => row.server.peakRssMiB),
        sampledMaxRssMiB: of((row) => row.server.sampledMaxRssMiB),
        baselinePeakRssMiB: of((row) => row.baseline.peakRssMiB),
        fewArenasPeakRssMiB: of((row) => row.serverFewArenas.peakRssMiB),
        fewArenas,
        ratioPeak: of((row) => row.ratioPeak),
        burstMs: of((row) => row.server.burstMs),
        baselineBurstMs: of((row) => row.baseline.burstMs),
        leakGenerations,
        growthPct: leak.server.growthPct,
        rssAfterWarmUpMiB: leak.server.rssAfterWarmUpMiB,
        rssAfterRunMiB: leak.server.rssAfterRunMiB,
        baselineGrowthPct: leak.baseline?.growthPct ?? null,
      },
      bursts,
      leak,
    });
    console.log(`written to ${file}`);
  } finally {
    await provider.close();
  }
});
