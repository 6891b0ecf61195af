import pc from 'picocolors';
import type { Logger } from '@imagegen/core';

type Colors = ReturnType<typeof pc.createColors>;

/** The streams and environment output is written to (the process's own in the binary). */
export interface OutputStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Readonly<Record<string, string | undefined>>;
}

/** Something drawn on stderr that must be cleared before another line is written there (the spinner). */
export interface StatusLine {
  clear(): void;
}

/**
 * Colour on a stream: never with NO_COLOR, always with FORCE_COLOR (other than 0), else only on a terminal that is
 * not `dumb`. picocolors' own detection looks at stdout only; this asks the same question of each stream.
 */
export function colorEnabled(stream: NodeJS.WriteStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
  return Boolean(stream.isTTY) && env['TERM'] !== 'dumb';
}

/**
 * Everything a command writes. In `--json` mode stdout carries exactly one JSON document (the result or the error);
 * notes and logs go to stderr in both modes, as JSON lines with `--json` and as plain lines otherwise.
 */
export class Output {
  readonly json: boolean;
  /** Colours for stdout (off in --json mode). */
  readonly color: Colors;
  /** Colours for stderr. */
  readonly errorColor: Colors;
  private statusLine: StatusLine | undefined;
  private wroteResult = false;

  constructor(
    readonly streams: OutputStreams,
    options: { json: boolean },
  ) {
    this.json = options.json;
    this.color = pc.createColors(!options.json && colorEnabled(streams.stdout, streams.env));
    this.errorColor = pc.createColors(colorEnabled(streams.stderr, streams.env));
  }

  /** The command's result: JSON on stdout in --json mode, else the human text. */
  result(value: unknown, human: () => string): void {
    this.wroteResult = true;
    if (this.json) {
      this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    const text = human();
    if (text !== '') this.streams.stdout.write(`${text}\n`);
  }

  /** Whether a result (or an error document) has been written to stdout already. */
  get hasResult(): boolean {
    return this.wroteResult;
  }

  /** A line for a person on stderr: progress, hints. Dropped in --json mode (which keeps stderr for logs). */
  note(text: string): void {
    if (this.json) return;
    this.writeError(text);
  }

  /** A warning on stderr, in both modes (a JSON line with --json). */
  warn(text: string, fields: Record<string, unknown> = {}): void {
    if (this.json) this.writeError(JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg: text, ...fields }));
    else this.writeError(`${this.errorColor.yellow('warning:')} ${text}`);
  }

  /** The final error of a failed command: the error document on stdout with --json, and a line on stderr. */
  failure(message: string, document: Record<string, unknown>): void {
    if (this.json && !this.wroteResult) {
      this.wroteResult = true;
      this.streams.stdout.write(`${JSON.stringify({ error: document }, null, 2)}\n`);
    }
    this.writeError(`${this.errorColor.red('imagegen:')} ${message}`);
  }

  /** Writes one line to stderr, clearing the spinner first so the two never mix on one line. */
  writeError(line: string): void {
    this.statusLine?.clear();
    this.streams.stderr.write(`${line}\n`);
  }

  /** Registers (or, with `undefined`, removes) the status line drawn on stderr. */
  setStatusLine(statusLine: StatusLine | undefined): void {
    this.statusLine = statusLine;
  }
}

/**
 * The engine's log lines for a person: warnings and errors as plain lines on stderr (debug and info too with
 * --verbose). `muted` silences them after Ctrl-C, when the failures they report are the cancellation itself. With
 * --json the app uses the JSON logger instead.
 */
export function createHumanLogger(
  output: Output,
  verbose: boolean,
  muted: () => boolean = () => false,
  bindings: Record<string, unknown> = {},
): Logger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (!verbose && (level === 'debug' || level === 'info' || muted())) return;
      const all = { ...bindings, ...fields };
      const detail = verbose && Object.keys(all).length > 0 ? ` ${output.errorColor.dim(JSON.stringify(all))}` : '';
      const label =
        level === 'error'
          ? output.errorColor.red('error:')
          : level === 'warn'
            ? output.errorColor.yellow('warning:')
            : output.errorColor.dim(`${level}:`);
      output.writeError(`${label} ${message}${detail}`);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => createHumanLogger(output, verbose, muted, { ...bindings, ...more }),
  };
}

/** `1.2 MB`, `640 KB`, `12 B` (1024-based). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** `$0.0123`; `unknown` when undefined. */
export function formatUsd(value: number | undefined): string {
  if (value === undefined) return 'unknown';
  return `$${value.toFixed(4)}`;
}

// eslint-disable-next-line no-control-regex
const ansiPattern = /\u001b\[[0-9;]*m/g;

/** Visible width of a string that may hold colour codes. */
export function visibleWidth(text: string): number {
  return text.replace(ansiPattern, '').length;
}

/** Lays rows out in columns separated by two spaces; the last column is not padded. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, visibleWidth(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell + ' '.repeat((widths[index] ?? 0) - visibleWidth(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
