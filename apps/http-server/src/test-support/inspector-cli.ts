/**
 * Runs the MCP Inspector 2.x CLI (`@modelcontextprotocol/inspector`, installed at the workspace root) in `--cli` mode
 * with JSON output and parses the result it prints. Async spawn only: the servers it talks to may depend on the test
 * process.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const inspectorPackage = path.dirname(require.resolve('@modelcontextprotocol/inspector/package.json'));
/** The bin `mcp-inspector`. */
export const inspectorCli = path.join(inspectorPackage, 'clients', 'launcher', 'build', 'index.js');

export interface InspectorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The result the CLI printed (throws with the output when there is none). */
  json<T = Record<string, unknown>>(): T;
}

export async function runInspector(args: string[], env: Record<string, string> = {}): Promise<InspectorRun> {
  // A HOME of its own: the Inspector keeps settings and secrets there.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-inspector-'));
  const child = spawn(process.execPath, [inspectorCli, '--cli', '--format', 'json', '--quiet', ...args], {
    cwd: home,
    env: { PATH: process.env['PATH'] ?? '', HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  fs.rmSync(home, { recursive: true, force: true });
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return (JSON.parse(stdout) as { result: T }).result;
      } catch {
        throw new Error(`inspector printed no JSON (exit ${String(code)}):\n${stdout}\n${stderr}`);
      }
    },
  };
}
