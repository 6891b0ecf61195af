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
      // The base fields travel as bindings (below), so that a binding or field of the same name replaces them.
      base: {},
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
  return adapt(root, options.base ?? {});
}

/** Keys pino writes itself; a field of the same name is written as `field_<name>` so no line has a key twice. */
const reservedKeys = new Set(['level', 'time', 'msg']);

/**
 * The port over one pino instance. Bindings are merged here rather than with pino's `child`, which appends them as
 * text: a key bound twice (the engine's `provider` and a provider's own) would appear twice on the line, and JSON
 * readers disagree about which one counts.
 */
function adapt(instance: pino.Logger, bindings: LogFields = {}): Logger {
  const write = (level: LogLevel) => (message: string, fields?: LogFields) => instance[level](lineFields(bindings, fields), message);
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => adapt(instance, { ...bindings, ...more }),
  };
}

function lineFields(bindings: LogFields, fields: LogFields | undefined): LogFields {
  // No prototype: a field named `__proto__` is written like any other.
  const merged: LogFields = Object.create(null);
  for (const [key, value] of Object.entries({ ...bindings, ...fields })) merged[reservedKeys.has(key) ? `field_${key}` : key] = value;
  return merged;
}
