import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { ImageGenConfig, LoadedConfig } from '@imagegen/config';
import type { ImageGenError } from '@imagegen/core';
import { runOfflineGeneration } from '../checks/offline-generation';
import { checkProviderKeys } from '../checks/provider-keys';
import type { CliContext } from '../context';
import { exitCodeForErrorCode, exitCodes } from '../exit-codes';
import { formatBytes } from '../output';
import { startActivity } from '../spinner';
import { checkModelSettings } from './config';
import { budgetStatus } from './cost';

/** One line of the doctor's report. */
interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skipped';
  message: string;
  /** The error code behind a failure (decides the exit code). */
  code?: string;
  /** Facts for programs (the offline generation's image; `synthetic: true`). */
  details?: Record<string, unknown>;
}

async function checkStorage(config: ImageGenConfig): Promise<DoctorCheck> {
  const folder = config.storage.base_path;
  const probe = path.join(folder, `.imagegen-doctor-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.promises.mkdir(folder, { recursive: true });
    await fs.promises.writeFile(probe, 'imagegen doctor');
    if ((await fs.promises.readFile(probe, 'utf8')) !== 'imagegen doctor') throw new Error('what was written did not read back');
  } catch (error) {
    return {
      name: 'storage',
      status: 'fail',
      code: 'storage_failed',
      message: `${folder} is not writable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  } finally {
    await fs.promises.rm(probe, { force: true }).catch(() => undefined);
  }
  const facts = await fs.promises.statfs(folder).catch(() => undefined);
  if (!facts) return { name: 'storage', status: 'ok', message: `${folder} is writable` };
  const free = facts.bavail * facts.bsize;
  const minimum = config.storage.min_free_space_mb * 1024 * 1024;
  if (free < minimum) {
    return {
      name: 'storage',
      status: 'fail',
      code: 'storage_failed',
      message: `${folder} is writable, but only ${formatBytes(free)} is free; saves need ${formatBytes(minimum)} (STORAGE__MIN_FREE_SPACE_MB)`,
    };
  }
  return { name: 'storage', status: 'ok', message: `${folder} is writable, ${formatBytes(free)} free` };
}

async function checkCache(config: ImageGenConfig): Promise<DoctorCheck> {
  const cache = config.cache;
  if (!cache.enabled) return { name: 'cache', status: 'ok', message: 'disabled (CACHE__ENABLED=false)' };
  if (cache.backend === 'memory')
    return { name: 'cache', status: 'ok', message: `in memory, up to ${cache.max_size_mb} MB (each CLI run starts with an empty cache)` };
  const { createRedisCache } = await import('@imagegen/cache');
  const redis = createRedisCache({
    url: cache.redis_url ?? 'redis://127.0.0.1:6379',
    keyPrefix: cache.redis_key_prefix,
    maxBytes: 1,
    commandTimeoutMs: 3000,
  });
  const started = Date.now();
  try {
    await redis.ping();
    return { name: 'cache', status: 'ok', message: `Redis answered PONG in ${Date.now() - started} ms` };
  } catch (error) {
    return {
      name: 'cache',
      status: 'fail',
      code: 'upstream_unavailable',
      message: `Redis (CACHE__REDIS_URL): ${(error as Error).message}`,
    };
  } finally {
    await redis.close();
  }
}

function checkBudget(context: { todayUsd: number; monthUsd: number; budgets: { dailyUsd?: number; monthlyUsd?: number } }): DoctorCheck {
  const daily = budgetStatus(context.todayUsd, context.budgets.dailyUsd);
  const monthly = budgetStatus(context.monthUsd, context.budgets.monthlyUsd);
  if (daily.reached || monthly.reached) {
    return {
      name: 'budget',
      status: 'warn',
      message: `the ${daily.reached ? 'daily' : 'monthly'} budget is reached: generation is refused (exit 5) until ${daily.reached ? 'tomorrow' : 'next month'} (UTC); see \`imagegen cost\``,
    };
  }
  if (daily.capUsd === null && monthly.capUsd === null)
    return { name: 'budget', status: 'ok', message: 'no spending cap set (COST__DAILY_BUDGET_USD, COST__MONTHLY_BUDGET_USD)' };
  return {
    name: 'budget',
    status: 'ok',
    message: [
      daily.capUsd !== null ? `today ${daily.percentUsed}% of the daily cap` : '',
      monthly.capUsd !== null ? `this month ${monthly.percentUsed}% of the monthly cap` : '',
    ]
      .filter(Boolean)
      .join(', '),
  };
}

