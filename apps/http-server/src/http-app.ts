import { randomUUID } from 'node:crypto';
import { createServer as createNodeServer, type Server } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isLegacyRequest, parseJSONRPCMessage, type McpServer } from '@modelcontextprotocol/server';
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
import { createMemoryClientRateLimiter, type ClientRateLimiter } from '@imagegen/cache';
import { bodyTooLargeMessage, largeBodyGate, refuseDeclaredOversizeBody } from './body-gate';
import { mountRouteFallbacks } from './route-fallbacks';
import { createSessionCaps, isSessionRefusal, sessionClientKey, type SessionPlace, type SessionRefusal } from './session-caps';
import { clientRateLimit, corsHeaders, createOriginPolicy, hostValidation, originValidation } from './request-guards';

export { isLoopbackHost } from './request-guards';

/** What the HTTP app needs. */
export interface HttpAppOptions {
  /** The engine behind every MCP server and `/images`. */
  engine: ImageEngine;
  /**
   * Builds one MCP server (one per 2025 session, one per request for 2026-07-28 and in stateless mode) over the
   * engine it is given: the app passes its own engine wrapper, which records generations for `/metrics`, the era the
   * server will speak, the observer that counts its tool calls, and the signal that aborts when the sessions close
   * (tool calls still running then answer that the server is shutting down).
   */
  createServer: (
    engine: ImageEngine,
    context: { era: ProtocolEra; toolCallObserver: ToolCallObserver; shutdownSignal: AbortSignal; authorization?: McpAuthorization },
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
  /** Requests with a body over 1 MiB read and served at once; the others wait their turn. Default 2. */
  maxConcurrentLargeBodies?: number;
  /** Time a client has to send a whole request (a stalled body gets 408 and the connection closes). Default 120 s. */
  requestTimeoutMs?: number;
  /** Open sessions (2025 Streamable HTTP and legacy SSE together) kept at once; more get 503. Default 200. */
  maxSessions?: number;
  /** Open sessions one client (principal, else IP address) may hold; more get 429. Default 50. */
  maxSessionsPerClient?: number;
  /** Requests per minute accepted from one client (bearer token, else IP) on the MCP and image routes; 0 = unlimited. */
  clientRateLimitRpm?: number;
  /**
   * Where client requests are counted: give the Redis coordination's limiter so all replicas count one allowance.
   * Default: in this process.
   */
  clientRateLimiter?: ClientRateLimiter;
  /** Export Node.js process metrics on `/metrics` too. Default true. */
  processMetrics?: boolean;
  /** Structured logs. */
  logger: Logger;
  /**
   * More routes, mounted after the app's own and before the JSON 404/405 answers for everything else (which would
   * otherwise take them): a page an embedding application adds, or the browser tests' host page.
   */
  additionalRoutes?: (app: Express) => void;
}

/** The app plus what its owner needs to shut it down cleanly. */
export interface HttpApp {
  app: Express;
  /**
   * A Node HTTP server for the app (not yet listening) with the request time-outs: a request (headers and body) must
   * arrive within `requestTimeoutMs`, its headers within a minute of it; else Node answers 408 and closes the
   * connection. Long answers (SSE streams, slow tool calls) are not limited: the time-out covers receiving only.
   */
  createListener(): Server;
  /** What `/metrics` shows. */
  metrics: Registry;
  /** Open MCP sessions (Streamable HTTP and legacy SSE). */
  sessionCount(): number;
  /** Tool calls received and not yet answered. */
  inFlightToolCalls(): number;
  /** Resolves once no tool call is running, or after `timeoutMs`; true when nothing was left running. */
  drain(timeoutMs: number): Promise<boolean>;
  /**
   * Closes every session and its server (ending open streams). Tool calls still running first answer that the server
   * is shutting down (an `isError` result), and those answers are sent before the transports close.
   */
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
  /** The session's place under the session caps, given back when it closes. */
  place: SessionPlace;
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
 * Why a body posted to `/messages` (the 2024-11-05 HTTP+SSE transport) is refused, or undefined when it is one
 * JSON-RPC message. That protocol has no batches, so an array of any length is refused (with its length, never its
 * contents).
 */
export function legacyMessageRefusal(body: unknown): string | undefined {
  if (Array.isArray(body)) {
    return `Invalid Request: a batch of ${body.length} messages; the HTTP+SSE transport takes one JSON-RPC message per POST.`;
  }
  try {
    parseJSONRPCMessage(body);
    return undefined;
  } catch {
    return 'Invalid Request: the body is not a JSON-RPC 2.0 message (jsonrpc, method or result/error, id).';
  }
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
  const clientRpm = options.clientRateLimitRpm ?? 0;
  const rateLimit = clientRateLimit(
    clientRpm,
    options.authToken,
    clientRpm <= 0
      ? undefined
      : options.clientRateLimiter
        ? Promise.resolve(options.clientRateLimiter)
        : createMemoryClientRateLimiter(clientRpm, 60),
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
  const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  // A body over the limit is refused before it is read; large ones (over 1 MiB: edits with base64 images) are read
  // and served a few at a time.
  const bodyLimits = [
    refuseDeclaredOversizeBody(options.maxBodyBytes),
    largeBodyGate({
      largeBodyBytes: 1024 * 1024,
      maxConcurrent: options.maxConcurrentLargeBodies ?? 2,
      maxWaiting: 32,
      maxWaitMs: Math.min(30_000, requestTimeoutMs),
      logger: options.logger,
    }),
  ];

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
      const image = await engineOf(request).openImageStream(String(request.params['imageId']));
      response
        .status(200)
        .set('Content-Type', image.mimeType)
        .set('Content-Length', String(image.sizeBytes))
        // Stored SVGs are sanitized; this keeps a browser that opens one directly from running anything in it anyway.
        .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        .set('X-Content-Type-Options', 'nosniff')
        .set('Cache-Control', 'private, max-age=31536000, immutable')
        .set('ETag', `"${image.imageId}"`);
      // Piped as it arrives from the store; a store failure mid-way ends the response early (the length shows it is short).
      await pipeline(image.stream, response).catch((error: unknown) => {
        options.logger.warn('an image stream ended early', { imageId: image.imageId, error: String(error) });
      });
    } catch (error) {
      const known = ImageGenError.isInstance(error);
      const status = known && error.code === 'not_found' ? 404 : known && error.code === 'invalid_request' ? 400 : 500;
      response.status(status).json({ error: known ? error.code : 'internal', message: known ? error.message : 'Internal error.' });
    }
  });

