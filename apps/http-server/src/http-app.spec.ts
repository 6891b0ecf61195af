/**
 * The HTTP app in process, with a real engine against the fake OpenAI server and the SDK's own HTTP clients: the v1
 * client (protocol 2025: sessions, stateless mode, legacy SSE) and the v2 client pinned to 2026-07-28.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createImageGenMcpServer } from '@imagegen/mcp';
import { createMemoryLogger } from '@imagegen/common';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createHttpApp, type HttpApp, type HttpAppOptions } from './http-app';
import { waitFor } from './test-support/built-http-server';
import { declaresMetric, sampleValue } from './test-support/metrics-text';

jest.setTimeout(60_000);

const token = 'test-token-0123456789';
const auth = { Authorization: `Bearer ${token}` };

interface Harness {
  http: HttpApp;
  baseUrl: string;
  close(): Promise<void>;
}

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await createFakeOpenAIServer();
});
afterAll(async () => {
  await fake.close();
});

async function startApp(overrides: Partial<HttpAppOptions> = {}): Promise<Harness> {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-http-'));
  const { config } = loadConfig({
    env: { OPENAI_API_KEY: 'sk-http-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
    cwd: storage,
    homeDirectory: storage,
    platform: 'linux',
  });
  const logger = createMemoryLogger();
  const engine: ImageEngine = await createImageEngineFromConfig(config, { logger, scheduleRetention: false });
  const http = createHttpApp({
    engine,
    createServer: (serverEngine, context) =>
      createImageGenMcpServer({
        engine: serverEngine,
        logger,
        ...context,
        settings: {
          name: 'test',
          version: '0.0.0',
          responseByteBudget: 500_000,
          includeDataUrl: false,
          allowLocalFiles: false,
          retentionDays: 30,
        },
      }),
    host: '127.0.0.1',
    allowedHosts: [],
    authToken: token,
    stateless: false,
    sessionIdleMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    processMetrics: false,
    logger,
    ...overrides,
  });
  const listener = await new Promise<Server>((resolve) => {
    const server = http.app.listen(0, '127.0.0.1', () => resolve(server));
  });
  return {
    http,
    baseUrl: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    async close() {
      await http.closeSessions();
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
      await engine.close();
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}

async function connectStreamable(baseUrl: string, headers: Record<string, string> = auth): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers } }));
  return client;
}

/** A request with a Host header of our choosing (fetch does not allow setting Host). */
function rawRequest(url: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const outgoing = httpRequest(url, { method: options.method, headers: options.headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const initializeBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
});
const mcpHeaders = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

describe.each([false, true])('HTTP app (stateless: %s)', (stateless) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startApp({ stateless });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers health checks without authentication', async () => {
    expect((await fetch(`${harness.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${harness.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { provider_configured: true, storage: true, cache: true } });
  });

  it('serves MCP to an authenticated client and the stored image over /images', async () => {
    const client = await connectStreamable(harness.baseUrl);
    try {
      const result = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a kite', size: '1024x1024', quality: 'low' } });
      expect(result.isError).toBeFalsy();
      const imageId = (result.structuredContent as { image_id: string }).image_id;
      const unauthenticated = await fetch(`${harness.baseUrl}/images/${imageId}`);
      expect(unauthenticated.status).toBe(401);
      const image = await fetch(`${harness.baseUrl}/images/${imageId}`, { headers: auth });
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect(image.headers.get('cache-control')).toContain('immutable');
      expect(image.headers.get('content-security-policy')).toContain('sandbox');
      const missing = await fetch(`${harness.baseUrl}/images/img_20200101000000_000000000000`, { headers: auth });
      expect(missing.status).toBe(404);
      // Over MCP a 2025 client hears of a missing resource with the 2025 code.
      await expect(client.readResource({ uri: 'generated-images://img_20200101000000_000000000000' })).rejects.toMatchObject({
        code: -32002,
      });
    } finally {
      await client.close();
    }
  });

  it('refuses requests without the bearer token', async () => {
    const response = await fetch(`${harness.baseUrl}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const status = await rawRequest(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers: { Host: 'evil.example', ...auth, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(status).toBe(403);
  });

  it('refuses a browser Origin it does not trust and accepts the loopback one', async () => {
    const foreign = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...mcpHeaders, ...auth, Origin: 'http://evil.example' },
      body: initializeBody,
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { message: string }).message).toContain('SERVER__ALLOWED_ORIGINS');
    const local = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...mcpHeaders, ...auth, Origin: harness.baseUrl },
      body: initializeBody,
    });
    expect(local.status).toBe(200);
    await local.body?.cancel();
  });

  it('accepts bodies beyond 100 KB up to the limit and refuses bigger ones with 413', async () => {
    const ping = (padding: number) =>
      fetch(`${harness.baseUrl}/mcp`, {
        method: 'POST',
        headers: { ...mcpHeaders, ...auth },
        body: JSON.stringify({
          ...JSON.parse(initializeBody),
          params: { ...JSON.parse(initializeBody).params, padding: 'x'.repeat(padding) },
        }),
      });
    const fits = await ping(300 * 1024);
    expect(fits.status).toBe(200);
    await fits.body?.cancel();
    const tooLarge = await ping(2 * 1024 * 1024);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { message: string }).message).toContain('SERVER__MAX_BODY_MB');
  });

  it('exposes Prometheus metrics behind the token: requests, tool calls, generations, cache, cost and errors', async () => {
    expect((await fetch(`${harness.baseUrl}/metrics`)).status).toBe(401);
    const read = async () => {
      const response = await fetch(`${harness.baseUrl}/metrics`, { headers: auth });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    const before = await read();
    const client = await connectStreamable(harness.baseUrl);
    try {
      const first = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'metrics lighthouse', size: '1024x1024', quality: 'low' },
      });
      expect(first.isError).toBeFalsy();
      const again = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'metrics lighthouse', size: '1024x1024', quality: 'low' },
      });
      expect((again.structuredContent as { from_cache: boolean }).from_cache).toBe(true);
      const refused = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'metrics lighthouse', model: 'no-such-model' },
      });
      expect(refused.isError).toBe(true);
    } finally {
      await client.close();
    }
    const after = await read();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    const model = { operation: 'generate', model: 'gpt-image-2', provider: 'openai' };
    expect(delta('imagegen_generations_total', { ...model, cache: 'miss' })).toBe(1);
    expect(delta('imagegen_generations_total', { ...model, cache: 'hit' })).toBe(1);
    expect(delta('imagegen_cache_hits_total', { operation: 'generate' })).toBe(1);
    expect(delta('imagegen_cache_misses_total', { operation: 'generate' })).toBe(1);
    expect(delta('imagegen_cost_usd_total', { model: 'gpt-image-2', provider: 'openai' })).toBeGreaterThan(0);
    expect(delta('imagegen_errors_total', { operation: 'generate', code: 'model_not_found' })).toBe(1);
    expect(delta('imagegen_mcp_tool_calls_total', { tool: 'generate_image', outcome: 'success' })).toBe(2);
    expect(delta('imagegen_mcp_tool_calls_total', { tool: 'generate_image', outcome: 'error' })).toBe(1);
    expect(delta('imagegen_mcp_tool_call_duration_seconds_count', { tool: 'generate_image' })).toBe(3);
    expect(delta('imagegen_generation_duration_seconds_count', model)).toBe(2);
    expect(delta('imagegen_http_requests_total', { route: '/mcp', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(after, 'imagegen_http_requests_total', { route: '/metrics', method: 'GET', status: '401' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sampleValue(after, 'imagegen_http_request_duration_seconds_count', { route: '/mcp' })).toBeGreaterThan(0);
    expect(declaresMetric(after, 'imagegen_mcp_sessions')).toBe(true);
    expect(declaresMetric(after, 'process_cpu_seconds_total')).toBe(false);
  });
});

