import './compile-cache';
import * as os from 'node:os';
import { loadConfig, parseConfigArguments } from '@imagegen/config';
import {
  createImageEngineFromConfig,
  createJsonLogger,
  ImageGenError,
  openCoordinationFromConfig,
  routeConsoleToLogger,
  type ImageEngine,
} from '@imagegen/core';
import { createImageGenMcpServer, type McpAuthorization, type ProtocolEra, type ToolCallObserver } from '@imagegen/mcp';
import { createAuthentication, scopeNamesWith, type AuthenticationOptions } from './auth/authentication';
import { createJwtAccessTokenVerifier } from './auth/jwt-verifier';
import { createHttpApp, isLoopbackHost } from './http-app';

const usage = `imagegen-mcp-http — image generation MCP server over Streamable HTTP

Usage: imagegen-mcp-http [--port N] [--host ADDRESS] [--stateless] [--config FILE] [--env-file FILE] [--set KEY=VALUE]...

Endpoints: POST/GET/DELETE /mcp (Streamable HTTP; MCP 2026-07-28 per request and 2025 sessions), GET /sse + POST /messages (deprecated HTTP+SSE transport),
GET /images/{id}, GET /metrics (Prometheus), GET /healthz, GET /readyz.
Listening beyond loopback requires SERVER__AUTH_TOKEN (clients then send "Authorization: Bearer <token>") or sign-in
through an identity provider (AUTH__MODE=oauth, AUTH__ISSUER=https://login.example.com).
`;

const exitCodes = { configError: 78, startupFailure: 1 } as const;

