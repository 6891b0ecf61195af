#!/usr/bin/env node
// Scenario 2 — cache hit: latency of a repeated identical `generate_image` through the built stdio server (memory
// cache), after one call that generated and stored the image. The result still carries the summary, the resource
// link and an inline preview within the byte budget. Baseline in the same run: an MCP `ping` over the same connection
// (the transport's floor), interleaved with the cache hits.
// Usage: node tools/bench/src/cache-hit.mjs [--quick] [--out-dir DIR]
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
  runScenario,
  scenarioOptions,
  since,
  startFakeProvider,
  stdioServerBinary,
  writeResult,
} from './lib/bench-kit.mjs';

const { quick, outDir } = scenarioOptions();
const rounds = quick ? 1 : 5;
const callsPerRound = quick ? 30 : 200;
const warmUpCalls = quick ? 5 : 20;

runScenario('cache-hit', async () => {
  requireBuiltApp(stdioServerBinary, 'stdio-server');
  const provider = await startFakeProvider();
  const storage = makeTempFolder('cache-hit');
  const server = await connectStdio({ env: appEnvironment(provider.fake.url, storage) });
  try {
    const request = { prompt: freshPrompt('cache-hit'), size: benchImage.size, quality: benchImage.quality };
    const first = await generate(server.client, request);
    if (first.structuredContent?.from_cache !== false) throw new Error('the first call should have generated the image');
    for (let index = 0; index < warmUpCalls; index += 1) {
      const again = await generate(server.client, request);
      if (again.structuredContent?.from_cache !== true) throw new Error('a repeated identical request was not served from the cache');
      await server.client.ping();
    }
    const responseBytes = Buffer.byteLength(JSON.stringify(first));
    const perRound = [];
    for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
      const hits = [];
      const pings = [];
      for (let index = 0; index < callsPerRound; index += 1) {
        let started = process.hrtime.bigint();
        await generate(server.client, request);
        hits.push(since(started));
        started = process.hrtime.bigint();
        await server.client.ping();
        pings.push(since(started));
      }
      const hit = describe(hits);
      const ping = describe(pings);
      perRound.push({ hit, ping, ratioP50: hit.p50 / ping.p50, ratioP99: hit.p99 / ping.p99 });
      console.log(
        `round ${roundIndex + 1}/${rounds}: cache hit p50 ${hit.p50} ms p99 ${hit.p99} ms; ping p50 ${ping.p50} ms p99 ${ping.p99} ms`,
      );
    }
    const of = (pick) => acrossRounds(perRound.map(pick));
    const file = writeResult(outDir, 'cache-hit', {
      quick,
      description:
        'repeated identical generate_image (memory cache hit) through the built stdio server; baseline: MCP ping on the same connection',
      setup: {
        image: `${benchImage.size} PNG, ${provider.imageBytes.min}–${provider.imageBytes.max} bytes`,
        toolResultBytes: responseBytes,
        rounds,
        callsPerRound,
        warmUpCalls,
      },
      summary: {
        hitP50Ms: of((round) => round.hit.p50),
        hitP99Ms: of((round) => round.hit.p99),
        pingP50Ms: of((round) => round.ping.p50),
        pingP99Ms: of((round) => round.ping.p99),
        ratioP50: of((round) => round.ratioP50),
        ratioP99: of((round) => round.ratioP99),
      },
      rounds: perRound,
    });
    console.log(`written to ${file}`);
  } finally {
    await server.client.close().catch(() => undefined);
    await provider.close();
    removeTempFolder(storage);
  }
});
