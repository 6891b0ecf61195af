/**
 * Runs the MCP Inspector CLI (`@modelcontextprotocol/inspector-cli`, installed at the workspace root) in `--cli` mode
 * and parses the JSON it prints. Async spawn only: the servers it talks to may depend on the test process.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const inspectorPackage = path.dirname(require.resolve('@modelcontextprotocol/inspector-cli/package.json'));
/** The bin `mcp-inspector-cli`. */
export const inspectorCli = path.join(inspectorPackage, 'build', 'cli.js');

export interface InspectorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not JSON). */
  json<T = Record<string, unknown>>(): T;
}

export async function runInspector(args: string[], env: Record<string, string> = {}): Promise<InspectorRun> {
  // The CLI reads its own package.json through a path relative to the working directory, so it runs from its
  // build folder (inspector-cli 1.0.3).
  const child = spawn(process.execPath, [inspectorCli, '--cli', ...args], {
    cwd: path.dirname(inspectorCli),
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`inspector printed no JSON (exit ${String(code)}):\n${stdout}\n${stderr}`);
      }
    },
  };
}
