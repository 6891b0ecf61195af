import { format } from 'node:util';
import type { Logger, LogLevel } from '@imagegen/common';

const levelByMethod = { log: 'info', info: 'info', debug: 'debug', warn: 'warn', error: 'error' } as const satisfies Record<
  string,
  LogLevel
>;

/**
 * Sends what dependencies print with `console.*` (ioredis warns about a needless password with `console.warn`) to
 * `logger` as JSON lines, tagged `source: console`, instead of plain text among the JSON logs, or worse, on a stdio
 * server's standard output, which carries JSON-RPC only. For apps, which own the process; returns the undo.
 */
export function routeConsoleToLogger(logger: Logger, target: Console = console): () => void {
  const log = logger.child({ source: 'console' });
  const originals = new Map<keyof typeof levelByMethod, Console[keyof typeof levelByMethod]>();
  for (const [method, level] of Object.entries(levelByMethod) as Array<[keyof typeof levelByMethod, LogLevel]>) {
    originals.set(method, target[method]);
    target[method] = (...args: unknown[]) => log[level](format(...args));
  }
  return () => {
    for (const [method, original] of originals) target[method] = original;
  };
}
