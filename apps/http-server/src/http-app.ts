import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ImageGenError, type ImageEngine, type Logger } from '@imagegen/core';

/** What the HTTP app needs. */
export interface HttpAppOptions {
  /** The engine behind every MCP server and `/images`. */
  engine: ImageEngine;
  /** Builds one MCP server (one per session, or one per request when stateless). */
  createServer: () => McpServer;
  /** Address the server binds to; loopback addresses turn on Host-header validation by default. */
  host: string;
  /** Extra Host names accepted (e.g. a public name behind a proxy). */
  allowedHosts: readonly string[];
  /** Bearer token required on `/mcp` and `/images`; required whenever the host is not loopback. */
  authToken?: string;
  /** A new server and transport per request, no sessions (for horizontal scaling). */
  stateless: boolean;
  /** Sessions idle this long are closed. */
  sessionIdleMs: number;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Structured logs. */
  logger: Logger;
}

/** The app plus what its owner needs to shut it down cleanly. */
export interface HttpApp {
  app: Express;
  /** Open MCP sessions. */
  sessionCount(): number;
  /** Closes every session and its server. */
  closeSessions(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host);
}

function tokensMatch(expected: string, presented: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(presented);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Streamable HTTP at `/mcp` (stateful by default, with idle expiry; stateless on request), stored images at
 * `/images/{id}`, `/healthz` and `/readyz`. Host-header validation guards loopback servers against DNS rebinding.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const app = createMcpExpressApp({
    host: options.host,
    ...(options.allowedHosts.length > 0 ? { allowedHosts: [...options.allowedHosts] } : {}),
  });
  app.disable('x-powered-by');

  const requireToken = (request: Request, response: Response, next: NextFunction) => {
    if (!options.authToken) return next();
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (presented && tokensMatch(options.authToken, presented)) return next();
    response.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: 'Send Authorization: Bearer <SERVER__AUTH_TOKEN>.' });
  };
  const jsonBody = express.json({ limit: options.maxBodyBytes });

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    const checks: Record<string, boolean> = { provider_configured: options.engine.configuredProviders().length > 0 };
    try {
      await options.engine.stats();
      checks['storage'] = true;
    } catch {
      checks['storage'] = false;
    }
    const ready = Object.values(checks).every(Boolean);
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/images/:imageId', requireToken, async (request, response) => {
    try {
      const image = await options.engine.getImage(String(request.params['imageId']));
      response
        .status(200)
        .set('Content-Type', image.mimeType)
        .set('Cache-Control', 'private, max-age=31536000, immutable')
        .set('ETag', `"${image.imageId}"`)
        .send(Buffer.from(image.bytes));
    } catch (error) {
      const known = ImageGenError.isInstance(error);
      const status = known && error.code === 'not_found' ? 404 : known && error.code === 'invalid_request' ? 400 : 500;
      response.status(status).json({ error: known ? error.code : 'internal', message: known ? error.message : 'Internal error.' });
    }
  });

  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer; lastSeen: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [sessionId, session] of sessions) {
      if (now - session.lastSeen > options.sessionIdleMs) {
        options.logger.info('closing idle MCP session', { sessionId });
        sessions.delete(sessionId);
        void session.transport.close();
        void session.server.close();
      }
    }
  }, Math.min(60_000, options.sessionIdleMs));
  sweep.unref();

  const handleStateless = async (request: Request, response: Response) => {
    const server = options.createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, request.body);
  };

  const handleStateful = async (request: Request, response: Response) => {
    const sessionId = request.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (existing) {
      existing.lastSeen = Date.now();
      await existing.transport.handleRequest(request, response, request.body);
      return;
    }
    if (typeof sessionId === 'string') {
      response.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found or expired; initialize a new session.' }, id: null });
      return;
    }
    if (request.method !== 'POST') {
      response.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad request: no session; send initialize first.' }, id: null });
      return;
    }
    const server = options.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (newSessionId) => {
        sessions.set(newSessionId, { transport, server, lastSeen: Date.now() });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, request.body);
  };

  app.all('/mcp', requireToken, jsonBody, async (request, response) => {
    try {
      await (options.stateless ? handleStateless(request, response) : handleStateful(request, response));
    } catch (error) {
      options.logger.error('MCP request failed', { error: String(error) });
      if (!response.headersSent) {
        response.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error.' }, id: null });
      }
    }
  });

  // Body-parser errors (too large, malformed JSON) answer as JSON, without a stack trace.
  app.use((error: { status?: number; type?: string }, _request: Request, response: Response, next: NextFunction) => {
    if (!error) return next();
    const status = error.status ?? 500;
    response.status(status).json({
      error: error.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request',
      message: error.type === 'entity.too.large' ? `The request body is larger than ${options.maxBodyBytes} bytes (SERVER__MAX_BODY_MB).` : 'The request could not be read.',
    });
  });

  return {
    app,
    sessionCount: () => sessions.size,
    async closeSessions() {
      clearInterval(sweep);
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map(async (session) => {
        await session.transport.close().catch(() => undefined);
        await session.server.close().catch(() => undefined);
      }));
    },
  };
}
