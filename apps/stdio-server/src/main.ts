import './compile-cache';
import * as os from 'node:os';
import { limitMessageSize, oversizedMessageAnswer, stdioMessageLimit } from './stdio-message-limit';
import { routeConsoleToStandardError } from './stdout-guard';

routeConsoleToStandardError();

const usage = `imagegen-mcp — image generation MCP server over stdio (OpenAI GPT image and Google Gemini image models)

Usage: imagegen-mcp [--config FILE] [--env-file FILE] [--set KEY=VALUE]... [--help] [--version]

Settings come from (lowest to highest): defaults, the JSON config file (--config or IMAGEGEN_CONFIG), a .env file,
the environment, then --set. Set PROVIDERS__OPENAI__API_KEY (or OPENAI_API_KEY) and/or PROVIDERS__GEMINI__API_KEY
(or GEMINI_API_KEY). Logs are JSON lines on standard error; standard output carries JSON-RPC only.
`;

const exitCodes = { configError: 78, startupFailure: 1 } as const;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(usage);
    return;
  }
  // Heavy modules (sharp, vendor SDKs) load after argument handling so `--help` and config errors answer at once.
  const { loadConfig, parseConfigArguments } = await import('@imagegen/config');
  const { createImageEngineFromConfig, createJsonLogger, ImageGenError, routeConsoleToLogger } = await import('@imagegen/core');
  const parsedArguments = parseConfigArguments(argv);
  if (argv.includes('--version')) {
    process.stderr.write(`${require('../package.json').version}\n`);
    return;
  }
  let loaded;
  try {
    loaded = loadConfig({ env: process.env, argv, cwd: process.cwd(), homeDirectory: os.homedir(), platform: process.platform });
  } catch (error) {
    process.stderr.write(`imagegen-mcp: ${ImageGenError.isInstance(error) ? error.message : String(error)}\n`);
    process.exitCode = exitCodes.configError;
    return;
  }
  void parsedArguments;
  const { config } = loaded;
  const logger = createJsonLogger({ level: config.server.log_level, destination: process.stderr, base: { service: 'imagegen-mcp' } });
  // Dependencies that print (ioredis warns with console.warn) write JSON log lines too, never plain text.
  routeConsoleToLogger(logger);
  for (const warning of loaded.warnings) logger.warn(warning.message, { setting: warning.setting });

  let notifyImagesChanged = () => undefined as void;
  // The engine opens its store, ledger and templates (file I/O) while the MCP modules load.
  const engineCreation = createImageEngineFromConfig(config, { logger, onImagesChanged: () => notifyImagesChanged() });
  engineCreation.catch(() => undefined);
  const { createImageGenMcpServer, withLegacyResourceNotFoundCode } = await import('@imagegen/mcp');
  const { serveStdio, StdioServerTransport } = await import('@modelcontextprotocol/server/stdio');
  let engine;
  try {
    engine = await engineCreation;
  } catch (error) {
    process.stderr.write(`imagegen-mcp: ${ImageGenError.isInstance(error) ? error.message : String(error)}\n`);
    process.exitCode =
      ImageGenError.isInstance(error) && error.code === 'invalid_config' ? exitCodes.configError : exitCodes.startupFailure;
    return;
  }
  const readyEngine = engine;
  // One message may carry an input image at IMAGES__MAX_INPUT_BYTES as base64; anything larger is answered with an
  // error and dropped, and the session goes on (the SDK's transport would close itself without a word).
  const maxMessageBytes = stdioMessageLimit(config.images.max_input_bytes);
  const input = limitMessageSize(process.stdin, maxMessageBytes, (message) => {
    logger.warn('stdio message too large: answered with an error and dropped', { bytes: message.bytes, maxBytes: maxMessageBytes });
    const answer = oversizedMessageAnswer(message, maxMessageBytes);
    if (answer) process.stdout.write(answer);
  });
  let connectionEra: 'legacy' | 'modern' | undefined;
  const transport = withLegacyResourceNotFoundCode(
    new StdioServerTransport(input, process.stdout, { maxBufferSize: maxMessageBytes + 64 * 1024 }),
    () => connectionEra === 'legacy',
  );
  const servers = new Set<ReturnType<typeof createImageGenMcpServer>>();
  // serveStdio answers 2026-07-28 clients (server/discover, per-request _meta) and 2025 clients (initialize) alike;
  // the opening message picks the era and one server instance serves the connection.
  const connection = serveStdio(
    ({ era }) => {
      connectionEra = era;
      const server = createImageGenMcpServer({
        engine: readyEngine,
        logger,
        era,
        settings: {
          name: config.server.name,
          version: config.server.version,
          responseByteBudget: config.server.response_byte_budget,
          includeDataUrl: config.server.include_data_url,
          inlinePreview: config.server.inline_preview,
          allowLocalFiles: config.server.allowed_folders.length > 0,
          retentionDays: config.storage.retention_days,
          defaultWaitSeconds: config.images.wait_seconds,
        },
      });
      servers.add(server);
      return server;
    },
    { transport, onerror: (error) => logger.warn('MCP connection error', { error: error.message }) },
  );
  // A 2025 session hears of new images as an unsolicited list-changed; on 2026-07-28 serveStdio delivers the same call
  // over the client's subscriptions/listen stream.
  notifyImagesChanged = () => {
    for (const server of servers) {
      if (server.isConnected()) void server.sendResourceListChanged();
    }
  };
  logger.info('starting', {
    transport: 'stdio',
    storage: config.storage.base_path,
    providers: engine.configuredProviders(),
    defaultModel: config.images.default_model,
  });
  if (engine.configuredProviders().length === 0) {
    logger.warn('no provider is configured: set PROVIDERS__OPENAI__API_KEY or PROVIDERS__GEMINI__API_KEY to generate images');
  }

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { reason });
    await connection.close().catch(() => undefined);
    await engine.close().catch((error: unknown) => logger.error('engine close failed', { error: String(error) }));
    process.exit(0);
  };
  process.stdin.on('end', () => void stop('stdin closed'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`imagegen-mcp: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
