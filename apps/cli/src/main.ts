import './compile-cache';
import { buildProgram } from './program';
import { exitCodeForErrorCode, exitCodes } from './exit-codes';
import type { OutputStreams } from './output';

export { buildProgram } from './program';
export { exitCodes } from './exit-codes';

/** Runs one `imagegen` command line and resolves with its exit code (never calls process.exit itself). */
export async function runCli(
  argv: string[],
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const { ImageGenError } = await import('@imagegen/core');
  const { program, context } = buildProgram(streams);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode ?? exitCodes.ok;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' || commanderCode === 'commander.help')
      return exitCodes.ok;
    if (commanderCode?.startsWith('commander.')) {
      // Commander has printed the problem on stderr already.
      if (argv.includes('--json'))
        streams.stdout.write(
          `${JSON.stringify({ error: { code: 'usage', message: (error as Error).message.replace(/^error: /, '') } }, null, 2)}\n`,
        );
      return exitCodes.usage;
    }
    const output = context.output;
    if (context.cancelled) {
      output.failure('cancelled.', { name: 'ImageGenError', code: 'cancelled', message: 'The operation was cancelled.' });
      return exitCodes.cancelled;
    }
    if (ImageGenError.isInstance(error)) {
      output.failure(error.message, error.toJSON());
      return exitCodeForErrorCode(error.code);
    }
    output.failure(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`, {
      name: 'Error',
      code: 'internal',
      message: error instanceof Error ? error.message : String(error),
    });
    if (context.options.verbose && error instanceof Error && error.stack) streams.stderr.write(`${error.stack}\n`);
    return exitCodes.failure;
  } finally {
    context.dispose();
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    // Keep-alive sockets of the vendor SDKs may hold the event loop open for seconds after the work is done; a CLI
    // ends when its command does, once everything written to stdout has been flushed.
    process.stdout.write('', () => process.exit(code));
  });
}
