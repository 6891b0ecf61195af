import { execFile, type ExecFileOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
export const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** A workspace devDependency's command-line entry point (its package.json `bin`), run with this Node. */
export function binOf(packageName: string, binName?: string): string {
  const folder = path.join(workspaceRoot, 'node_modules', ...packageName.split('/'));
  const bin = (JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { bin: string | Record<string, string> }).bin;
  return path.join(folder, typeof bin === 'string' ? bin : (bin[binName ?? Object.keys(bin)[0]!] as string));
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and returns its exit code and output (never throws for a non-zero exit). */
export async function runCommand(command: string, args: string[], options: ExecFileOptions = {}): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', ...options });
    return { exitCode: 0, stdout: String(stdout), stderr: String(stderr) };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      exitCode: typeof failed.code === 'number' ? failed.code : 1,
      stdout: String(failed.stdout ?? ''),
      stderr: String(failed.stderr ?? failed.message),
    };
  }
}

/** Like `runCommand`, but a non-zero exit is an error that quotes the output. */
export async function runCommandOrThrow(command: string, args: string[], options: ExecFileOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.exitCode}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  }
  return result;
}

/** Runs a Node script of this repository with the Node running the tests. */
export function runScript(script: string, args: string[], options: ExecFileOptions = {}): Promise<CommandResult> {
  return runCommandOrThrow(process.execPath, [path.join(workspaceRoot, script), ...args], { cwd: workspaceRoot, ...options });
}
