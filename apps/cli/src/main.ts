import * as os from 'node:os';
import { Command, Option } from 'commander';
import type { ImageEngine } from '@imagegen/core';

/** Documented exit codes; scripts can rely on them. */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  providerRefused: 3,
  providerUnavailable: 4,
  budgetReached: 5,
  notFound: 6,
  invalidInput: 7,
  cancelled: 130,
  configError: 78,
} as const;

const exitCodeByErrorCode: Record<string, number> = {
  invalid_config: exitCodes.configError,
  content_blocked: exitCodes.providerRefused,
  authentication_failed: exitCodes.providerRefused,
  permission_denied: exitCodes.providerRefused,
  upstream_unavailable: exitCodes.providerUnavailable,
  rate_limited: exitCodes.providerUnavailable,
  timeout: exitCodes.providerUnavailable,
  upstream_error: exitCodes.providerUnavailable,
  provider_not_configured: exitCodes.configError,
  budget_exceeded: exitCodes.budgetReached,
  not_found: exitCodes.notFound,
  invalid_request: exitCodes.invalidInput,
  invalid_image: exitCodes.invalidInput,
  model_not_found: exitCodes.invalidInput,
  model_retired: exitCodes.invalidInput,
  cancelled: exitCodes.cancelled,
};

interface GlobalOptions {
  json?: boolean;
  config?: string;
  set?: string[];
}

