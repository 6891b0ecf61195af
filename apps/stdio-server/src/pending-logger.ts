import type { LogFields, Logger, LogLevel } from '@imagegen/common';

/** A logger usable at once that writes through another one attached later; see {@link createPendingLogger}. */
export interface PendingLogger {
  logger: Logger;
  /** Writes every line logged so far through `target`, in order, and every later line straight to it. */
  attach(target: Logger): void;
}

/**
 * The JSON logger comes with `@imagegen/core`, which the server loads only after it has answered `initialize`; the MCP
 * layer needs a logger before that. Lines logged in between are kept and written, in order, once the logger is attached
 * (their `time` is when they are written, a few milliseconds late).
 */
export function createPendingLogger(): PendingLogger {
  let target: Logger | undefined;
  const waiting: Array<() => void> = [];
  const pendingLogger = (resolve: () => Logger): Logger => {
    let resolved: Logger | undefined;
    const current = () => (resolved ??= resolve());
    const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
      if (target) current()[level](message, fields);
      else waiting.push(() => current()[level](message, fields));
    };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (bindings) => pendingLogger(() => current().child(bindings)),
    };
  };
  return {
    logger: pendingLogger(() => target as Logger),
    attach(logger) {
      target = logger;
      for (const line of waiting.splice(0)) line();
    },
  };
}
