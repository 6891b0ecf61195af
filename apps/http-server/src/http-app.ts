import { randomUUID } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isLegacyRequest, type McpServer } from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import type { Registry } from 'prom-client';
import { ImageGenError, type ImageEngine, type Logger } from '@imagegen/core';
import {
  imageGenToolNames,
  setUserBudgetToolName,
  withLegacyResourceNotFoundCode,
  type McpAuthorization,
  type ProtocolEra,
  type ToolCallObserver,
} from '@imagegen/mcp';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { createAuthentication, type Authentication } from './auth/authentication';
import { mountGalleryRoutes } from './gallery-routes';
import { createAppMetrics } from './metrics';
import { clientRateLimit, corsHeaders, createOriginPolicy, hostValidation, originValidation } from './request-guards';

export { isLoopbackHost } from './request-guards';

/** What the HTTP app needs. */
export interface HttpAppOptions {
  /** The engine behind every MCP server and `/images`. */
  engine: ImageEngine;
  /**
   * Builds one MCP server (one per 2025 session, one per request for 2026-07-28 and in stateless mode) over the
   * engine it is given: the app passes its own engine wrapper, which records generations for `/metrics`, the era the
   * server will speak, and the observer that counts its tool calls.
   */
  createServer: (
    engine: ImageEngine,
    context: { era: ProtocolEra; toolCallObserver: ToolCallObserver; authorization?: McpAuthorization },
  ) => McpServer;
  /** Address the server binds to; loopback addresses turn on Host-header validation by default. */
  host: string;
  /** Extra Host names accepted (e.g. a public name behind a proxy). */
  allowedHosts: readonly string[];
  /** Extra browser origins accepted (`*` = any). Loopback (or allowed-host) origins are always accepted. */
  allowedOrigins?: readonly string[];
  /** Origins that get CORS headers (`*` = any accepted origin). */
  corsOrigins?: readonly string[];
  /** Bearer token required on `/mcp`, `/sse`, `/messages`, `/images`, `/gallery/api` and `/metrics`; required whenever the host is not loopback. */
  authToken?: string;
  /**
   * How clients authenticate; overrides `authToken`. With sign-in (`oauth`), every request acts for its user: each
   * MCP server is built over that user's view of the engine, sessions are bound to the user who opened them, and the
   * per-client rate limit counts per user. Default: the static token when `authToken` is set, else none.
   */
  authentication?: Authentication;
  /** 2025 clients too get a new server and transport per request, no sessions (for horizontal scaling). */
  stateless: boolean;
  /** Sessions idle this long are closed. */
  sessionIdleMs: number;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Requests per minute accepted from one client (bearer token, else IP) on the MCP and image routes; 0 = unlimited. */
  clientRateLimitRpm?: number;
  /** Export Node.js process metrics on `/metrics` too. Default true. */
  processMetrics?: boolean;
  /** Structured logs. */
  logger: Logger;
}

/** The app plus what its owner needs to shut it down cleanly. */
export interface HttpApp {
  app: Express;
  /** What `/metrics` shows. */
  metrics: Registry;
  /** Open MCP sessions (Streamable HTTP and legacy SSE). */
  sessionCount(): number;
  /** Tool calls received and not yet answered. */
  inFlightToolCalls(): number;
  /** Resolves once no tool call is running, or after `timeoutMs`; true when nothing was left running. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Closes every session and its server (ending open streams). */
  closeSessions(): Promise<void>;
  /** Tells every client that listens (2025 sessions, 2026-07-28 subscriptions) that the resource list changed. */
  notifyResourcesChanged(): void;
}

interface Session {
  transport: NodeStreamableHTTPServerTransport | SSEServerTransport;
  server: McpServer;
  lastSeen: number;
  /** The principal who opened it: a request of anyone else is answered as for an unknown session. */
  principalId: string;
}

const jsonRpcError = (response: Response, status: number, code: number, message: string) => {
  response.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
};

/** A Web `Request` with the Node request's method, URL and headers; the body is given to the classifier parsed. */
function headersOnlyRequest(request: Request): globalThis.Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  return new globalThis.Request(`http://${request.headers.host ?? 'localhost'}${request.originalUrl}`, { method: request.method, headers });
}