describe('HTTP app CORS', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startApp({ corsOrigins: ['https://app.example'], allowedOrigins: ['https://other.example'] });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers a preflight from a CORS origin without a token', async () => {
    const response = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, mcp-session-id',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-allow-headers')).toContain('Mcp-Session-Id');
    expect(response.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  it('lets a CORS origin read Mcp-Session-Id', async () => {
    const response = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...mcpHeaders, ...auth, Origin: 'https://app.example' },
      body: initializeBody,
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    expect(response.headers.get('mcp-session-id')).toBeTruthy();
  });

  it('accepts an allowed origin without CORS headers and refuses any other', async () => {
    const allowed = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...mcpHeaders, ...auth, Origin: 'https://other.example' },
      body: initializeBody,
    });
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
    expect(allowed.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(403);
  });
});

describe('HTTP app per-client rate limit', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startApp({ clientRateLimitRpm: 3 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers 429 with Retry-After once a client exceeds its requests per minute, keyed by token, else by address', async () => {
    const missingImage = () => fetch(`${harness.baseUrl}/images/img_20200101000000_000000000000`, { headers: auth });
    for (let index = 0; index < 3; index += 1) expect((await missingImage()).status).toBe(404);
    const limited = await missingImage();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { message: string }).message).toContain('SERVER__CLIENT_RATE_LIMIT_RPM');
    // Without a (valid) token the client is its address: a separate allowance.
    expect((await fetch(`${harness.baseUrl}/images/img_20200101000000_000000000000`)).status).toBe(401);
    // Health checks are never limited.
    expect((await fetch(`${harness.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe('HTTP app legacy HTTP+SSE transport', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('serves an old client over GET /sse and POST /messages, one server per stream', async () => {
    expect((await fetch(`${harness.baseUrl}/sse`)).status).toBe(401);
    const connectSse = async () => {
      const client = new Client({ name: 'sse-test', version: '1.0.0' });
      await client.connect(new SSEClientTransport(new URL(`${harness.baseUrl}/sse`), { requestInit: { headers: auth } }));
      return client;
    };
    const first = await connectSse();
    const second = await connectSse();
    try {
      expect(harness.http.sessionCount()).toBe(2);
      const tools = await first.listTools();
      expect(tools.tools.map((tool) => tool.name)).toContain('generate_image');
      const result = await second.callTool({
        name: 'generate_image',
        arguments: { prompt: 'an old client', size: '1024x1024', quality: 'low' },
      });
      expect(result.isError).toBeFalsy();
      const stats = await first.readResource({ uri: 'storage-stats://overview' });
      expect(stats.contents[0]?.mimeType).toBe('application/json');
    } finally {
      await first.close();
      await second.close();
    }
    await waitFor(() => harness.http.sessionCount() === 0, 'SSE sessions to close');
  });

  it('refuses a message for an unknown SSE session, a foreign Host and a foreign Origin', async () => {
    const unknown = await fetch(`${harness.baseUrl}/messages?sessionId=00000000-0000-0000-0000-000000000000`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect(await rawRequest(`${harness.baseUrl}/sse`, { method: 'GET', headers: { Host: 'evil.example', ...auth } })).toBe(403);
    expect((await fetch(`${harness.baseUrl}/sse`, { headers: { ...auth, Origin: 'http://evil.example' } })).status).toBe(403);
  });
});

describe('HTTP app idle sessions', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startApp({ sessionIdleMs: 300 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('closes a session nobody uses, and the client is told to start a new one', async () => {
    const client = await connectStreamable(harness.baseUrl);
    try {
      expect(harness.http.sessionCount()).toBe(1);
      await waitFor(() => harness.http.sessionCount() === 0, 'the idle session to close');
      await expect(client.listTools()).rejects.toThrow(/404|Session not found/);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});

describe.each([false, true])('HTTP app on protocol 2026-07-28 (stateless: %s)', (stateless) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startApp({ stateless, corsOrigins: ['https://app.example'] });
  });
  afterAll(async () => {
    await harness.close();
  });

  const connectModern = async () => {
    const client = new ModernClient({ name: 'modern-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new ModernHttpTransport(new URL(`${harness.baseUrl}/mcp`), { requestInit: { headers: auth } }));
    return client;
  };

  it('serves a pinned client without a session: generates, reads the image back, and counts the call', async () => {
    const client = await connectModern();
    try {
      expect(client.getProtocolEra()).toBe('modern');
      const result = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a modern kite', size: '1024x1024', quality: 'low' },
      });
      expect(result.isError).toBeFalsy();
      const read = await client.readResource({ uri: (result.structuredContent as { resource_uri: string }).resource_uri });
      expect((read.contents[0] as { mimeType: string }).mimeType).toBe('image/png');
      expect(harness.http.sessionCount()).toBe(0);
      const metrics = await (await fetch(`${harness.baseUrl}/metrics`, { headers: auth })).text();
      expect(sampleValue(metrics, 'imagegen_mcp_tool_calls_total', { tool: 'generate_image', outcome: 'success' })).toBeGreaterThanOrEqual(
        1,
      );
    } finally {
      await client.close();
    }
  });

  it('refuses a request whose Mcp-Method header disagrees with its body', async () => {
    const response = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...mcpHeaders, ...auth, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'generate_image' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/list',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
          },
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32020);
  });

  it('lets browser apps send the Mcp-Method and Mcp-Name headers', async () => {
    const response = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'mcp-method, mcp-name',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('Mcp-Method'));
    expect(response.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('Mcp-Name'));
  });
});
