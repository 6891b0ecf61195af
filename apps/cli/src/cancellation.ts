/**
 * Ctrl-C handling for commands that call providers. The first SIGINT (or SIGTERM) aborts the signal handed to the
 * engine: a request not yet sent is cancelled; one already sent (paid for) finishes and is stored while the engine
 * closes, unless continue-on-cancel is off. The command ends with exit code 130. A second Ctrl-C ends the process at once.
 */
export interface Cancellation {
  /** Fires on the first interrupt. */
  readonly signal: AbortSignal;
  /** Whether an interrupt arrived. */
  readonly cancelled: boolean;
  /** Removes the signal handlers. */
  dispose(): void;
}

export function listenForInterrupt(
  onFirst: () => void = () => undefined,
  exit: (code: number) => void = (code) => process.exit(code),
): Cancellation {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) {
      exit(130);
      return;
    }
    onFirst();
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    get cancelled() {
      return controller.signal.aborted;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
