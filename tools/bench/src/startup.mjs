#!/usr/bin/env node
// Scenario 4 — start-up: spawning the built stdio server until `initialize` has completed (the SDK Client's connect),
// and until a first `tools/list` has completed, with Node's module compile cache warm (the default: the server turns
// it on in the user's cache folder, here under the temp HOME) and turned off (NODE_DISABLE_COMPILE_CACHE=1).
// Baseline in the same run: the smallest MCP server on the same SDK (fixtures/minimal-mcp-server.mjs: SDK v2's
// serveStdio with one tool, as the server uses it), spawned the same way; the three alternate within each round.
// Usage: node tools/bench/src/startup.mjs [--quick] [--out-dir DIR]
import * as path from 'node:path';
import {
  acrossRounds,
  appEnvironment,
  benchSource,
  connectStdio,
  describe,
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
const spawnsPerRound = quick ? 2 : 8;
const minimalServer = path.join(benchSource, 'fixtures/minimal-mcp-server.mjs');

async function measureOnce(options) {
  const connection = await connectStdio(options);
  try {
    await connection.client.listTools();
    return { initializeMs: connection.initializeMs, toolsListMs: since(connection.started) };
  } finally {
    await connection.client.close().catch(() => undefined);
  }
}

runScenario('startup', async () => {
  requireBuiltApp(stdioServerBinary, 'stdio-server');
  const provider = await startFakeProvider();
  const storage = makeTempFolder('startup');
  const server = { env: appEnvironment(provider.fake.url, storage) };
  const serverWithoutCache = { env: appEnvironment(provider.fake.url, storage, { NODE_DISABLE_COMPILE_CACHE: '1' }) };
  const baseline = { binary: minimalServer, env: { PATH: process.env['PATH'] ?? '' } };
  /** @typedef {{ initializeMs: number[], toolsListMs: number[] }} Samples */
  /** @type {Array<{ name: string, options: { binary?: string, env: Record<string, string> }, samples: Samples }>} */
  const variants = [
    { name: 'server', options: server, samples: { initializeMs: [], toolsListMs: [] } },
    { name: 'withoutCompileCache', options: serverWithoutCache, samples: { initializeMs: [], toolsListMs: [] } },
    { name: 'baseline', options: baseline, samples: { initializeMs: [], toolsListMs: [] } },
  ];
  const [ours, withoutCache, minimal] = /** @type {[typeof variants[0], typeof variants[0], typeof variants[0]]} */ (variants);
  try {
    // One unmeasured start of each warms the OS file cache, fills the compile cache and creates the storage layout.
    for (const variant of variants) await measureOnce(variant.options);
    const perRound = [];
    for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
      for (const variant of variants) variant.samples = { initializeMs: [], toolsListMs: [] };
      for (let index = 0; index < spawnsPerRound; index += 1) {
        // Rotate the order so no variant always runs right after another.
        const shift = index % variants.length;
        for (const variant of [...variants.slice(shift), ...variants.slice(0, shift)]) {
          const measured = await measureOnce(variant.options);
          variant.samples.initializeMs.push(measured.initializeMs);
          variant.samples.toolsListMs.push(measured.toolsListMs);
        }
      }
      /** @param {typeof variants[0]} variant */
      const described = (variant) => ({
        initializeMs: describe(variant.samples.initializeMs),
        toolsListMs: describe(variant.samples.toolsListMs),
      });
      /** @type {Record<string, any>} */
      const row = { server: described(ours), withoutCompileCache: described(withoutCache), baseline: described(minimal) };
      row.ratioInitializeP50 = row.server.initializeMs.p50 / row.baseline.initializeMs.p50;
      row.ratioToolsListP50 = row.server.toolsListMs.p50 / row.baseline.toolsListMs.p50;
      row.compileCacheSavingInitializeP50Ms = row.withoutCompileCache.initializeMs.p50 - row.server.initializeMs.p50;
      perRound.push(row);
      console.log(
        `round ${roundIndex + 1}/${rounds}: to initialize p50 ${row.server.initializeMs.p50} ms (compile cache off ${row.withoutCompileCache.initializeMs.p50} ms, minimal ${row.baseline.initializeMs.p50} ms), to tools/list p50 ${row.server.toolsListMs.p50} ms (minimal ${row.baseline.toolsListMs.p50} ms)`,
      );
    }
    const of = (pick) => acrossRounds(perRound.map(pick));
    const file = writeResult(outDir, 'startup', {
      quick,
      node: process.version,
      description:
        'spawn of the built stdio server to a completed initialize and to a completed tools/list, compile cache warm and off; baseline: a minimal MCP server on the same SDK',
      setup: { rounds, spawnsPerRound, storage: 'an existing, nearly empty store in a temp folder; provider configured (fake)' },
      summary: {
        initializeP50Ms: of((round) => round.server.initializeMs.p50),
        initializeP95Ms: of((round) => round.server.initializeMs.p95),
        toolsListP50Ms: of((round) => round.server.toolsListMs.p50),
        toolsListP95Ms: of((round) => round.server.toolsListMs.p95),
        withoutCompileCacheInitializeP50Ms: of((round) => round.withoutCompileCache.initializeMs.p50),
        withoutCompileCacheToolsListP50Ms: of((round) => round.withoutCompileCache.toolsListMs.p50),
        compileCacheSavingInitializeP50Ms: of((round) => round.compileCacheSavingInitializeP50Ms),
        baselineInitializeP50Ms: of((round) => round.baseline.initializeMs.p50),
        baselineToolsListP50Ms: of((round) => round.baseline.toolsListMs.p50),
        ratioInitializeP50: of((round) => round.ratioInitializeP50),
        ratioToolsListP50: of((round) => round.ratioToolsListP50),
      },
      rounds: perRound,
    });
    console.log(`written to ${file}`);
  } finally {
    await provider.close();
    removeTempFolder(storage);
  }
});
