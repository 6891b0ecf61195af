import { Command } from 'commander';
import { repeatableOption } from './arguments';
import { registerConfigCommands } from './commands/config';
import { registerCostCommand } from './commands/cost';
import { registerDatabaseCommands } from './commands/database';
import { registerDoctorCommand } from './commands/doctor';
import { registerEditCommand } from './commands/edit';
import { registerGenerateCommand } from './commands/generate';
import { registerHistoryCommands } from './commands/history';
import { registerJobsCommand } from './commands/jobs';
import { registerModelsCommands } from './commands/models';
import { registerServeCommand } from './commands/serve';
import { registerStorageCommands } from './commands/storage';
import { registerTemplatesCommands } from './commands/templates';
import { CliContext } from './context';
import { describeExitCodes } from './exit-codes';
import type { OutputStreams } from './output';

const epilogue = `
Settings come from (lowest to highest) defaults, a JSON config file (--config or IMAGEGEN_CONFIG), a .env file,
the environment (OPENAI_API_KEY, STORAGE__BASE_PATH, …) and --set. See \`imagegen config show\`.

--json prints one JSON document on stdout for every command (the result, or {"error": {...}}); progress and logs
go to stderr. A spinner shows on an interactive terminal only. Colour follows NO_COLOR and FORCE_COLOR.
Ctrl-C cancels a generation that has not reached the provider yet. One already sent is paid for: it finishes and is
stored (the same request again is answered from it), unless IMAGES__CONTINUE_ON_CANCEL=false; Ctrl-C again quits at
once. The exit code is 130.

Exit codes:
${describeExitCodes()}

Examples:
  $ imagegen doctor --offline
  $ imagegen generate "a lighthouse at dawn, watercolour" --out lighthouse.png
  $ imagegen edit lighthouse.png "add a full moon" --out moon.png
  $ imagegen history
  $ imagegen --json cost`;

/** The `imagegen` program: global options and every command, writing through `streams`. */
export function buildProgram(streams: OutputStreams): { program: Command; context: CliContext } {
  const program = new Command('imagegen');
  const context = new CliContext(program, streams);
  program
    .description(
      'Generate and edit images with OpenAI GPT image and Google Gemini image models from the terminal; run MCP servers; check an install.',
    )
    .version(require('../package.json').version)
    .option('--json', 'machine-readable JSON on stdout (logs stay on stderr)')
    .option('--config <file>', 'JSON config file')
    .option('--env-file <file>', '.env file to read')
    .option('--set <KEY=VALUE>', 'override a setting, e.g. --set STORAGE__RETENTION_DAYS=7 (repeatable)', repeatableOption)
    .option('-v, --verbose', 'debug logs on stderr')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .addHelpText('after', epilogue);

  registerGenerateCommand(program, context);
  registerEditCommand(program, context);
  registerModelsCommands(program, context);
  registerHistoryCommands(program, context);
  registerJobsCommand(program, context);
  registerStorageCommands(program, context);
  registerTemplatesCommands(program, context);
  registerConfigCommands(program, context);
  registerCostCommand(program, context);
  registerDatabaseCommands(program, context);
  registerDoctorCommand(program, context);
  registerServeCommand(program, context);
  return { program, context };
}
