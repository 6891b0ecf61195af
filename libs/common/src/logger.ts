/**
 * The logging port. Libraries log through an injected `Logger` and never write to stdout: a stdio MCP
 * server's stdout carries JSON-RPC only. Apps adapt a real logger (pino, writing JSON to stderr) to it.
 */

/** Structured fields attached to a log line. Values must be JSON-serialisable and secret-free. */
export type LogFields = Record<string, unknown>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line (e.g. a correlation id per request). */
  child(bindings: LogFields): Logger;
}

/** Drops everything; the default when an embedder passes no logger. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** One line captured by {@link createMemoryLogger}. */
export interface CapturedLogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** A logger that keeps lines in memory, for tests and for the CLI's `--verbose` summaries. */
export function createMemoryLogger(
  bindings: LogFields = {},
  lines: CapturedLogLine[] = [],
): Logger & {
  lines: CapturedLogLine[];
} {
  const write =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      lines.push({ level, message, fields: { ...bindings, ...fields } });
    };
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => createMemoryLogger({ ...bindings, ...more }, lines),
  };
}
