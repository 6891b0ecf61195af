import { createSpinner, type Spinner } from 'nanospinner';
import type { Output } from './output';

/** Progress of one long piece of work, as a person sees it on stderr. */
export interface Activity {
  /** What is happening now (replaces the spinner text, or prints a line when there is no spinner). */
  update(message: string): void;
  /** A line that stays (e.g. "partial image 1 received"), printed above the spinner. */
  note(line: string): void;
  /** Ends the activity successfully with a final line. */
  succeed(text: string): void;
  /** Ends the activity, leaving nothing on the screen (failure messages are printed by the caller). */
  stop(): void;
}

/**
 * Whether a spinner can be drawn: stderr is a terminal, and so is stdout (nanospinner decides cursor handling by
 * stdout, and would print one line per frame otherwise), TERM is not `dumb` and CI is not set.
 */
export function canAnimate(output: Output): boolean {
  const { stdout, stderr, env } = output.streams;
  return !output.json && Boolean(stderr.isTTY) && Boolean(stdout.isTTY) && env['TERM'] !== 'dumb' && !('CI' in env);
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)}s`;

/**
 * Starts reporting progress: a spinner with the elapsed time on an interactive terminal, plain timestamped lines on
 * a non-interactive stderr, nothing in --json mode.
 */
export function startActivity(output: Output, label: string, now: () => number = Date.now): Activity {
  const started = now();
  if (output.json) {
    return { update: () => undefined, note: () => undefined, succeed: () => undefined, stop: () => undefined };
  }
  if (!canAnimate(output)) {
    let last = '';
    return {
      update(message) {
        if (message === last) return;
        last = message;
        output.note(`[${seconds(now() - started)}] ${message}`);
      },
      note: (line) => output.note(line),
      succeed: (text) => output.note(`${text} (${seconds(now() - started)})`),
      stop: () => undefined,
    };
  }

  let message = label;
  const text = () => `${message} ${output.errorColor.dim(seconds(now() - started))}`;
  // nanospinner ends the process on SIGINT itself (exit 130 at once); the CLI cancels the upstream call and cleans up
  // instead, so the handlers it adds are taken off again.
  const before = new Set([...process.listeners('SIGINT'), ...process.listeners('SIGTERM')]);
  const spinner: Spinner = createSpinner(text(), { stream: output.streams.stderr }).start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) if (!before.has(listener)) process.off(signal, listener);
  }
  const ticker = setInterval(() => spinner.update({ text: text() }), 100);
  ticker.unref();
  output.setStatusLine({ clear: () => spinner.clear() });
  let ended = false;
  const end = () => {
    ended = true;
    clearInterval(ticker);
    output.setStatusLine(undefined);
  };
  return {
    update(next) {
      message = next;
      spinner.update({ text: text() });
    },
    note: (line) => output.note(line),
    succeed(final) {
      if (ended) return;
      end();
      spinner.success({ text: `${final} ${output.errorColor.dim(seconds(now() - started))}` });
    },
    stop() {
      if (ended) return;
      end();
      spinner.clear();
      spinner.stop();
    },
  };
}