  mountGalleryRoutes(app, { engineOf, guarded });

  const shutdown = new AbortController();
  /**
   * One MCP server for a request's principal: over the whole (instrumented) engine without sign-in, over the user's
   * view with it, scope checks included.
   */
  const createServer = (era: ProtocolEra, authInfo: AuthInfo | undefined) => {
    const context = { era, toolCallObserver: metrics.toolCallObserver, shutdownSignal: shutdown.signal };
    if (!signedIn || !authInfo || !authentication.scopes) return options.createServer(engine, context);
    const access = authentication.accessOf({ auth: authInfo } as unknown as Request);
    return options.createServer(metrics.instrumentEngine(options.engine.forPrincipal(access)), {
      ...context,
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
  const sessionLimits = { total: options.maxSessions ?? 200, perClient: options.maxSessionsPerClient ?? 50 };
  const sessionCaps = createSessionCaps(sessionLimits);
  /** Seconds until the first session that counts against this refusal idles out (at least 1). */
  const retryAfterSeconds = (refusal: SessionRefusal, client: string) => {
    const now = Date.now();
    let soonest = options.sessionIdleMs;
    for (const session of [...sessions.values(), ...sseSessions.values()]) {
      if (refusal.scope === 'client' && session.place.client !== client) continue;
      soonest = Math.min(soonest, session.lastSeen + options.sessionIdleMs - now);
    }
    return Math.max(1, Math.ceil(soonest / 1000));
  };
  /** A new session beyond a cap: 503 when the server is full, 429 when this client holds its share; Retry-After. */
  const refuseSession = (response: Response, refusal: SessionRefusal, client: string) => {
    const retryAfter = retryAfterSeconds(refusal, client);
    response.set('Retry-After', String(retryAfter));
    const message =
      refusal.scope === 'client'
        ? `Too many open MCP sessions from this client: at most ${refusal.limit} (SERVER__MAX_SESSIONS_PER_CLIENT). Close one (DELETE /mcp, or end the SSE stream) or retry after ${retryAfter} seconds, when an idle one expires.`
        : `The server holds as many MCP sessions as it may (${refusal.limit}, SERVER__MAX_SESSIONS). Retry after ${retryAfter} seconds.`;
    options.logger.warn('MCP session refused: cap reached', { scope: refusal.scope, limit: refusal.limit });
    jsonRpcError(response, refusal.scope === 'client' ? 429 : 503, -32000, message);
  };
  /** Takes a session place for the request's client, or answers the refusal and gives undefined. */
  const takeSessionPlace = (request: Request, response: Response): SessionPlace | undefined => {
    // With sign-in a user's sessions count together, whichever client app or address they come from.
    const client = signedIn ? `principal:${principalOfRequest(request)}` : sessionClientKey(request);
    const outcome = sessionCaps.take(client);
    if (!isSessionRefusal(outcome)) return outcome;
    refuseSession(response, outcome, client);
    return undefined;
  };
  metrics.observeSessions(() => ({ streamable_http: sessions.size, sse: sseSessions.size }));
  const closeSession = async (session: Pick<Session, 'transport' | 'server'>) => {
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
    const place = takeSessionPlace(request, response);
    if (!place) return;
    let opened = false;
    const server = createServer('legacy', authentication.authInfoOf(request));
    const principalId = principalOfRequest(request);
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (newSessionId) => {
        opened = true;
        sessions.set(newSessionId, { transport, server, lastSeen: Date.now(), principalId, place });
      },
    });
    // Set before connect, so the SDK keeps its own close handling (which aborts running tool calls) as well.
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      place.release();
    };
    try {
      await connectServer(transport, server);
      await transport.handleRequest(request, response, request.body);
    } finally {
      // Not an initialize, or a refused one: no session was opened, so its place and server go.
      if (!opened) {
        place.release();
        void closeSession({ transport, server });
      }
    }
  };

