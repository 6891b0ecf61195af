import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import type { CliContext } from '../context';

const serverPackages = {
  stdio: { packageName: '@imagegen/stdio-server', project: 'stdio-server' },
  http: { packageName: '@imagegen/http-server', project: 'http-server' },
} as const;

/** The absolute path of a server app's binary, from its package.json `bin`. */
export async function resolveServerBinary(transport: keyof typeof serverPackages): Promise<string> {
  const { ImageGenError } = await import('@imagegen/core');
  const { packageName, project } = serverPackages[transport];
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${packageName}/package.json`);
  } catch {
    throw new ImageGenError({
      code: 'not_found',
      message: `${packageName} is not installed next to the CLI; install it (npm install ${packageName}).`,
      details: { package: packageName },
    });
  }
  const manifest = JSON.parse(await fs.promises.readFile(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (!bin)
    throw new ImageGenError({ code: 'not_found', message: `${packageName} declares no binary.`, details: { package: packageName } });
  const binary = path.resolve(path.dirname(manifestPath), bin);
  if (!fs.existsSync(binary)) {
    throw new ImageGenError({
      code: 'not_found',
      message: `${packageName} is not built (${binary} is missing); run: npx nx run ${project}:build`,
      details: { package: packageName, binary },
    });
  }
  return binary;
}

/** The shell-style exit code of a child that ended by a signal: 128 + the signal number. */
export function exitCodeOfSignal(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

export function registerServeCommand(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('start the MCP server (stdio for desktop clients, or Streamable HTTP) in the foreground')
    .addOption(
      new Option('--transport <transport>', 'stdio: JSON-RPC on stdin/stdout; http: Streamable HTTP on SERVER__HOST:SERVER__PORT')
        .choices(['stdio', 'http'])
        .default('stdio'),
    )
    .argument('[server-arguments...]', 'arguments after -- go to the server (e.g. -- --port 8080)')
    .addHelpText(
      'after',
      `
The server runs as a child process with this terminal's stdin, stdout and stderr; Ctrl-C and SIGTERM are passed on,
and imagegen exits with the server's exit code. The global --config, --env-file and --set options are passed on too.
With --transport stdio, stdout carries the MCP protocol only (so --json prints nothing of its own); logs are JSON
lines on stderr.

Examples:
  $ imagegen serve                                   # stdio, for Claude Desktop, Claude Code, Cursor
  $ imagegen serve --transport http -- --port 8080
  $ imagegen --set SERVER__LOG_LEVEL=debug serve --transport http -- --host 0.0.0.0   # needs SERVER__AUTH_TOKEN`,
    )
    .action(async (serverArguments: string[], options: { transport: 'stdio' | 'http' }) => {
      const binary = await resolveServerBinary(options.transport);
      const argv = [binary, ...context.configArguments(), ...serverArguments];
      context.exitCode = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, argv, { stdio: 'inherit', env: process.env });
        const forward = (signal: NodeJS.Signals) => () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        };
        const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const);
        for (const [signal, handler] of handlers) process.on(signal, handler);
        const cleanup = () => {
          for (const [signal, handler] of handlers) process.off(signal, handler);
        };
        child.once('error', (error) => {
          cleanup();
          reject(error);
        });
        child.once('exit', (code, signal) => {
          cleanup();
          resolve(code ?? (signal ? exitCodeOfSignal(signal) : 1));
        });
      });
    });
}
