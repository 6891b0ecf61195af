import type { Command } from 'commander';
import { keyValueOption } from '../arguments';
import type { CliContext } from '../context';
import { addImageOptions, requestFields, runImageCall, type ImageCommandOptions } from './image-options';

interface GenerateOptions extends ImageCommandOptions {
  template?: string;
  arg?: Record<string, string>;
}

export function registerGenerateCommand(program: Command, context: CliContext): void {
  const command = program
    .command('generate')
    .description('generate images from a prompt (or from a prompt template) and store them')
    .argument('[prompt]', 'what to draw; with --template, extra instructions appended to the rendered prompt');
  addImageOptions(command)
    .option(
      '-t, --template <name>',
      'render this prompt template first (see `imagegen templates`); its recommended size is used unless --size is given',
    )
    .option('-a, --arg <key=value>', 'a template argument (repeatable)', keyValueOption)
    .addHelpText(
      'after',
      `
Examples:
  $ imagegen generate "a lighthouse at dawn, watercolour" --size 1536x1024
  $ imagegen generate "app icon, flat, rounded" -q low -f webp --out icon.webp
  $ imagegen generate "four moods of a cat" -n 4 --out ./cats/
  $ imagegen generate --template og-image-prompt --arg title="Launch day" --arg brand_name=Acme
  $ imagegen --json generate "a teapot" -q low | jq -r '.images[0].file_path'
  $ imagegen generate "tomorrow's weather in Lisbon as a poster" -m gemini-nano-banana-2.1 --search-grounding`,
    )
    .action(async (prompt: string | undefined, options: GenerateOptions) => {
      if (options.arg && !options.template)
        command.error('error: --arg needs --template NAME', { exitCode: 2, code: 'commander.invalidArgument' });
      if (!options.template && (prompt === undefined || prompt.trim() === '')) {
        command.error("error: missing required argument 'prompt' (or give --template NAME)", {
          exitCode: 2,
          code: 'commander.missingArgument',
        });
      }
      await runImageCall(
        context,
        'Generating',
        options,
        async (engine, callOptions) => {
          let text = prompt ?? '';
          let size = options.size;
          const labels: Record<string, string> = {};
          if (options.template) {
            const rendered = engine.templates.render(options.template, options.arg ?? {});
            text = prompt && prompt.trim() !== '' ? `${rendered.prompt} ${prompt.trim()}` : rendered.prompt;
            // TEMPLATES__AUTO_SIZE_OPTIMIZATION off: the configured default size applies instead of the template's.
            if (engine.templateAutoSize) size ??= rendered.recommendedSize;
            labels['template'] = rendered.template;
            if (!options.size && engine.templateAutoSize)
              context.output.note(
                `Template ${rendered.template}: using its recommended size ${rendered.recommendedSize} (${rendered.aspectRatio}).`,
              );
          }
          return engine.generate(
            { ...requestFields(options), ...(size ? { size } : {}), prompt: text, ...(options.template ? { labels } : {}) },
            callOptions,
          );
        },
        options.template ? { template: options.template } : {},
      );
    });
}