  /** Whether a request speaks 2025 (no per-request `_meta` envelope): GET and DELETE are 2025 session operations. */
  const isLegacy = async (request: Request) =>
    request.method !== 'POST' ||
    (await isLegacyRequest(headersOnlyRequest(request), request.body, { maxRequestBodySize: options.maxBodyBytes }));

  app.all('/mcp', ...guarded, ...bodyLimits, jsonBody, async (request, response) => {
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
    const place = takeSessionPlace(request, response);
    if (!place) return;
    const transport = new SSEServerTransport('/messages', response);
    const sessionId = transport.sessionId;
    // Set before connect: the SDK chains its own close handling (which ends the server's side) after this.
    transport.onclose = () => {
      sseSessions.delete(sessionId);
      place.release();
    };
    try {
      const server = await connectServer(transport, createServer('legacy', authentication.authInfoOf(request)));
      sseSessions.set(sessionId, { transport, server, lastSeen: Date.now(), principalId: principalOfRequest(request), place });
      options.logger.info('legacy SSE session opened', { sessionId });
    } catch (error) {
      place.release();
      options.logger.error('SSE session failed to start', { error: String(error) });
      if (!response.headersSent) jsonRpcError(response, 500, -32603, 'Internal error.');
    }
  });
  app.post('/messages', ...guarded, ...bodyLimits, jsonBody, async (request, response) => {
    const sessionId = typeof request.query['sessionId'] === 'string' ? request.query['sessionId'] : '';
    const found = sseSessions.get(sessionId);
    const session = found && found.principalId === principalOfRequest(request) ? found : undefined;
    if (!session) {
      jsonRpcError(response, 404, -32001, 'SSE session not found or expired; open a new one with GET /sse.');
      return;
    }
    session.lastSeen = Date.now();
    // The transport answers a body it cannot take with the body itself as text (`Invalid message: [object Object],…`,
    // once per message of a batch): refuse those here, in one short JSON-RPC error.
    const refusal = legacyMessageRefusal(request.body);
    if (refusal) {
      jsonRpcError(response, 400, -32600, refusal);
      return;
    }
    try {
      await (session.transport as SSEServerTransport).handlePostMessage(request, response, request.body);
    } catch (error) {
      options.logger.error('SSE message failed', { error: String(error) });
      if (!response.headersSent) jsonRpcError(response, 500, -32603, 'Internal error.');
    }
  });

  options.additionalRoutes?.(app);
  mountRouteFallbacks(app);

  // Body-parser errors (too large, malformed JSON) answer as JSON, without a stack trace.
  app.use((error: { status?: number; type?: string }, _request: Request, response: Response, next: NextFunction) => {
    if (!error) return next();
    const status = error.status ?? 500;
    // A body refused for its size is not read to its end: the connection closes instead.
    if (error.type === 'entity.too.large') response.set('Connection', 'close');
    response.status(status).json({
      error: error.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request',
      message: error.type === 'entity.too.large' ? bodyTooLargeMessage(options.maxBodyBytes) : 'The request could not be read.',
    });
  });

  return {
    app,
    createListener: () =>
      createNodeServer(
        {
          requestTimeout: requestTimeoutMs,
          headersTimeout: Math.min(60_000, requestTimeoutMs),
          // How often Node checks those time-outs: a stalled request is cut at most 5 s (or a quarter of a short time-out) late.
          connectionsCheckingInterval: Math.max(100, Math.min(5_000, requestTimeoutMs / 4)),
        },
        app,
      ),
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
      // Running tool calls answer "shutting down" at once; give those answers a moment to be written.
      shutdown.abort();
      const answered = Date.now() + 2_000;
      while (metrics.inFlightToolCalls() > 0 && Date.now() < answered) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setImmediate(resolve));
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
