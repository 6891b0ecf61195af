import type { Command } from 'commander';
import type { ImageGenConfig } from '@imagegen/config';
import { checkProviderKeys, type ProviderKeyCheck } from '../checks/provider-keys';
import type { CliContext } from '../context';

/**
 * What the schema cannot see: the default model must exist and not be retired, and custom model definitions must
 * be valid. Throws `invalid_config` naming the setting, as the servers do at start.
 */
export async function checkModelSettings(config: ImageGenConfig): Promise<string> {
  const { builtInModels, createModelRegistry } = await import('@imagegen/providers');
  const { ImageGenError } = await import('@imagegen/core');
  const registry = createModelRegistry({ models: builtInModels, overrides: config.images.custom_models ?? [] });
  try {
    const model = registry.resolve(config.images.default_model);
    return model.id;
  } catch (error) {
    if (!ImageGenError.isInstance(error)) throw error;
    throw new ImageGenError({
      code: 'invalid_config',
      message: `IMAGES__DEFAULT_MODEL = ${config.images.default_model}: ${error.message}`,
      details: { problems: [{ setting: 'IMAGES__DEFAULT_MODEL', value: config.images.default_model, message: error.message }] },
      cause: error,
    });
  }
}

/** A provider check as JSON (the error as its plain object). */
export function describeProviderCheck(check: ProviderKeyCheck) {
  return {
    provider: check.provider,
    status: check.status,
    message: check.message,
    ...(check.modelCount === undefined ? {} : { modelCount: check.modelCount }),
    ...(check.error ? { error: check.error.toJSON() } : {}),
  };
}

export function registerConfigCommands(program: Command, context: CliContext): void {
  const config = program
    .command('config')
    .description('show or check the effective configuration')
    .addHelpText(
      'after',
      `
Examples:
  $ imagegen config show
  $ imagegen config check --test-keys
  $ imagegen --config imagegen.json --set STORAGE__RETENTION_DAYS=7 config show`,
    );

  config
    .command('show')
    .description('every setting with its effective value and where it came from; keys and passwords are masked')
    .addHelpText(
      'after',
      '\nExamples:\n  $ imagegen config show\n  $ imagegen --json config show | jq -r \'.[] | select(.source != "default") | .envName\'',
    )
    .action(async () => {
      const { describeEffectiveConfig } = await import('@imagegen/config');
      const loaded = await context.settings();
      const rows = describeEffectiveConfig(loaded);
      const color = context.output.color;
      context.output.result(rows, () =>
        [
          ...(loaded.configFilePath ? [color.dim(`config file: ${loaded.configFilePath}`)] : []),
          ...(loaded.envFilePath ? [color.dim(`.env file: ${loaded.envFilePath}`)] : []),
          ...rows.map((row) => {
            const value = row.value === undefined ? color.dim('(unset)') : JSON.stringify(row.value);
            const source = row.source === 'default' ? color.dim(`[${row.source}]`) : `[${row.source}${row.setBy ? `: ${row.setBy}` : ''}]`;
            return `${row.envName} = ${value}  ${source}`;
          }),
        ].join('\n'),
      );
    });

  config
    .command('check')
    .description(
      'validate the configuration (exit 78 with one line per problem); --test-keys also asks each provider whether its key works',
    )
    .option('--test-keys', 'list the models each configured provider offers your key (free; needs the network)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ imagegen config check\n  $ imagegen config check --test-keys\n  $ OPENAI_API_KEY=sk-… imagegen --json config check --test-keys',
    )
    .action(async (options: { testKeys?: boolean }) => {
      const { ImageGenError } = await import('@imagegen/core');
      const loaded = await context.settings();
      const defaultModel = await checkModelSettings(loaded.config);
      const providersConfigured = Boolean(loaded.config.providers.openai.api_key && loaded.config.providers.openai.enabled !== false);
      const warnings = loaded.warnings.map((warning) => warning.message);
      if (!providersConfigured)
        warnings.push('No provider is configured: set OPENAI_API_KEY (or PROVIDERS__OPENAI__API_KEY) to generate images.');
      let checks: ProviderKeyCheck[] = [];
      if (options.testKeys) checks = await checkProviderKeys(loaded.config, { logger: await context.logger(), signal: context.signal });
      const failed = checks.find((check) => check.status === 'fail');
      const color = context.output.color;
      const mark = (status: ProviderKeyCheck['status']) =>
        status === 'ok'
          ? color.green('ok  ')
          : status === 'fail'
            ? color.red('FAIL')
            : status === 'warn'
              ? color.yellow('warn')
              : color.dim('skip');
      context.output.result(
        {
          valid: true,
          defaultModel,
          warnings,
          ...(options.testKeys ? { keysWork: !failed && providersConfigured, providers: checks.map(describeProviderCheck) } : {}),
        },
        () =>
          [
            `Configuration is valid (default model ${defaultModel}).`,
            ...warnings.map((warning) => `${color.yellow('warning:')} ${warning}`),
            ...checks.map((check) => `${mark(check.status)}  ${check.provider}: ${check.message}`),
          ].join('\n'),
      );
      if (failed?.error) throw failed.error;
      if (options.testKeys && !providersConfigured) {
        throw new ImageGenError({
          code: 'provider_not_configured',
          message: 'No provider key to test: set OPENAI_API_KEY (or PROVIDERS__OPENAI__API_KEY).',
          details: { setting: 'PROVIDERS__OPENAI__API_KEY' },
        });
      }
    });
}
