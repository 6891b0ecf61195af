#!/usr/bin/env node
// Scenario 6 — Streamable HTTP: requests per second and latency of `tools/list` and of a cache-hit `generate_image`
// against the BUILT http server (spawned), stateful and stateless (`--stateless`), with 1 and 16 concurrent clients
// (lean JSON-RPC clients over node:http keep-alive, lib/raw-http-client.mjs, each looping for a fixed time; stateful clients each
// hold a session; the SDK Client checks each server once first). Baseline in the same run: the smallest MCP server on the same SDK and express wiring
// (fixtures/minimal-mcp-http-server.mjs): its `tools/list`, and a trivial `echo` tool call for the generate figure.
// Usage: node tools/bench/src/http.mjs [--quick] [--out-dir DIR]
import * as path from 'node:path';
import {
  acrossRounds,
  appEnvironment,
  benchImage,
  benchSource,
  describe,
  freePort,
  freshPrompt,
  httpServerBinary,
  makeTempFolder,
  removeTempFolder,
  requireBuiltApp,
  runForDuration,
  runScenario,
  scenarioOptions,
  spawnHttpServer,
  startFakeProvider,
  writeResult,
} from './lib/bench-kit.mjs';
import { connectRawClient, createAgent } from './lib/raw-http-client.mjs';

const { quick, outDir } = scenarioOptions();
const rounds = quick ? 1 : 3;
const durationMs = quick ? 500 : 3000;
const warmUpCallsPerClient = quick ? 1 : 5;
const concurrencies = [1, 16];
const modes = ['stateful', 'stateless'];
const minimalServer = path.join(benchSource, 'fixtures/minimal-mcp-http-server.mjs');

async function connectClients(agent, url, count) {
  const clients = [];
  for (let index = 0; index < count; index += 1) clients.push(await connectRawClient(agent, `${url}/mcp`, `imagegen-bench-${index}`));
  return clients;
}

/** One end-to-end check with the SDK's own Client: it connects, lists the tools and makes the image the loops repeat. */
async function checkWithSdkClient(url, request) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'imagegen-bench-check', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  try {
    const { tools } = await client.listTools();
    if (!tools.some((tool) => tool.name === 'generate_image')) throw new Error('the http server lists no generate_image tool');
    const first = await expectSuccess(await client.callTool({ name: 'generate_image', arguments: request }), 'generate_image');
    if (first.structuredContent?.from_cache !== false) throw new Error('the first call should have generated the image');
    return first;
  } finally {
    await client.close();
  }
}

async function expectSuccess(result, label) {
  if (result.isError) throw new Error(`${label} failed: ${JSON.stringify(result.content).slice(0, 500)}`);
  return result;
}