export function registerDoctorCommand(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description('check the install: configuration, storage, cache, providers and keys; --offline proves it end to end for free')
    .option(
      '--offline',
      'do not contact any vendor; instead run one full generation against the bundled fake provider (a synthetic image, no cost)',
    )
    .addHelpText(
      'after',
      `
Exit code: 0 when every check passes, else the code of the first failed check (78 configuration, 8 storage,
4 cache or provider unreachable, 9 key rejected).

Examples:
  $ imagegen doctor
  $ imagegen doctor --offline        # before you have a key, or before spending money
  $ imagegen --json doctor | jq '.checks[] | select(.status == "fail")'`,
    )
    .action(async (options: { offline?: boolean }) => {
      const output = context.output;
      const checks: DoctorCheck[] = [];
      const add = (check: DoctorCheck) => {
        checks.push(check);
        return check;
      };
      let loaded: LoadedConfig | undefined;
      try {
        loaded = await context.settings();
        add({
          name: 'configuration',
          status: 'ok',
          message: `valid${loaded.configFilePath ? ` (config file ${loaded.configFilePath})` : ''}${loaded.warnings.length > 0 ? `, ${loaded.warnings.length} warning(s) above` : ''}`,
        });
      } catch (error) {
        add({
          name: 'configuration',
          status: 'fail',
          code: (error as ImageGenError).code ?? 'invalid_config',
          message: (error as Error).message,
        });
      }
      if (loaded) {
        const config = loaded.config;
        try {
          add({ name: 'default model', status: 'ok', message: await checkModelSettings(config) });
        } catch (error) {
          add({ name: 'default model', status: 'fail', code: 'invalid_config', message: (error as Error).message });
        }
        const storage = add(await checkStorage(config));
        add(await checkCache(config));
        if (storage.status === 'ok') {
          await context
            .withEngine(async (engine) => add(checkBudget(engine.costReport())))
            .catch((error: unknown) =>
              add({ name: 'budget', status: 'warn', message: `the cost ledger could not be read: ${(error as Error).message}` }),
            );
        }
        if (options.offline) {
          add({ name: 'providers', status: 'skipped', message: 'offline: no vendor was contacted' });
        } else {
          const activity = startActivity(output, 'Asking the providers…');
          const providerChecks = await checkProviderKeys(config, { logger: await context.logger(), signal: context.signal }).finally(() =>
            activity.stop(),
          );
          for (const check of providerChecks)
            add({
              name: `provider ${check.provider}`,
              status: check.status,
              message: check.message,
              ...(check.error ? { code: check.error.code } : {}),
            });
          if (
            !providerChecks.some(
              (check) => check.status === 'ok' || check.status === 'fail' || (check.status === 'warn' && check.modelCount !== undefined),
            )
          ) {
            add({
              name: 'providers',
              status: 'fail',
              code: 'provider_not_configured',
              message:
                'no provider is configured: set OPENAI_API_KEY (or PROVIDERS__OPENAI__API_KEY); `imagegen doctor --offline` checks the rest without a key',
            });
          }
        }
        if (options.offline) {
          const activity = startActivity(output, 'Generating a synthetic image with the bundled fake provider…');
          try {
            const report = await runOfflineGeneration(config, { logger: await context.logger(), signal: context.signal });
            activity.stop();
            add({
              name: 'offline generation',
              status: 'ok',
              message:
                `generated and stored a ${report.width}x${report.height} ${report.format} (${formatBytes(report.bytes)}) with ${report.model} through the whole engine. ` +
                'The image is SYNTHETIC (a noise pattern from the bundled fake provider on 127.0.0.1): no vendor was contacted, nothing was spent, and the temporary copy was deleted.',
              details: { synthetic: true, ...report },
            });
          } catch (error) {
            activity.stop();
            if (context.cancelled) throw error;
            add({
              name: 'offline generation',
              status: 'fail',
              code: (error as ImageGenError).code ?? 'internal',
              message: (error as Error).message,
            });
          }
        }
      }
      const failed = checks.find((check) => check.status === 'fail');
      const color = output.color;
      const mark = (status: DoctorCheck['status']) =>
        status === 'ok' ? color.green('✔') : status === 'fail' ? color.red('✖') : status === 'warn' ? color.yellow('!') : color.dim('-');
      const width = Math.max(...checks.map((check) => check.name.length));
      output.result({ ok: !failed, offline: Boolean(options.offline), checks }, () =>
        [
          ...checks.map((check) => `${mark(check.status)} ${check.name.padEnd(width)}  ${check.message}`),
          failed
            ? color.red(`Problems found: ${checks.filter((check) => check.status === 'fail').length} check(s) failed.`)
            : color.green('All checks passed.'),
        ].join('\n'),
      );
      if (failed) context.exitCode = failed.code ? exitCodeForErrorCode(failed.code) : exitCodes.failure;
    });
}
