import './compile-cache';
import * as os from 'node:os';
import { ImageGenError } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { engineOnceOpen, holdUntilEngineOpens } from './engine-start-gate';
import { createPendingLogger } from './pending-logger';
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
  const { loadConfig, parseConfigArguments } = await import('@imagegen/config');
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
  const { loadTemplateRegistry } = await import('@imagegen/prompt-templates');
  let templates;
  try {
    // The prompt list is part of the server's definition, built before serving (the engine gets the same registry).
    templates = await loadTemplateRegistry({ enableCustom: config.templates.enable_custom, directory: config.templates.directory });
  } catch (error) {
    exitOnStartFailure(error);
    return;
  }
  const { createImageGenMcpServer, withLegacyResourceNotFoundCode } = await import('@imagegen/mcp');
  const { serveStdio, StdioServerTransport } = await import('@modelcontextprotocol/server/stdio');
  // The engine (and with it @imagegen/core: the JSON logger, providers, storage) opens only once `initialize` has been
  // answered: until then, lines logged wait in this logger, and requests that need the engine wait in the gate below.
  const pendingLogger = createPendingLogger();
  const logger = pendingLogger.logger;

  // One message may carry an input image at IMAGES__MAX_INPUT_BYTES as base64; anything larger is answered with an
  // error and dropped, and the session goes on (the SDK's transport would close itself without a word).
  const maxMessageBytes = stdioMessageLimit(config.images.max_input_bytes);
  const input = limitMessageSize(process.stdin, maxMessageBytes, (message) => {
    logger.warn('stdio message too large: answered with an error and dropped', { bytes: message.bytes, maxBytes: maxMessageBytes });
    const answer = oversizedMessageAnswer(message, maxMessageBytes);
    if (answer) process.stdout.write(answer);
  });
  let connectionEra: 'legacy' | 'modern' | undefined;
  let engine: ImageEngine | undefined;
  let engineFailure: Error | undefined;
  let engineOpening: Promise<ImageEngine> | undefined;
  const gate = holdUntilEngineOpens(
    withLegacyResourceNotFoundCode(
      new StdioServerTransport(input, process.stdout, { maxBufferSize: maxMessageBytes + 64 * 1024 }),
      () => connectionEra === 'legacy',
    ),
    // After the answer has been written, so loading the engine's modules does not delay it.
    () => void setImmediate(() => void openEngine()),
  );
  const servedEngine = engineOnceOpen<ImageEngine>(
    { templates, templateAutoSize: config.templates.auto_size_optimization },
    () => engine,
    () => engineFailure ?? new Error('the engine was used before it opened'),
  );
  const servers = new Set<ReturnType<typeof createImageGenMcpServer>>();
  // serveStdio answers 2026-07-28 clients (server/discover, per-request _meta) and 2025 clients (initialize) alike;
  // the opening message picks the era and one server instance serves the connection.
  const connection = serveStdio(
    ({ era }) => {
      connectionEra = era;
      const server = createImageGenMcpServer({
        engine: servedEngine,
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
    { transport: gate.transport, onerror: (error) => logger.warn('MCP connection error', { error: error.message }) },
  );
  // A 2025 session hears of new images as an unsolicited list-changed; on 2026-07-28 serveStdio delivers the same call
  // over the client's subscriptions/listen stream.
  const notifyImagesChanged = () => {
    for (const server of servers) {
      if (server.isConnected()) void server.sendResourceListChanged();
    }
  };

  let stopping = false;
  const startEngine = async () => {
    const core = await import('@imagegen/core');
    const jsonLogger = core.createJsonLogger({
      level: config.server.log_level,
      destination: process.stderr,
      base: { service: 'imagegen-mcp' },
    });
    // Dependencies that print (ioredis warns with console.warn) write JSON log lines too, never plain text.
    core.routeConsoleToLogger(jsonLogger);
    pendingLogger.attach(jsonLogger);
    for (const warning of loaded.warnings) logger.warn(warning.message, { setting: warning.setting });
    return core.createImageEngineFromConfig(config, { logger, templates, onImagesChanged: notifyImagesChanged });
  };
  const engineOpened = (opened: ImageEngine) => {
    engine = opened;
    gate.open();
    if (stopping) return opened;
    logger.info('starting', {
      transport: 'stdio',
      storage: config.storage.base_path,
      providers: opened.configuredProviders(),
      defaultModel: config.images.default_model,
    });
    if (opened.configuredProviders().length === 0) {
      logger.warn('no provider is configured: set PROVIDERS__OPENAI__API_KEY or PROVIDERS__GEMINI__API_KEY to generate images');
    }
    return opened;
  };
  const engineFailed = async (error: unknown): Promise<never> => {
    engineFailure = unavailableBecause(error);
    gate.open();
    // Requests that came in meanwhile are answered (a tool call with isError and the reason) before the process ends.
    await gate.heldRequestsAnswered(heldAnswersGraceMs);
    await connection.close().catch(() => undefined);
    exitOnStartFailure(error);
    process.exit();
  };
  const openEngine = () => (engineOpening ??= startEngine().then(engineOpened, engineFailed));

  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { reason });
    await connection.close().catch(() => undefined);
    const opened = await engineOpening?.catch(() => undefined);
    await opened?.close().catch((error: unknown) => logger.error('engine close failed', { error: String(error) }));
    process.exit(0);
  };
  process.stdin.on('end', () => void stop('stdin closed'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** How long a failed start waits for the requests that came in meanwhile to be answered (they fail at once). */
const heldAnswersGraceMs = 1000;

/** Reports a failed start on standard error and sets the exit code: 78 for a configuration problem, else 1. */
function exitOnStartFailure(error: unknown): void {
  process.stderr.write(`imagegen-mcp: ${ImageGenError.isInstance(error) ? error.message : String(error)}\n`);
  process.exitCode = ImageGenError.isInstance(error) && error.code === 'invalid_config' ? exitCodes.configError : exitCodes.startupFailure;
}

/** What a request that needs the engine is answered with when the engine could not open. */
function unavailableBecause(error: unknown): ImageGenError {
  const reason = ImageGenError.isInstance(error) ? error.message : 'an unexpected error occurred (the server log on standard error has it)';
  return new ImageGenError({
    code: ImageGenError.isInstance(error) ? error.code : 'internal',
    message: `The image server could not start: ${reason} Fix this in the server's configuration, then restart the server.`,
    cause: error,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`imagegen-mcp: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
