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
  // The same server with SERVER__INLINE_PREVIEW=false: text, resource link and structured content only.
  const leanStorage = makeTempFolder('overhead-no-preview');
  const lean = await connectStdio({ env: appEnvironment(provider.fake.url, leanStorage, { SERVER__INLINE_PREVIEW: 'false' }) });
  const baseline = startBaselineClient(provider.fake.url, baselineFolder);
  const callServer = () => generate(server.client, { prompt: freshPrompt('overhead'), size: benchImage.size, quality: benchImage.quality });
  const callLean = () => generate(lean.client, { prompt: freshPrompt('lean'), size: benchImage.size, quality: benchImage.quality });
  const callBaseline = () => baseline.generate(freshPrompt('baseline'));
  const calls = { server: callServer, noPreview: callLean, baseline: callBaseline };
  try {
    for (let index = 0; index < warmUpCalls; index += 1) {
      await callServer();
      await callLean();
      await callBaseline();
    }
    const perRound = [];
    for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
      const levelResults = {};
      for (const { inFlight, calls: callsPerLevel } of levels) {
        // Rotate which side goes first so a slow spell on the machine does not always hit the same side.
        const sides = ['server', 'noPreview', 'baseline'];
        const order = sides.map((_, index) => sides[(index + roundIndex) % sides.length]);
        const measured = {};
        for (const side of order) measured[side] = await runPool(callsPerLevel, inFlight, calls[side]);
        const stats = (side) => ({
          ...describe(measured[side].latencies),
          throughputPerSecond: Math.round((callsPerLevel * 1000 * 100) / measured[side].elapsedMs) / 100,
        });
        const serverStats = stats('server');
        const noPreviewStats = stats('noPreview');
        const baselineStats = stats('baseline');
        levelResults[inFlight] = {
          calls: callsPerLevel,
          server: serverStats,
          noPreview: noPreviewStats,
          baseline: baselineStats,
          ratioP50: serverStats.p50 / baselineStats.p50,
          ratioP95: serverStats.p95 / baselineStats.p95,
          extraP50Ms: serverStats.p50 - baselineStats.p50,
          throughputRatio: serverStats.throughputPerSecond / baselineStats.throughputPerSecond,
          noPreviewRatioP50: noPreviewStats.p50 / baselineStats.p50,
          noPreviewExtraP50Ms: noPreviewStats.p50 - baselineStats.p50,
          noPreviewThroughputRatio: noPreviewStats.throughputPerSecond / baselineStats.throughputPerSecond,
        };
        console.log(
          `round ${roundIndex + 1}/${rounds}, ${inFlight} in flight: server p50 ${serverStats.p50} ms (${serverStats.throughputPerSecond}/s); no preview p50 ${noPreviewStats.p50} ms (${noPreviewStats.throughputPerSecond}/s); baseline p50 ${baselineStats.p50} ms (${baselineStats.throughputPerSecond}/s)`,
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
        throughputRatio: of((level) => level.throughputRatio),
        noPreviewP50Ms: of((level) => level.noPreview.p50),
        noPreviewP95Ms: of((level) => level.noPreview.p95),
        noPreviewRatioP50: of((level) => level.noPreviewRatioP50),
        noPreviewExtraP50Ms: of((level) => level.noPreviewExtraP50Ms),
        noPreviewThroughputPerSecond: of((level) => level.noPreview.throughputPerSecond),
        noPreviewThroughputRatio: of((level) => level.noPreviewThroughputRatio),
      };
    }
    const file = writeResult(outDir, 'overhead', {
      quick,
      description:
        'generate_image through the built stdio server (default result, and with SERVER__INLINE_PREVIEW=false) vs the openai SDK called directly by a spawned program (same fake provider, fresh prompt per call); latency in ms from the client side',
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
    await lean.client.close().catch(() => undefined);
    await baseline.close();
    await provider.close();
    removeTempFolder(storage);
    removeTempFolder(leanStorage);
    removeTempFolder(baselineFolder);
  }
});
