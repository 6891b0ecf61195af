#!/usr/bin/env node
// Scenario 1 — overhead per generation: `generate_image` through the BUILT stdio server (spawned, driven by the SDK
// Client over stdio) against a baseline program that calls the same fake provider with the openai SDK and writes the
// file. Sequentially and with 8 and 32 calls in flight; every call has a fresh prompt (no cache hit, no sharing).
// The fake answers at once, so the figures are the whole cost of the server's own work (validation, storage,
// preview, MCP encoding) on top of fetching a 1536x1024 PNG of a few MB.
// Usage: node tools/bench/src/overhead.mjs [--quick] [--out-dir DIR]
import {
  acrossRounds,
  appEnvironment,
  benchImage,
  connectStdio,
  describe,
  freshPrompt,
  generate,
  makeTempFolder,
  removeTempFolder,
  requireBuiltApp,
  runPool,
  runScenario,
  scenarioOptions,
  startFakeProvider,
  stdioServerBinary,
  writeResult,
} from './lib/bench-kit.mjs';
import { startBaselineClient } from './lib/baseline.mjs';

const { quick, outDir } = scenarioOptions();
const rounds = quick ? 1 : 5;
const levels = quick
  ? [
      { inFlight: 1, calls: 4 },
      { inFlight: 8, calls: 8 },
      { inFlight: 32, calls: 32 },
    ]
  : [
      { inFlight: 1, calls: 20 },
      { inFlight: 8, calls: 48 },
      { inFlight: 32, calls: 96 },
    ];
const warmUpCalls = quick ? 2 : 8;

runScenario('overhead', async () => {
  requireBuiltApp(stdioServerBinary, 'stdio-server');
  const provider = await startFakeProvider();
  const storage = makeTempFolder('overhead-server');
  const baselineFolder = makeTempFolder('overhead-baseline');
  const server = await connectStdio({ env: appEnvironment(provider.fake.url, storage) });
  const baseline = startBaselineClient(provider.fake.url, baselineFolder);
  const callServer = () => generate(server.client, { prompt: freshPrompt('overhead'), size: benchImage.size, quality: benchImage.quality });
  const callBaseline = () => baseline.generate(freshPrompt('baseline'));
  try {
    for (let index = 0; index < warmUpCalls; index += 1) {
      await callServer();
      await callBaseline();
    }
    const perRound = [];
    for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
      const levelResults = {};
      for (const { inFlight, calls } of levels) {
        // Alternate which side goes first so a slow spell on the machine does not always hit the same side.
        const order = roundIndex % 2 === 0 ? ['server', 'baseline'] : ['baseline', 'server'];
        const measured = {};
        for (const side of order) {
          measured[side] = await runPool(calls, inFlight, side === 'server' ? callServer : callBaseline);
        }
        const serverStats = describe(measured.server.latencies);
        const baselineStats = describe(measured.baseline.latencies);
        levelResults[inFlight] = {
          calls,
          server: { ...serverStats, throughputPerSecond: Math.round((calls * 1000 * 100) / measured.server.elapsedMs) / 100 },
          baseline: { ...baselineStats, throughputPerSecond: Math.round((calls * 1000 * 100) / measured.baseline.elapsedMs) / 100 },
          ratioP50: serverStats.p50 / baselineStats.p50,
          ratioP95: serverStats.p95 / baselineStats.p95,
          extraP50Ms: serverStats.p50 - baselineStats.p50,
        };
        console.log(
          `round ${roundIndex + 1}/${rounds}, ${inFlight} in flight: server p50 ${serverStats.p50} ms p95 ${serverStats.p95} ms; baseline p50 ${baselineStats.p50} ms p95 ${baselineStats.p95} ms; ratio ${levelResults[inFlight].ratioP50.toFixed(2)}`,
        );
      }
      perRound.push(levelResults);
    }
    const summary = {};
    for (const { inFlight, calls } of levels) {
      const of = (pick) => acrossRounds(perRound.map((round) => pick(round[inFlight])));
      summary[inFlight] = {
        callsPerRound: calls,
        serverP50Ms: of((level) => level.server.p50),
        serverP95Ms: of((level) => level.server.p95),
        baselineP50Ms: of((level) => level.baseline.p50),
        baselineP95Ms: of((level) => level.baseline.p95),
        ratioP50: of((level) => level.ratioP50),
        ratioP95: of((level) => level.ratioP95),
        extraP50Ms: of((level) => level.extraP50Ms),
        serverThroughputPerSecond: of((level) => level.server.throughputPerSecond),
        baselineThroughputPerSecond: of((level) => level.baseline.throughputPerSecond),
      };
    }
    const file = writeResult(outDir, 'overhead', {
      quick,
      description:
        'generate_image through the built stdio server vs the openai SDK called directly by a spawned program (same fake provider, fresh prompt per call); latency in ms from the client side',
      setup: {
        image: `${benchImage.size} PNG from the fake provider, ${provider.imageBytes.min}–${provider.imageBytes.max} bytes`,
        fakeLatencyMs: 0,
        serverSettings:
          'PROVIDERS__OPENAI__MAX_CONCURRENCY=64, SERVER__RATE_LIMIT_RPM=0, cache on (fresh prompts never hit), log level info',
        rounds,
        warmUpCalls,
      },
      summary,
      rounds: perRound,
    });
    console.log(`written to ${file}`);
  } finally {
    await server.client.close().catch(() => undefined);
    await baseline.close();
    await provider.close();
    removeTempFolder(storage);
    removeTempFolder(baselineFolder);
  }
});
