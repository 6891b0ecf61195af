#!/usr/bin/env node
// Scenario 4 — start-up: spawning the built stdio server until `initialize` has completed (the SDK Client's connect),
// and until a first `tools/list` has completed. Baseline in the same run: the smallest MCP server on the same SDK
// (fixtures/minimal-mcp-server.mjs), spawned the same way, interleaved with the real one.
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
  const baseline = { binary: minimalServer, env: { PATH: process.env['PATH'] ?? '' } };
  try {
    // One unmeasured start of each warms the OS file cache and creates the storage layout.
    await measureOnce(server);
    await measureOnce(baseline);
    const perRound = [];
    for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
      const ours = { initializeMs: [], toolsListMs: [] };
      const minimal = { initializeMs: [], toolsListMs: [] };
      for (let index = 0; index < spawnsPerRound; index += 1) {
        for (const [target, options] of index % 2 === 0
          ? [
              [ours, server],
              [minimal, baseline],
            ]
          : [
              [minimal, baseline],
              [ours, server],
            ]) {
          const measured = await measureOnce(options);
          target.initializeMs.push(measured.initializeMs);
          target.toolsListMs.push(measured.toolsListMs);
        }
      }
      const row = {
        server: { initializeMs: describe(ours.initializeMs), toolsListMs: describe(ours.toolsListMs) },
        baseline: { initializeMs: describe(minimal.initializeMs), toolsListMs: describe(minimal.toolsListMs) },
      };
      row.ratioInitializeP50 = row.server.initializeMs.p50 / row.baseline.initializeMs.p50;
      row.ratioToolsListP50 = row.server.toolsListMs.p50 / row.baseline.toolsListMs.p50;
      perRound.push(row);
      console.log(
        `round ${roundIndex + 1}/${rounds}: to initialize p50 ${row.server.initializeMs.p50} ms (minimal ${row.baseline.initializeMs.p50} ms), to tools/list p50 ${row.server.toolsListMs.p50} ms (minimal ${row.baseline.toolsListMs.p50} ms)`,
      );
    }
    const of = (pick) => acrossRounds(perRound.map(pick));
    const file = writeResult(outDir, 'startup', {
      quick,
      description:
        'spawn of the built stdio server to a completed initialize and to a completed tools/list; baseline: a minimal MCP server on the same SDK',
      setup: { rounds, spawnsPerRound, storage: 'an existing, nearly empty store in a temp folder; provider configured (fake)' },
      summary: {
        initializeP50Ms: of((round) => round.server.initializeMs.p50),
        initializeP95Ms: of((round) => round.server.initializeMs.p95),
        toolsListP50Ms: of((round) => round.server.toolsListMs.p50),
        toolsListP95Ms: of((round) => round.server.toolsListMs.p95),
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
