#!/usr/bin/env node
// What large bodies and open sessions cost the built HTTP server (Linux /proc/PID/status), on loopback:
//  a) bodies: RSS while one, then six, 50 MB `edit_image` bodies (a 50 MB base64 `image`, refused as not an image, so
//     no provider call) are sent at once on one 2025 session; the highest /healthz latency meanwhile; the RSS left
//     3 s later. Once with SERVER__MAX_CONCURRENT_LARGE_BODIES=64 (the gate open: what the server did before its
//     bounds) and once with the default (2).
//  b) sessions: RSS per idle 2025 session (200 `initialize` calls never closed) and per legacy SSE stream (200 open
//     streams), with the caps raised for the measurement; then how the default per-client cap answers the 51st.
// Usage: node tools/bench/src/http-limits-memory.mjs [--quick] [--out-dir DIR]
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  appEnvironment,
  freePort,
  httpServerBinary,
  makeTempFolder,
  processMemory,
  removeTempFolder,
  requireBuiltApp,
  runScenario,
  sampleMemory,
  scenarioOptions,
  settledRss,
  sleep,
  spawnHttpServer,
  startFakeProvider,
  writeResult,
} from './lib/bench-kit.mjs';

const { quick, outDir } = scenarioOptions();
const bodyMegabytes = quick ? 10 : 50;
const sessionCount = quick ? 40 : 200;
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs `body` (a Buffer, sent as is) and resolves with the status and the answer's text. */
function post(url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: 'POST', headers: { ...mcpHeaders, 'content-length': body.length, ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const json = (value) => Buffer.from(JSON.stringify(value));

/** Opens a 2025 session (initialize + initialized) and returns its id. */
async function openSession(baseUrl) {
  const initialize = await post(
    `${baseUrl}/mcp`,
    json({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
    }),
  );
  const sessionId = initialize.headers['mcp-session-id'];
  if (initialize.status !== 200 || !sessionId) return { status: initialize.status, sessionId: undefined };
  await post(`${baseUrl}/mcp`, json({ jsonrpc: '2.0', method: 'notifications/initialized' }), {
    'mcp-session-id': sessionId,
    'mcp-protocol-version': '2025-06-18',
  });
  return { status: 200, sessionId };
}

/** Polls /healthz every 50 ms until stopped; returns the slowest answer in ms. */
function watchHealth(baseUrl) {
  let slowest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${baseUrl}/healthz`).then((response) => response.text());
      slowest = Math.max(slowest, performance.now() - started);
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Math.round(slowest);
    },
  };
}

async function startServer(fakeUrl, extra) {
  const folder = makeTempFolder('http-limits');
  const port = await freePort();
  const server = await spawnHttpServer({
    binary: httpServerBinary,
    env: appEnvironment(fakeUrl, folder, { SERVER__PORT: String(port), SERVER__LOG_LEVEL: 'warn', ...extra }),
    port,
  });
  return {
    ...server,
    async close() {
      await server.stop();
      removeTempFolder(folder);
    },
  };
}

const round1 = (value) => (value === null ? null : Math.round(value * 10) / 10);

/** The settled RSS of a child in MiB; this scenario needs Linux's /proc. */
async function settled(pid, durationMs = 1000) {
  const value = await settledRss(pid, durationMs);
  if (value === null) throw new Error('http-limits-memory reads /proc/PID/status and needs Linux');
  return value;
}

/** One and then six large bodies at once, with the gate as `concurrency` sets it. */
async function bodies(fakeUrl, label, concurrency, body) {
  const server = await startServer(fakeUrl, concurrency === undefined ? {} : { SERVER__MAX_CONCURRENT_LARGE_BODIES: String(concurrency) });
  try {
    const { sessionId } = await openSession(server.url);
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    const idle = await settled(server.pid);
    const rounds = {};
    for (const count of [1, 6]) {
      const health = watchHealth(server.url);
      const sampler = sampleMemory(server.pid, 5);
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: count }, () => post(`${server.url}/mcp`, body, headers)));
      const elapsedMs = Math.round(performance.now() - started);
      const sampled = sampler.stop();
      const slowestHealthMs = await health.stop();
      await sleep(3000);
      const after = await settled(server.pid);
      rounds[`bodies_${count}`] = {
        statuses: answers.map((answer) => answer.status),
        refusedAsNotAnImage: answers.filter((answer) => answer.text.includes('invalid_image')).length,
        peakRssMiB: sampled.maxRssMiB,
        peakGrowthMiB: round1(sampled.maxRssMiB - idle),
        rssAfter3sMiB: after,
        keptMiB: round1(after - idle),
        slowestHealthMs,
        elapsedMs,
      };
    }
    return {
      label,
      concurrency: concurrency ?? 'default (2)',
      idleRssMiB: idle,
      ...rounds,
      vmHwmMiB: round1(processMemory(server.pid).peakRssMiB),
    };
  } finally {
    await server.close();
  }
}

/** RSS per idle 2025 session and per open legacy SSE stream, then the default per-client cap at work. */
async function sessions(fakeUrl) {
  const server = await startServer(fakeUrl, { SERVER__MAX_SESSIONS: '5000', SERVER__MAX_SESSIONS_PER_CLIENT: '5000' });
  const streams = [];
  try {
    await openSession(server.url);
    const idle = await settled(server.pid, 2000);
    for (let index = 0; index < sessionCount; index += 1) await openSession(server.url);
    const withSessions = await settled(server.pid, 2000);
    for (let index = 0; index < sessionCount; index += 1) {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/sse`, { signal: controller.signal });
      if (!response.body) throw new Error('GET /sse answered without a stream');
      const reader = response.body.getReader();
      await reader.read();
      streams.push(controller);
    }
    const withStreams = await settled(server.pid, 2000);
    return {
      count: sessionCount,
      idleRssMiB: idle,
      withSessionsRssMiB: withSessions,
      perSessionKiB: Math.round(((withSessions - idle) * 1024) / sessionCount),
      withStreamsRssMiB: withStreams,
      perSseStreamKiB: Math.round(((withStreams - withSessions) * 1024) / sessionCount),
    };
  } finally {
    for (const controller of streams) controller.abort();
    await server.close();
  }
}

async function capAtWork(fakeUrl) {
  const server = await startServer(fakeUrl, {});
  try {
    const statuses = [];
    for (let index = 0; index < 55; index += 1) statuses.push((await openSession(server.url)).status);
    return { opened: statuses.filter((status) => status === 200).length, refused429: statuses.filter((status) => status === 429).length };
  } finally {
    await server.close();
  }
}

runScenario('http-limits-memory', async () => {
  requireBuiltApp(httpServerBinary, 'http-server');
  const provider = await startFakeProvider();
  try {
    const base64 = randomBytes(Math.floor((bodyMegabytes * 1024 * 1024 * 3) / 4)).toString('base64');
    const body = json({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'edit_image', arguments: { prompt: 'x', image: base64 } },
    });
    const result = {
      bodyMiB: round1(body.length / 1024 / 1024),
      bodies: [
        await bodies(provider.fake.url, 'gate open (as before the bounds)', 64, body),
        await bodies(provider.fake.url, 'bounded', undefined, body),
      ],
      sessions: await sessions(provider.fake.url),
      defaultPerClientCap: await capAtWork(provider.fake.url),
    };
    writeResult(outDir, 'http-limits-memory', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await provider.close();
  }
});