/**
 * Streamable HTTP at `/mcp` for both protocol eras: 2026-07-28 requests are served one by one (no session, headers
 * checked against the body), 2025 clients get sessions with idle expiry (or stateless serving), the deprecated HTTP+SSE
 * transport at `/sse` + `/messages`, stored images at `/images/{id}`, Prometheus metrics at `/metrics`, `/healthz`
 * and `/readyz`. Host and Origin validation guard against DNS rebinding; a bearer token, CORS and per-client rate
 * limits are configurable.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const metrics = createAppMetrics({
    toolNames: [...imageGenToolNames, setUserBudgetToolName],
    processMetrics: options.processMetrics ?? true,
  });
  const engine = metrics.instrumentEngine(options.engine);
  const guardOptions = {
    bindHost: options.host,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins ?? [],
    corsOrigins: options.corsOrigins ?? [],
  };
  const originPolicy = createOriginPolicy(guardOptions);
  const hostCheck = hostValidation(guardOptions);
  const authentication =
    options.authentication ?? createAuthentication(options.authToken ? { mode: 'token', token: options.authToken } : { mode: 'none' });
  const signedIn = authentication.mode === 'oauth';
  const requireToken = authentication.gate;
  const rateLimit = clientRateLimit(
    options.clientRateLimitRpm ?? 0,
    options.authToken,
    signedIn ? (request) => authentication.accessOf(request).principalId : undefined,
  );
  // With sign-in the limit counts per user, so it runs after the gate; otherwise per token or address, before it.
  const guarded = signedIn ? [requireToken, ...(rateLimit ? [rateLimit] : [])] : [...(rateLimit ? [rateLimit] : []), requireToken];
  /** The engine as the request's principal sees it (the whole engine without sign-in). */
  const engineOf = (request: Request): ImageEngine => {
    const access = authentication.accessOf(request);
    return signedIn ? options.engine.forPrincipal(access) : options.engine;
  };
  const jsonBody = express.json({ limit: options.maxBodyBytes });

  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.httpMiddleware);

  // Health checks answer before Host/Origin checks: probes address the pod or container by IP.
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    // A provider key, a store that answers and a reachable cache (Redis, when configured).
    const report = await options.engine.checkReadiness();
    const checks = Object.fromEntries(Object.entries(report.checks).map(([name, check]) => [name, check.ok]));
    const problems = Object.values(report.checks).flatMap((check) => (check.message === undefined ? [] : [check.message]));
    response
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'not_ready', checks, ...(problems.length ? { problems } : {}) });
  });

  if (hostCheck) app.use(hostCheck);
  app.use(originValidation(originPolicy));
  app.use(corsHeaders(originPolicy));

  authentication.mountMetadata(app);

  /** With sign-in, the metrics (everyone's traffic and spend) are for administrators only. */
  const adminOnly = (request: Request, response: Response, next: NextFunction) => {
    if (!signedIn || authentication.accessOf(request).admin) return next();
    response.status(403).json({ error: 'forbidden', message: 'The metrics are for administrators: sign in with the administrator scope.' });
  };

  app.get('/metrics', requireToken, adminOnly, async (_request, response) => {
    response.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/images/:imageId', ...guarded, async (request, response) => {
    try {
      const image = await engineOf(request).getImage(String(request.params['imageId']));
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

  mountGalleryRoutes(app, { engineOf, guarded });

  /**
   * One MCP server for a request's principal: over the whole (instrumented) engine without sign-in, over the user's
   * view with it, scope checks included.
   */
  const createServer = (era: ProtocolEra, authInfo: AuthInfo | undefined) => {
    if (!signedIn || !authInfo || !authentication.scopes)
      return options.createServer(engine, { era, toolCallObserver: metrics.toolCallObserver });
    const access = authentication.accessOf({ auth: authInfo } as unknown as Request);
    return options.createServer(metrics.instrumentEngine(options.engine.forPrincipal(access)), {
      era,
      toolCallObserver: metrics.toolCallObserver,
      authorization: { authInfo, scopes: authentication.scopes },
    });
  };
  const principalOfRequest = (request: Request) => authentication.accessOf(request).principalId;
  /** Connects a new 2025-era server (one per session or request) to its transport. */
  const connectServer = async (
    transport: NodeStreamableHTTPServerTransport | SSEServerTransport,
    server: McpServer,
  ): Promise<McpServer> => {
    // Every transport here serves 2025 clients only.
    await server.connect(withLegacyResourceNotFoundCode(transport, () => true));
    return server;
  };

  // 2026-07-28: a server per request, built by the SDK's handler, which validates the envelope and the Mcp-Method /
  // Mcp-Name headers, answers server/discover and serves subscriptions/listen. 2025 traffic is routed below instead.
  const reportError = (error: Error) => options.logger.warn('MCP request refused or failed', { error: error.message });
  const modern = createMcpHandler(({ era, authInfo }) => createServer(era, authInfo), {
    legacy: 'reject',
    maxRequestBodySize: options.maxBodyBytes,
    onerror: reportError,
  });
  const serveModern = toNodeHandler(modern, { maxRequestBodySize: options.maxBodyBytes, onerror: reportError });

  const sessions = new Map<string, Session>();
  const sseSessions = new Map<string, Session>();
  metrics.observeSessions(() => ({ streamable_http: sessions.size, sse: sseSessions.size }));
  const closeSession = async (session: Session) => {
    await session.transport.close().catch(() => undefined);
    await session.server.close().catch(() => undefined);
  };
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const table of [sessions, sseSessions]) {
        for (const [sessionId, session] of table) {
          if (now - session.lastSeen > options.sessionIdleMs) {
            options.logger.info('closing idle MCP session', { sessionId });
            table.delete(sessionId);
            void closeSession(session);
          }
        }
      }
    },
    Math.max(10, Math.min(60_000, options.sessionIdleMs / 2)),
  );
  sweep.unref();

  const handleStateless = async (request: Request, response: Response) => {
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const server = await connectServer(transport, createServer('legacy', authentication.authInfoOf(request)));
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await transport.handleRequest(request, response, request.body);
  };

  const handleStateful = async (request: Request, response: Response) => {
    const sessionId = request.headers['mcp-session-id'];
    const found = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    // A session answers only the principal who opened it; to anyone else it does not exist.
    const existing = found && found.principalId === principalOfRequest(request) ? found : undefined;
    if (existing) {
      existing.lastSeen = Date.now();
      await (existing.transport as NodeStreamableHTTPServerTransport).handleRequest(request, response, request.body);
      return;
    }
    if (typeof sessionId === 'string') {
      jsonRpcError(response, 404, -32001, 'Session not found or expired; initialize a new session.');
      return;
    }
    if (request.method !== 'POST') {
      jsonRpcError(response, 400, -32000, 'Bad request: no session; send initialize first.');
      return;
    }
    const server = createServer('legacy', authentication.authInfoOf(request));
    const principalId = principalOfRequest(request);
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (newSessionId) => {
        sessions.set(newSessionId, { transport, server, lastSeen: Date.now(), principalId });
      },
    });
    // Set before connect, so the SDK keeps its own close handling (which aborts running tool calls) as well.
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await connectServer(transport, server);
    await transport.handleRequest(request, response, request.body);
  };

  /** Whether a request speaks 2025 (no per-request `_meta` envelope): GET and DELETE are 2025 session operations. */
  const isLegacy = async (request: Request) =>
    request.method !== 'POST' ||
    (await isLegacyRequest(headersOnlyRequest(request), request.body, { maxRequestBodySize: options.maxBodyBytes }));

  app.all('/mcp', ...guarded, jsonBody, async (request, response) => {
    try {
      if (!(await isLegacy(request))) await serveModern(request, response, request.body);
      else await (options.stateless ? handleStateless(request, response) : handleStateful(request, response));
    } catch (error) {
      options.logger.error('MCP request failed', { error: String(error) });
      if (!response.headersSent) jsonRpcError(response, 500, -32603, 'Internal error.');
    }
  });

  // The deprecated HTTP+SSE transport (protocol 2024-11-05) for older clients: one server per SSE stream.
  app.get('/sse', ...guarded, async (request, response) => {
    const transport = new SSEServerTransport('/messages', response);
    const sessionId = transport.sessionId;
    // Set before connect: the SDK chains its own close handling (which ends the server's side) after this.
    transport.onclose = () => {
      sseSessions.delete(sessionId);
    };
    try {
      const server = await connectServer(transport, createServer('legacy', authentication.authInfoOf(request)));
      sseSessions.set(sessionId, { transport, server, lastSeen: Date.now(), principalId: principalOfRequest(request) });
      options.logger.info('legacy SSE session opened', { sessionId });
    } catch (error) {
      options.logger.error('SSE session failed to start', { error: String(error) });
      if (!response.headersSent) jsonRpcError(response, 500, -32603, 'Internal error.');
    }
  });
  app.post('/messages', ...guarded, jsonBody, async (request, response) => {
    const sessionId = typeof request.query['sessionId'] === 'string' ? request.query['sessionId'] : '';
    const found = sseSessions.get(sessionId);
    const session = found && found.principalId === principalOfRequest(request) ? found : undefined;
    if (!session) {
      jsonRpcError(response, 404, -32001, 'SSE session not found or expired; open a new one with GET /sse.');
      return;
    }
    session.lastSeen = Date.now();
    try {
      await (session.transport as SSEServerTransport).handlePostMessage(request, response, request.body);
    } catch (error) {
      options.logger.error('SSE message failed', { error: String(error) });
      if (!response.headersSent) jsonRpcError(response, 500, -32603, 'Internal error.');
    }
  });

  // Body-parser errors (too large, malformed JSON) answer as JSON, without a stack trace.
  app.use((error: { status?: number; type?: string }, _request: Request, response: Response, next: NextFunction) => {
    if (!error) return next();
    const status = error.status ?? 500;
    response.status(status).json({
      error: error.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request',
      message:
        error.type === 'entity.too.large'
          ? `The request body is larger than ${options.maxBodyBytes} bytes (SERVER__MAX_BODY_MB).`
          : 'The request could not be read.',
    });
  });

  return {
    app,
    metrics: metrics.registry,
    sessionCount: () => sessions.size + sseSessions.size,
    inFlightToolCalls: () => metrics.inFlightToolCalls(),
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (metrics.inFlightToolCalls() > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now()))));
      }
      return metrics.inFlightToolCalls() === 0;
    },
    async closeSessions() {
      clearInterval(sweep);
      const all = [...sessions.values(), ...sseSessions.values()];
      sessions.clear();
      sseSessions.clear();
      await Promise.all([...all.map(closeSession), modern.close().catch(() => undefined)]);
    },
    notifyResourcesChanged() {
      modern.notify.resourcesChanged();
      for (const session of [...sessions.values(), ...sseSessions.values()]) {
        if (session.server.isConnected()) void Promise.resolve(session.server.sendResourceListChanged()).catch(() => undefined);
      }
    },
  };
}