runScenario('http', async () => {
  requireBuiltApp(httpServerBinary, 'http-server');
  const provider = await startFakeProvider();
  const results = {};
  try {
    for (const mode of modes) {
      const storage = makeTempFolder(`http-${mode}`);
      const extraArgs = mode === 'stateless' ? ['--stateless'] : [];
      const ourPort = await freePort();
      const ours = await spawnHttpServer({
        binary: httpServerBinary,
        args: ['--port', String(ourPort), ...extraArgs],
        env: appEnvironment(provider.fake.url, storage),
        port: ourPort,
      });
      const minimalPort = await freePort();
      const minimal = await spawnHttpServer({
        binary: minimalServer,
        args: [String(minimalPort), ...extraArgs],
        env: { PATH: process.env['PATH'] ?? '' },
        port: minimalPort,
      });
      /** @type {{ server: Awaited<ReturnType<typeof connectClients>>, baseline: Awaited<ReturnType<typeof connectClients>> }} */
      const clients = { server: [], baseline: [] };
      const agent = createAgent();
      try {
        const request = { prompt: freshPrompt(`http-${mode}`), size: benchImage.size, quality: benchImage.quality };
        const first = await checkWithSdkClient(ours.url, request);
        clients.server = await connectClients(agent, ours.url, Math.max(...concurrencies));
        clients.baseline = await connectClients(agent, minimal.url, Math.max(...concurrencies));
        const operations = {
          'tools/list': {
            server: (client) => client.listTools(),
            baseline: (client) => client.listTools(),
          },
          'generate_image (cache hit)': {
            server: async (client) => {
              const result = await expectSuccess(await client.callTool('generate_image', request), 'generate_image');
              if (result.structuredContent?.from_cache !== true)
                throw new Error('a repeated identical request over HTTP was not a cache hit');
            },
            baseline: async (client) => expectSuccess(await client.callTool('echo', { text: 'hello' }), 'echo'),
          },
        };
        for (const operation of Object.values(operations)) {
          for (const side of ['server', 'baseline']) {
            // Quick mode warms up through one client only; the full run warms every client (and its session).
            await Promise.all(
              (quick ? clients[side].slice(0, 1) : clients[side]).map(async (client) => {
                for (let index = 0; index < warmUpCallsPerClient; index += 1) await operation[side](client);
              }),
            );
          }
        }
        console.log(`${mode}: servers up, clients connected and warmed up`);
        const perRound = [];
        for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
          const row = {};
          for (const [name, operation] of Object.entries(operations)) {
            row[name] = {};
            for (const concurrency of concurrencies) {
              const measured = {};
              const order = roundIndex % 2 === 0 ? ['server', 'baseline'] : ['baseline', 'server'];
              for (const side of order) {
                const run = await runForDuration(durationMs, clients[side].slice(0, concurrency), operation[side]);
                measured[side] = { requestsPerSecond: Math.round(run.requestsPerSecond * 10) / 10, latencyMs: describe(run.latencies) };
              }
              row[name][concurrency] = {
                ...measured,
                latencyRatioP50: measured.server.latencyMs.p50 / measured.baseline.latencyMs.p50,
                throughputRatio: measured.server.requestsPerSecond / measured.baseline.requestsPerSecond,
              };
              console.log(
                `${mode}, round ${roundIndex + 1}/${rounds}, ${name}, ${concurrency} client(s): ${measured.server.requestsPerSecond} req/s, p50 ${measured.server.latencyMs.p50} ms, p99 ${measured.server.latencyMs.p99} ms (minimal ${measured.baseline.requestsPerSecond} req/s, p50 ${measured.baseline.latencyMs.p50} ms)`,
              );
            }
          }
          perRound.push(row);
        }
        const summary = {};
        for (const name of Object.keys(operations)) {
          summary[name] = {};
          for (const concurrency of concurrencies) {
            const of = (pick) => acrossRounds(perRound.map((row) => pick(row[name][concurrency])));
            summary[name][concurrency] = {
              requestsPerSecond: of((cell) => cell.server.requestsPerSecond),
              p50Ms: of((cell) => cell.server.latencyMs.p50),
              p95Ms: of((cell) => cell.server.latencyMs.p95),
              p99Ms: of((cell) => cell.server.latencyMs.p99),
              baselineRequestsPerSecond: of((cell) => cell.baseline.requestsPerSecond),
              baselineP50Ms: of((cell) => cell.baseline.latencyMs.p50),
              latencyRatioP50: of((cell) => cell.latencyRatioP50),
              throughputRatio: of((cell) => cell.throughputRatio),
            };
          }
        }
        results[mode] = { summary, rounds: perRound, toolResultBytes: Buffer.byteLength(JSON.stringify(first)) };
      } finally {
        for (const client of [...clients.server, ...clients.baseline]) await client.close().catch(() => undefined);
        agent.destroy();
        await ours.stop();
        await minimal.stop();
        removeTempFolder(storage);
      }
    }
    const file = writeResult(outDir, 'http', {
      quick,
      description:
        'Streamable HTTP against the built http server, stateful and stateless, 1 and 16 concurrent lean JSON-RPC clients (node:http, keep-alive) looping for a fixed time; baseline: a minimal MCP server on the same SDK (tools/list; an echo tool call for the generate figure)',
      setup: {
        image: `${benchImage.size} PNG, ${provider.imageBytes.min}–${provider.imageBytes.max} bytes`,
        rounds,
        durationMs,
        warmUpCallsPerClient,
        concurrencies,
        clientsRunIn: 'the benchmark process (same 2-core machine)',
      },
      summary: Object.fromEntries(modes.map((mode) => [mode, results[mode].summary])),
      modes: results,
    });
    console.log(`written to ${file}`);
  } finally {
    await provider.close();
  }
});
