/**
 * Runs the BUILT `imagegen-mcp-http` (dist/main.js) as a child process, the way an operator would, with its own
 * temporary storage folder and a free loopback port. Async spawn only: the fake provider server lives in the test
 * process and must keep answering while the child runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const httpServerBinary = path.join(__dirname, '..', '..', 'dist', 'main.js');

export interface BuiltHttpServer {
  /** `http://127.0.0.1:PORT`. */
  baseUrl: string;
  /** The storage folder given to the server (STORAGE__BASE_PATH). */
  storage: string;
  child: ChildProcess;
  /** Everything the server wrote to standard error so far (JSON log lines). */
  stderr(): string;
  /** Sends a signal and resolves with the exit code once the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops the server (if still running) and removes its storage folder. */
  dispose(): Promise<void>;
}

/** Starts the built server with these settings (environment variables) on a free port; resolves once it listens. */
export async function startBuiltHttpServer(env: Record<string, string>, args: string[] = []): Promise<BuiltHttpServer> {
  if (!fs.existsSync(httpServerBinary))
    throw new Error(`${httpServerBinary} is missing: build http-server first (nx run http-server:build).`);
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-http-e2e-'));
  const child = spawn(process.execPath, [httpServerBinary, '--port', '0', ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: storage, STORAGE__BASE_PATH: storage, SERVER__LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      // The "listening" log line names the port the server got.
      const listening = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/mcp"/.exec(stderr);
      if (listening?.[1]) {
        child.stderr?.off('data', onData);
        resolve(listening[1]);
      }
    };
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`imagegen-mcp-http exited with ${String(code)} before listening:\n${stderr}`)));
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (running) child.kill(signal);
    return exited;
  };
  return {
    baseUrl,
    storage,
    child,
    stderr: () => stderr,
    stop,
    async dispose() {
      await stop();
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}

/** Polls until `condition` holds (at most about ten seconds). */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
