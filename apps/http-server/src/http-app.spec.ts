/** The HTTP app in process, with a real engine against the fake OpenAI server and the SDK's own HTTP client. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createImageGenMcpServer } from '@imagegen/mcp';
import { createMemoryLogger } from '@imagegen/common';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createHttpApp, type HttpApp } from './http-app';

describe.each([false, true])('HTTP app (stateless: %s)', (stateless) => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let engine: ImageEngine;
  let http: HttpApp;
  let listener: Server;
  let baseUrl: string;
  const token = 'test-token-0123456789';

  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-http-'));
    const { config } = loadConfig({
      env: { OPENAI_API_KEY: 'sk-http-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    const logger = createMemoryLogger();
    engine = await createImageEngineFromConfig(config, { logger, scheduleRetention: false });
    http = createHttpApp({
      engine,
      createServer: () =>
        createImageGenMcpServer({ engine, logger, settings: { name: 'test', version: '0.0.0', responseByteBudget: 500_000, includeDataUrl: false, allowLocalFiles: false, retentionDays: 30 } }),
      host: '127.0.0.1',
      allowedHosts: [],
      authToken: token,
      stateless,
      sessionIdleMs: 60_000,
      maxBodyBytes: 64 * 1024,
      logger,
    });
    listener = await new Promise<Server>((resolve) => {
      const server = http.app.listen(0, '127.0.0.1', () => resolve(server));
    });
    baseUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await http.closeSessions();
    await new Promise((resolve) => listener.close(resolve));
    await engine.close();
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  const connect = async () => {
    const client = new Client({ name: 'http-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    return client;
  };

  it('answers health checks without authentication', async () => {
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('serves MCP to an authenticated client and the stored image over /images', async () => {
    const client = await connect();
    try {
      const result = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a kite', size: '1024x1024', quality: 'low' } });
      expect(result.isError).toBeFalsy();
      const imageId = (result.structuredContent as { image_id: string }).image_id;
      const unauthenticated = await fetch(`${baseUrl}/images/${imageId}`);
      expect(unauthenticated.status).toBe(401);
      const image = await fetch(`${baseUrl}/images/${imageId}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect(image.headers.get('cache-control')).toContain('immutable');
      const missing = await fetch(`${baseUrl}/images/img_20200101000000_000000000000`, { headers: { Authorization: `Bearer ${token}` } });
      expect(missing.status).toBe(404);
    } finally {
      await client.close();
    }
  });

  it('refuses requests without the bearer token', async () => {
    const response = await fetch(`${baseUrl}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(`${baseUrl}/mcp`, { method: 'POST', headers: { Host: 'evil.example', Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      outgoing.on('error', reject);
      outgoing.end('{}');
    });
    expect(status).toBe(403);
  });

  it('refuses an oversized body with 413', async () => {
    const response = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { padding: 'x'.repeat(128 * 1024) } }),
    });
    expect(response.status).toBe(413);
  });
});