function print(json: boolean | undefined, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

async function loadSettings(options: GlobalOptions) {
  const { loadConfig } = await import('@imagegen/config');
  const argv = [...(options.config ? ['--config', options.config] : []), ...(options.set ?? []).flatMap((pair) => ['--set', pair])];
  return loadConfig({ env: process.env, argv, cwd: process.cwd(), homeDirectory: os.homedir(), platform: process.platform });
}

async function withEngine<T>(options: GlobalOptions, work: (engine: ImageEngine) => Promise<T>): Promise<T> {
  const { createImageEngineFromConfig, createJsonLogger } = await import('@imagegen/core');
  const { config } = await loadSettings(options);
  const logger = createJsonLogger({ level: process.env['IMAGEGEN_VERBOSE'] ? 'debug' : 'warn', destination: process.stderr });
  const engine = await createImageEngineFromConfig(config, { logger, scheduleRetention: false });
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('imagegen')
    .description('Generate and edit images with OpenAI GPT image and Google Gemini image models, from the terminal.')
    .version(require('../package.json').version)
    .option('--json', 'machine-readable JSON on stdout (logs stay on stderr)')
    .option('--config <file>', 'JSON config file')
    .option('--set <KEY=VALUE...>', 'override a setting, e.g. --set STORAGE__RETENTION_DAYS=7')
    .showHelpAfterError()
    .exitOverride();

  const globals = () => program.opts<GlobalOptions>();

  const config = program.command('config').description('show or check the effective configuration');
  config
    .command('show')
    .description('the effective settings with their sources; keys are masked')
    .action(async () => {
      const { describeEffectiveConfig } = await import('@imagegen/config');
      const loaded = await loadSettings(globals());
      const rows = describeEffectiveConfig(loaded);
      print(globals().json, rows, () => rows.map((row) => `${row.envName} = ${row.value === undefined ? '(unset)' : JSON.stringify(row.value)}  [${row.source}]`).join('\n'));
    });
  config
    .command('check')
    .description('validate the configuration (exit 78 with one line per problem when invalid)')
    .action(async () => {
      const loaded = await loadSettings(globals());
      print(globals().json, { valid: true, warnings: loaded.warnings }, () =>
        ['Configuration is valid.', ...loaded.warnings.map((warning) => `warning: ${warning.message}`)].join('\n'),
      );
    });

  program
    .command('models')
    .description('the model registry with status, availability and prices')
    .option('--check-availability', 'ask each configured provider which models the key can use')
    .action(async (options: { checkAvailability?: boolean }) => {
      await withEngine(globals(), async (engine) => {
        const models = await engine.listModels({ checkAvailability: Boolean(options.checkAvailability) });
        print(globals().json, models, () =>
          models
            .map((model) => {
              const status = model.definition.status;
              const state = status.kind === 'active' ? 'active' : status.kind === 'deprecated' ? `deprecated (shuts down ${status.shutdownDate})` : `retired ${status.retiredDate}, use ${status.replacement}`;
              const provider = model.providerConfigured ? model.definition.provider : `${model.definition.provider} (not configured)`;
              return `${model.isDefault ? '*' : ' '} ${model.definition.id.padEnd(30)} ${provider.padEnd(24)} ${state}`;
            })
            .join('\n'),
        );
      });
    });

  program
    .command('generate')
    .description('generate an image from a prompt')
    .argument('<prompt>', 'what to draw')
    .option('-m, --model <id>', 'model id')
    .option('-s, --size <WxH>', 'size, e.g. 1536x1024 or 1200x630')
    .option('-q, --quality <quality>', 'auto, low, medium, high')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['png', 'jpeg', 'webp']))
    .option('-n, --n <count>', 'how many images', (value) => Number.parseInt(value, 10))
    .option('--fresh', 'skip the cache')
    .addHelpText('after', '\nExamples:\n  $ imagegen generate "a lighthouse at dawn, watercolour" --size 1536x1024\n  $ imagegen --json generate "app icon, flat" -q low -f webp')
    .action(async (prompt: string, options: { model?: string; size?: string; quality?: string; format?: 'png' | 'jpeg' | 'webp'; n?: number; fresh?: boolean }) => {
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      await withEngine(globals(), async (engine) => {
        const result = await engine.generate(
          {
            prompt,
            ...(options.model ? { model: options.model } : {}),
            ...(options.size ? { size: options.size } : {}),
            ...(options.quality ? { quality: options.quality } : {}),
            ...(options.format ? { outputFormat: options.format } : {}),
            ...(options.n ? { n: options.n } : {}),
            ...(options.fresh ? { fresh: true } : {}),
          },
          {
            signal: controller.signal,
            onProgress: (event) => {
              if (!globals().json) process.stderr.write(`[${(event.elapsedMs / 1000).toFixed(1)}s] ${event.message}\n`);
            },
          },
        );
        const summary = {
          task_id: result.taskId,
          model: result.model,
          from_cache: result.fromCache,
          estimated_cost_usd: result.estimatedCostUsd,
          actual_cost_usd: result.actualCostUsd,
          warnings: result.warnings.map((warning) => warning.message),
          images: result.images.map((image) => ({ image_id: image.imageId, file_path: image.filePath, width: image.width, height: image.height, format: image.format, bytes: image.byteLength })),
        };
        print(globals().json, summary, () =>
          [
            ...result.images.map((image) => `${image.imageId}  ${image.width}x${image.height} ${image.format}  ${image.filePath ?? image.resourceUri}`),
            ...result.warnings.map((warning) => `warning: ${warning.message}`),
            result.fromCache ? 'served from cache (no cost)' : `cost: $${(result.actualCostUsd ?? result.estimatedCostUsd ?? 0).toFixed(4)}`,
          ].join('\n'),
        );
      });
    });

  program
    .command('history')
    .description('recently stored images, newest first')
    .option('--limit <n>', 'how many', (value) => Number.parseInt(value, 10), 10)
    .option('--days <n>', 'how far back', (value) => Number.parseFloat(value))
    .action(async (options: { limit: number; days?: number }) => {
      await withEngine(globals(), async (engine) => {
        const page = await engine.history({ limit: options.limit, ...(options.days ? { days: options.days } : {}) });
        print(globals().json, page, () =>
          page.images.length === 0 ? 'No images stored yet.' : page.images.map((image) => `${image.imageId}  ${image.createdAt}  ${image.model}  ${image.promptExcerpt}`).join('\n'),
        );
      });
    });

  program
    .command('stats')
    .description('storage totals')
    .action(async () => {
      await withEngine(globals(), async (engine) => {
        const stats = await engine.stats();
        print(globals().json, stats, () => `${stats.imageCount} images, ${(stats.totalBytes / 1024 / 1024).toFixed(1)} MB`);
      });
    });

  program
    .command('cleanup')
    .description('apply the retention policy now')
    .option('--dry-run', 'only report what would be removed')
    .action(async (options: { dryRun?: boolean }) => {
      const { config } = await loadSettings(globals());
      await withEngine(globals(), async (engine) => {
        const report = await engine.cleanup({
          dryRun: Boolean(options.dryRun),
          retentionDays: config.storage.retention_days,
          maxSizeBytes: Math.round(config.storage.max_size_gb * 1024 ** 3),
        });
        print(globals().json, report, () => `${report.dryRun ? 'Would remove' : 'Removed'} ${report.removedImages.length} images and ${report.removedFiles.length} stray files (${report.removedBytes} bytes).`);
      });
    });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const { ImageGenError } = await import('@imagegen/core');
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' || commanderCode === 'commander.help') return exitCodes.ok;
    if (commanderCode?.startsWith('commander.')) return exitCodes.usage;
    if (ImageGenError.isInstance(error)) {
      if (program.opts<GlobalOptions>().json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
      process.stderr.write(`imagegen: ${error.message}\n`);
      return exitCodeByErrorCode[error.code] ?? exitCodes.failure;
    }
    process.stderr.write(`imagegen: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failure;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    // Keep-alive sockets of the vendor SDKs may hold the event loop open for seconds after the work is done; a CLI
    // ends when its command does, once everything written to stdout has been flushed.
    process.stdout.write('', () => process.exit(code));
  });
}
