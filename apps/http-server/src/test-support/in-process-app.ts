/**
 * The HTTP app in this process on a free loopback port, with a real engine against a fake OpenAI server, listening
 * through the app's own configured listener (time-outs included), for tests that probe its limits.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createImageGenMcpServer, type McpServerSettings } from '@imagegen/mcp';
import { createMemoryLogger } from '@imagegen/common';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createHttpApp, type HttpApp, type HttpAppOptions } from '../http-app';

export const testToken = 'test-token-0123456789';

export interface InProcessApp {
  http: HttpApp;
  listener: Server;
  engine: ImageEngine;
  logger: ReturnType<typeof createMemoryLogger>;
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the app with a bearer token and these overrides; `settings` change what its MCP servers answer. */
export async function startInProcessApp(
  fake: FakeOpenAIServer,
  overrides: Partial<HttpAppOptions> = {},
  settings: Partial<McpServerSettings> = {},
): Promise<InProcessApp> {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-http-limits-'));
  const { config } = loadConfig({
    env: { OPENAI_API_KEY: 'sk-http-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
    cwd: storage,
    homeDirectory: storage,
    platform: 'linux',
  });
  const logger = createMemoryLogger();
  const engine = await createImageEngineFromConfig(config, { logger, scheduleRetention: false });
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
          ...settings,
        },
      }),
    host: '127.0.0.1',
    allowedHosts: [],
    authToken: testToken,
    stateless: false,
    sessionIdleMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    processMetrics: false,
    logger,
    ...overrides,
  });
  const listener = http.createListener();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  return {
    http,
    listener,
    engine,
    logger,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await http.closeSessions();
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
      await engine.close();
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}
