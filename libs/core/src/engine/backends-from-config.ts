import * as path from 'node:path';
import { localPrincipalId, type Clock, type Logger } from '@imagegen/common';
import type { ImageGenConfig } from '@imagegen/config';
import { createFileSystemImageStore, createS3ImageStore, type ImageStore } from '@imagegen/storage';
import { createCostLedger, type CostLedger } from '../cost/cost-ledger';
import { createFileLedgerPersistence } from '../cost/ledger-persistence';
import { createFilePrincipalBudgetPersistence, openPrincipalBudgets, type PrincipalBudgets } from '../cost/principal-budgets';
import { createFileJobPersistence, type JobPersistence } from '../generation/job-persistence';
import type { ProcessLiveness } from '../cost/process-identity';
import { describeDatabaseUrl, openPostgresDatabase, type PostgresDatabase } from '../postgres/database';
import { migrateDatabase } from '../postgres/migrations';
import { createPostgresCostLedger } from '../postgres/postgres-cost-ledger';
import { createPostgresImageCatalog } from '../postgres/postgres-image-catalog';
import { createPostgresJobPersistence } from '../postgres/postgres-job-persistence';
import { createPostgresPrincipalBudgetPersistence } from '../postgres/postgres-principal-budgets';

/** Where an engine keeps images, money and jobs, as the configuration chose. */
export interface ConfiguredBackends {
  store: ImageStore;
  ledger: CostLedger;
  jobPersistence: JobPersistence;
  /**
   * Per-user caps (`COST__PRINCIPAL_*` defaults and what administrators set), which the ledger also enforces; kept in
   * the database when there is one (re-read every {@link principalBudgetReloadMs}, so every replica applies a change),
   * else in `principal-budgets.jsonl` beside the images.
   */
  principalBudgets: PrincipalBudgets;
  /** The shared database, when `DATABASE__URL` is set. */
  database?: PostgresDatabase;
  /** Closes the database pool; call after the engine closed the store and the ledger. */
  close(): Promise<void>;
}

/** Options of {@link openBackendsFromConfig}. */
export interface BackendOptions {
  clock: Clock;
  logger: Logger;
  /** Whether the process behind a file ledger's running call still runs (Redis presence across hosts); default by pid. */
  liveness?: ProcessLiveness;
}

/**
 * Opens the configured backends, one named step each: the database (migrated at start unless
 * `DATABASE__MIGRATE_ON_START` is false), the image store (folder, or bucket with the database's catalog when there is
 * one), the cost ledger and the job store (in the database when there is one, else JSON-lines files beside the
 * images). With no settings: the folder, the file ledger and the file job log, exactly as before.
 */
