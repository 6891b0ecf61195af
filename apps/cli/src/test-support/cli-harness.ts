/**
 * Runs the BUILT `imagegen` binary (dist/main.js, built by the `build` target that `test` depends on) as a person or
 * a CI pipeline would: a separate process, its own environment, a temporary storage folder, pointed at the fake
 * OpenAI server that the test process runs. Always asynchronous: the fake server lives in the test process and must
 * keep answering while the CLI runs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const binary = path.join(__dirname, '..', '..', 'dist', 'main.js');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Bytes written to the CLI's standard input (then closed); `'open'` leaves it open for the test to write. */
  stdin?: Buffer | string | 'open';
}

export interface CliHarness {
  /** The temporary storage folder (also HOME and the working directory). */
  storage: string;
  /** The environment every run gets. */
  env: Record<string, string>;
  run(args: string[], options?: RunOptions): Promise<CliRun>;
  /** Starts the CLI and returns the process with a promise of its end, for tests that signal or talk to it. */
  start(args: string[], options?: RunOptions): { child: ChildProcessWithoutNullStreams; done: Promise<CliRun> };
  /** Parses a run's stdout as the single JSON document --json promises. */
  json<T = Record<string, unknown>>(run: CliRun): T;
  /** Ends CLI processes this harness started that are still running, and removes the storage folder. */
  cleanup(): void;
}

export function createCliHarness(fakeUrl: string, extraEnvironment: Record<string, string> = {}): CliHarness {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-cli-'));
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: storage,
    STORAGE__BASE_PATH: path.join(storage, 'images'),
    PROVIDERS__OPENAI__API_KEY: 'sk-cli-test',
    PROVIDERS__OPENAI__BASE_URL: `${fakeUrl}/v1`,
    PROVIDERS__OPENAI__MAX_RETRIES: '0',
    ...extraEnvironment,
  };
  const running = new Set<ChildProcessWithoutNullStreams>();
  const start = (args: string[], options: RunOptions = {}) => {
    const child = spawn(process.execPath, [binary, ...args], { cwd: storage, env: { ...env, ...options.env } });
    running.add(child);
    child.on('close', () => running.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    if (options.stdin === undefined) child.stdin.end();
    else if (options.stdin !== 'open') child.stdin.end(options.stdin);
    const done = new Promise<CliRun>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
    return { child, done };
  };
  return {
    storage,
    env,
    start,
    run: (args, options) => start(args, options).done,
    json<T>(run: CliRun): T {
      try {
        return JSON.parse(run.stdout) as T;
      } catch {
        throw new Error(`stdout is not one JSON document (exit ${run.status}):\n${run.stdout}\nstderr:\n${run.stderr}`);
      }
    },
    cleanup() {
      // A failed test may leave a CLI it started running; end those (only ours) so Jest can finish.
      for (const child of running) child.kill('SIGKILL');
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}

/** Every file under `folder`, relative, sorted (missing folder: none). */
export function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true }) as string[])
    .filter((entry) => fs.statSync(path.join(folder, entry)).isFile())
    .map((entry) => entry.split(path.sep).join('/'))
    .sort();
}

/** Image files (png, jpeg, webp) under `folder`. */
export function imageFilesUnder(folder: string): string[] {
  return filesUnder(folder).filter((file) => /\.(png|jpe?g|webp)$/.test(file));
}

/**
 * Resolves once `condition` holds, checking whenever the event loop is free (no fixed sleeps, no time assertions).
 * Rejects as soon as `child` (when given) has ended without the condition holding, so a failure never hangs.
 */
export async function waitUntil(
  condition: () => boolean,
  child?: { exitCode: number | null; signalCode: NodeJS.Signals | null },
): Promise<void> {
  while (!condition()) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`the CLI ended (exit ${child.exitCode ?? child.signalCode}) before the awaited condition held`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
