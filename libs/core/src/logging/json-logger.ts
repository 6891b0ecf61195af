import pino from 'pino';
import type { LogFields, Logger, LogLevel } from '@imagegen/common';

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Lowest level written. */
  level: LogLevel;
  /**
   * Where JSON lines go. Apps pass standard error: a stdio MCP server's stdout carries JSON-RPC only, and the
   * engine never chooses a stream itself.
   */
  destination: NodeJS.WritableStream;
  /** Fields on every line (service name, version). */
  base?: LogFields;
}

/** A structured JSON logger (pino) behind the `Logger` port: one JSON object per line. */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const root = pino(
    {
      level: options.level,
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: even if a caller logs a whole settings object, keys never reach the log.
      redact: {
        paths: ['*.api_key', '*.apiKey', '*.auth_token', '*.authorization', 'api_key', 'apiKey', 'authorization'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
  return adapt(root);
}

function adapt(instance: pino.Logger): Logger {
  return {
    debug: (message, fields) => instance.debug(fields ?? {}, message),
    info: (message, fields) => instance.info(fields ?? {}, message),
    warn: (message, fields) => instance.warn(fields ?? {}, message),
    error: (message, fields) => instance.error(fields ?? {}, message),
    child: (bindings) => adapt(instance.child(bindings)),
  };
}