/** Maps this app's own flags onto configuration paths; everything else goes to the config loader. */
function appFlags(argv: string[]): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    const [name, inlineValue] = argument.split('=', 2) as [string, string | undefined];
    const value = () => inlineValue ?? argv[++index];
    if (name === '--port') flags['server.port'] = value();
    else if (name === '--host') flags['server.host'] = value();
    else if (name === '--stateless') flags['server.stateless'] = 'true';
  }
  return flags;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  const configArguments = parseConfigArguments(argv);
  let loaded;
  try {
    loaded = loadConfig({
      env: process.env,
      argv,
      flags: appFlags(configArguments.remaining),
      cwd: process.cwd(),
      homeDirectory: os.homedir(),
      platform: process.platform,
    });
  } catch (error) {
    process.stderr.write(`imagegen-mcp-http: ${ImageGenError.isInstance(error) ? error.message : String(error)}\n`);
    process.exitCode = exitCodes.configError;
    return;
  }
  const { config } = loaded;
  const logger = createJsonLogger({ level: config.server.log_level, destination: process.stderr, base: { service: 'imagegen-mcp-http' } });
  // Dependencies that print (ioredis warns with console.warn) write JSON log lines too, never plain text.
  routeConsoleToLogger(logger);
  for (const warning of loaded.warnings) logger.warn(warning.message, { setting: warning.setting });

  const authMode = config.auth.mode ?? (config.server.auth_token ? 'token' : 'none');
  if (authMode === 'token' && !config.server.auth_token) {
    process.stderr.write('imagegen-mcp-http: AUTH__MODE is token, but SERVER__AUTH_TOKEN is not set.\n');
    process.exitCode = exitCodes.configError;
    return;
  }
  if (!isLoopbackHost(config.server.host) && authMode === 'none') {
    process.stderr.write(
      `imagegen-mcp-http: listening on ${config.server.host} exposes the server beyond this machine; set SERVER__AUTH_TOKEN (or AUTH__MODE=oauth with AUTH__ISSUER) so clients must authenticate.\n`,
    );
    process.exitCode = exitCodes.configError;
    return;
  }
  let engine;
  let coordination;
  let notifyImagesChanged = () => undefined as void;
  try {
    // Replicas behind one load balancer share it (REDIS__URL): the engine's flights, limits and jobs, and the client limits here.
    coordination = await openCoordinationFromConfig(config, logger);
    engine = await createImageEngineFromConfig(config, {
      logger,
      onImagesChanged: () => notifyImagesChanged(),
      ...(coordination ? { coordination } : {}),
    });
  } catch (error) {
    await coordination?.close();
    process.stderr.write(`imagegen-mcp-http: ${ImageGenError.isInstance(error) ? error.message : String(error)}\n`);
    process.exitCode =
      ImageGenError.isInstance(error) && error.code === 'invalid_config' ? exitCodes.configError : exitCodes.startupFailure;
    return;
  }
  const hostInUrl = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  // Image links: IMAGES__BASE_HOST, else this listener (its real port once known, for --port 0).
  let publicBaseUrl = config.images.base_host ?? `http://${hostInUrl}:${config.server.port}`;
  let listeningBaseUrl = `http://${hostInUrl}:${config.server.port}`;
  // The resource tokens must be issued for (RFC 8707): AUTH__AUDIENCE, else this server's own /mcp URL.
  const resourceUrl = () => config.auth.audience ?? `${(config.images.base_host ?? listeningBaseUrl).replace(/\/+$/, '')}/mcp`;
  let authenticationOptions: AuthenticationOptions = { mode: 'none' };
  if (authMode === 'token') authenticationOptions = { mode: 'token', token: config.server.auth_token as string };
  if (authMode === 'oauth') {
    const issuer = config.auth.issuer as string;
    const verifierFor = new Map<string, ReturnType<typeof createJwtAccessTokenVerifier>>();
    authenticationOptions = {
      mode: 'oauth',
      issuer,
      resourceUrl,
      scopes: scopeNamesWith(config.auth.admin_scope),
      // One verifier per audience (the audience is final once the port is known); each caches the issuer's keys.
      verifier: {
        verifyAccessToken(token) {
          const audience = resourceUrl();
          let verifier = verifierFor.get(audience);
          if (!verifier) {
            verifier = createJwtAccessTokenVerifier({ issuer, audience, tenantClaim: config.auth.tenant_claim });
            verifierFor.set(audience, verifier);
          }
          return verifier.verifyAccessToken(token);
        },
      },
    };
  }
  let authentication;
  try {
    authentication = createAuthentication(authenticationOptions);
  } catch (error) {
    process.stderr.write(
      `imagegen-mcp-http: AUTH__ISSUER = ${config.auth.issuer}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = exitCodes.configError;
    await engine.close();
    return;
  }
  const createServer = (
    serverEngine: ImageEngine,
    context: { era: ProtocolEra; toolCallObserver: ToolCallObserver; shutdownSignal: AbortSignal; authorization?: McpAuthorization },
  ) =>
    createImageGenMcpServer({
      engine: serverEngine,
      logger,
      ...context,
      settings: {
        name: config.server.name,
        version: config.server.version,
        responseByteBudget: config.server.response_byte_budget,
        includeDataUrl: config.server.include_data_url,
        inlinePreview: config.server.inline_preview,
        allowLocalFiles: false,
        publicBaseUrl,
        retentionDays: config.storage.retention_days,
        defaultWaitSeconds: config.images.wait_seconds,
      },
    });
  const http = createHttpApp({
    engine,
    createServer,
    host: config.server.host,
    allowedHosts: config.server.allowed_hosts,
    allowedOrigins: config.server.allowed_origins,
    corsOrigins: config.server.cors_origins,
    clientRateLimitRpm: config.server.client_rate_limit_rpm,
    ...(coordination && config.server.client_rate_limit_rpm > 0
      ? { clientRateLimiter: coordination.clientRateLimiter(config.server.client_rate_limit_rpm, 60) }
      : {}),
    ...(config.server.auth_token ? { authToken: config.server.auth_token } : {}),
    authentication,
    stateless: config.server.stateless,
    sessionIdleMs: config.server.session_idle_minutes * 60_000,
    maxBodyBytes: Math.round(config.server.max_body_mb * 1024 * 1024),
    maxConcurrentLargeBodies: config.server.max_concurrent_large_bodies,
    requestTimeoutMs: Math.round(config.server.request_timeout_seconds * 1000),
    maxSessions: config.server.max_sessions,
    maxSessionsPerClient: config.server.max_sessions_per_client,
    logger,
  });
  notifyImagesChanged = () => http.notifyResourcesChanged();
  const listener = http.createListener();
  listener.listen(config.server.port, config.server.host, () => {
    const address = listener.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    listeningBaseUrl = `http://${hostInUrl}:${port}`;
    if (!config.images.base_host) publicBaseUrl = listeningBaseUrl;
    logger.info('listening', {
      auth: authMode,
      ...(authMode === 'oauth' ? { issuer: config.auth.issuer, resource: resourceUrl() } : {}),
      url: `http://${hostInUrl}:${port}/mcp`,
      stateless: config.server.stateless,
      storage: config.storage.base_path,
      coordination: coordination ? 'redis' : 'none',
      providers: engine.configuredProviders(),
    });
  });

  listener.on('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(
      `imagegen-mcp-http: cannot listen on ${config.server.host}:${config.server.port}: ${error.code ?? error.message}\n`,
    );
    process.exit(exitCodes.startupFailure);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: draining in-flight requests', { signal });
    // Stop accepting connections; tool calls already running (generations included) finish first, up to the grace
    // period. Then the sessions close, which ends their open streams so the listener can finish closing.
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    listener.closeIdleConnections();
    const drained = await http.drain(config.server.shutdown_grace_seconds * 1000);
    if (!drained) logger.warn('grace period over: cancelling running tool calls', { running: http.inFlightToolCalls() });
    await http.closeSessions();
    // Keep-alive connections close as soon as they fall idle; short requests still answering get a moment, then
    // whatever is left open is cut.
    const idleSweep = setInterval(() => listener.closeIdleConnections(), 100);
    const cut = setTimeout(() => listener.closeAllConnections(), 5_000);
    listener.closeIdleConnections();
    await closed;
    clearInterval(idleSweep);
    clearTimeout(cut);
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`imagegen-mcp-http: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