export async function openBackendsFromConfig(config: ImageGenConfig, options: BackendOptions): Promise<ConfiguredBackends> {
  const database = await openDatabase(config, options);
  try {
    const store = await openImageStore(config, options, database);
    try {
      const principalBudgets = await openBudgetsOfPrincipals(config, options, database);
      const ledger = await openLedger(config, options, database, principalBudgets);
      const reloadTimer = database ? reloadEvery(principalBudgets, options.logger) : undefined;
      return {
        store,
        ledger,
        principalBudgets,
        jobPersistence: database
          ? createPostgresJobPersistence(database)
          : createFileJobPersistence(path.join(config.storage.base_path, 'generation-jobs.jsonl'), options.logger),
        ...(database ? { database } : {}),
        close: async () => {
          if (reloadTimer) clearInterval(reloadTimer);
          await database?.close();
        },
      };
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  } catch (error) {
    await database?.close().catch(() => undefined);
    throw error;
  }
}

async function openDatabase(config: ImageGenConfig, { logger }: BackendOptions): Promise<PostgresDatabase | undefined> {
  const settings = config.database;
  if (settings.url === undefined) return undefined;
  logger.info('database', { database: describeDatabaseUrl(settings.url) });
  const database = await openPostgresDatabase({ url: settings.url, maxConnections: settings.max_connections, logger });
  if (settings.migrate_on_start) {
    try {
      await migrateDatabase(database, logger);
    } catch (error) {
      await database.close().catch(() => undefined);
      throw error;
    }
  }
  return database;
}

async function openImageStore(config: ImageGenConfig, { clock, logger }: BackendOptions, database: PostgresDatabase | undefined) {
  const storage = config.storage;
  const storageLogger = logger.child({ component: 'storage' });
  if (storage.backend === 's3') {
    const s3 = storage.s3;
    const store = await createS3ImageStore({
      bucket: s3.bucket ?? '',
      ...(s3.prefix === undefined ? {} : { prefix: s3.prefix }),
      ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
      region: s3.region,
      forcePathStyle: s3.force_path_style,
      createSubdirectories: storage.create_subdirectories,
      ...(database ? { catalog: createPostgresImageCatalog(database) } : {}),
      clock,
      logger: storageLogger,
    });
    logger.info('image bucket', { location: store.location, index: database ? 'database' : 'memory' });
    if (!database) logger.warn('images are in a bucket but the index is in memory: set DATABASE__URL before running several replicas', {});
    return store;
  }
  logger.info('storage folder', { basePath: storage.base_path });
  return createFileSystemImageStore({
    basePath: storage.base_path,
    filePermissions: storage.file_permissions,
    createSubdirectories: storage.create_subdirectories,
    minFreeBytes: storage.min_free_space_mb * 1024 * 1024,
    clock,
    logger: storageLogger,
  });
}

/** How often a replica on a shared database re-reads the per-user caps other replicas may have changed. */
export const principalBudgetReloadMs = 10_000;

function reloadEvery(principalBudgets: PrincipalBudgets, logger: Logger) {
  const timer = setInterval(() => {
    principalBudgets
      .reload()
      .catch((error: unknown) =>
        logger.warn('could not re-read the per-user budgets; the ones read last still apply', { error: String(error) }),
      );
  }, principalBudgetReloadMs);
  timer.unref();
  return timer;
}

/** Per-user caps: in the database when there is one, else in a JSON-lines file beside the images' folder. */
function openBudgetsOfPrincipals(config: ImageGenConfig, { clock, logger }: BackendOptions, database: PostgresDatabase | undefined) {
  return openPrincipalBudgets({
    defaults: {
      ...(config.cost.principal_daily_budget_usd === undefined ? {} : { dailyUsd: config.cost.principal_daily_budget_usd }),
      ...(config.cost.principal_monthly_budget_usd === undefined ? {} : { monthlyUsd: config.cost.principal_monthly_budget_usd }),
    },
    persistence: database
      ? createPostgresPrincipalBudgetPersistence(database)
      : createFilePrincipalBudgetPersistence(path.join(config.storage.base_path, 'principal-budgets.jsonl'), logger),
    // Per-user caps are for signed-in users; without sign-in (the local principal) the global caps apply alone.
    exempt: [localPrincipalId],
    clock,
  });
}

function openLedger(
  config: ImageGenConfig,
  { clock, logger, liveness }: BackendOptions,
  database: PostgresDatabase | undefined,
  principalBudgets: PrincipalBudgets,
) {
  const budgets = {
    ...(config.cost.daily_budget_usd === undefined ? {} : { dailyUsd: config.cost.daily_budget_usd }),
    ...(config.cost.monthly_budget_usd === undefined ? {} : { monthlyUsd: config.cost.monthly_budget_usd }),
  };
  const capsOfPrincipal = (principalId: string) => principalBudgets.limitsOf(principalId);
  if (database) return createPostgresCostLedger({ database, budgets, principalBudgets: capsOfPrincipal, clock, logger });
  return createCostLedger({
    principalBudgets: capsOfPrincipal,
    persistence: createFileLedgerPersistence(path.join(config.storage.base_path, 'cost-ledger.jsonl'), logger),
    budgets,
    clock,
    ...(liveness ? { liveness } : {}),
    logger,
  });
}
