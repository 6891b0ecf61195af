import type { Command } from 'commander';
import type { PromptTemplate, TemplateRegistry } from '@imagegen/prompt-templates';
import { keyValueOption } from '../arguments';
import type { CliContext } from '../context';
import { table } from '../output';

/** The template registry as the engine builds it (built-in plus custom templates), without opening storage. */
async function loadTemplates(context: CliContext): Promise<TemplateRegistry> {
  const { loadTemplateRegistry } = await import('@imagegen/prompt-templates');
  const { config } = await context.settings();
  return loadTemplateRegistry({ enableCustom: config.templates.enable_custom, directory: config.templates.directory });
}

async function requireTemplate(templates: TemplateRegistry, name: string): Promise<PromptTemplate> {
  const template = templates.get(name);
  if (template) return template;
  const { ImageGenError } = await import('@imagegen/core');
  throw new ImageGenError({
    code: 'not_found',
    message: `There is no prompt template named ${name}. Templates: ${templates
      .list()
      .map((candidate) => candidate.name)
      .join(', ')}.`,
    details: { template: name },
  });
}

/** A template as JSON: data only (its render functions are not serialisable). */
function describeTemplate(template: PromptTemplate) {
  return { name: template.name, description: template.description, origin: template.origin, arguments: template.arguments };
}

export function registerTemplatesCommands(program: Command, context: CliContext): void {
  const templates = program
    .command('templates')
    .description('prompt templates: list, show NAME, render NAME --arg key=value')
    .addHelpText(
      'after',
      `
Examples:
  $ imagegen templates
  $ imagegen templates show og-image-prompt
  $ imagegen templates render og-image-prompt --arg title="Launch day"
  $ imagegen generate --template og-image-prompt --arg title="Launch day"`,
    )
    .action(async () => list());

  const list = async () => {
    const registry = await loadTemplates(context);
    const all = registry.list();
    context.output.result(all.map(describeTemplate), () =>
      table(
        all.map((template) => [
          context.output.color.cyan(template.name),
          template.origin === 'custom' ? '(custom)' : '',
          template.description,
        ]),
      ),
    );
  };

  templates.command('list').description('every template, built-in first').action(list);

  templates
    .command('show')
    .description("a template's arguments and recommended size")
    .argument('<name>', 'template name')
    .addHelpText('after', '\nExamples:\n  $ imagegen templates show social-media-post-prompt')
    .action(async (name: string) => {
      const registry = await loadTemplates(context);
      const template = await requireTemplate(registry, name);
      const requiredArguments = Object.fromEntries(
        template.arguments
          .filter((argument) => argument.required)
          .map((argument) => [argument.name, argument.values?.[0] ?? argument.name]),
      );
      let recommendation: ReturnType<PromptTemplate['recommend']> | undefined;
      try {
        recommendation = template.recommend(requiredArguments);
      } catch {
        recommendation = undefined;
      }
      const color = context.output.color;
      context.output.result({ ...describeTemplate(template), ...(recommendation ? { recommendation } : {}) }, () =>
        [
          `${color.bold(template.name)}${template.origin === 'custom' ? ' (custom)' : ''} — ${template.description}`,
          'arguments:',
          table(
            template.arguments.map((argument) => [
              `  ${argument.name}`,
              argument.required ? 'required' : 'optional',
              argument.description +
                (argument.flag
                  ? ' (yes or no)'
                  : argument.values
                    ? ` (${argument.closed ? 'one of' : 'e.g.'} ${argument.values.join(', ')})`
                    : ''),
            ]),
          ),
          ...(recommendation
            ? [
                `recommended size: ${recommendation.size} (${recommendation.aspectRatio})${recommendation.quality ? `, quality ${recommendation.quality}` : ''}`,
              ]
            : []),
        ].join('\n'),
      );
    });

  templates
    .command('render')
    .description('the prompt a template makes from arguments, with its recommended size (nothing is generated)')
    .argument('<name>', 'template name')
    .option('-a, --arg <key=value>', 'a template argument (repeatable)', keyValueOption)
    .addHelpText('after', '\nExamples:\n  $ imagegen templates render thumbnail-prompt --arg title="10 tips" --arg style=bold')
    .action(async (name: string, options: { arg?: Record<string, string> }) => {
      const registry = await loadTemplates(context);
      await requireTemplate(registry, name);
      const rendered = registry.render(name, options.arg ?? {});
      context.output.result(rendered, () =>
        [
          rendered.prompt,
          context.output.color.dim(
            `recommended size ${rendered.recommendedSize} (${rendered.aspectRatio})${rendered.recommendedQuality ? `, quality ${rendered.recommendedQuality}` : ''}`,
          ),
        ].join('\n'),
      );
    });
}
