import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMemoryCache } from '@imagegen/cache';
import { createMemoryLogger } from '@imagegen/common';
import { createTemplateRegistry } from '@imagegen/prompt-templates';
import { builtInModels, createModelRegistry, type ImageProvider } from '@imagegen/providers';
import { createFileSystemImageStore, type ImageStore, type StorageFileSystem } from '@imagegen/storage';
import { createInMemoryImageProvider, type InMemoryImageProvider, type InMemoryImageProviderOptions } from '@imagegen/testing';
import { createCostLedger, type BudgetLimits, type CostLedger, type CostLedgerPersistence } from '../../cost/cost-ledger';
import { createMemoryLedgerPersistence } from '../../cost/ledger-persistence';
import { createProviderLimiter } from '../../limits/provider-limiter';
import { createImageEngine, type ImageEngine, type ImageEngineDependencies } from '../../engine/image-engine';
import { createMemoryJobPersistence, type JobPersistence } from '../job-persistence';

/** An engine over the in-memory provider and a real store in a temp folder: no HTTP anywhere. */
export interface MemoryEngine {
  engine: ImageEngine;
  provider: InMemoryImageProvider;
  ledger: CostLedger;
  store: ImageStore;
  storageFolder: string;
  logger: ReturnType<typeof createMemoryLogger>;
  close(): Promise<void>;
}

/** Options of {@link createMemoryEngine}. */
export interface MemoryEngineOptions {
  provider?: InMemoryImageProviderOptions;
  budgets?: BudgetLimits;
  fileSystem?: StorageFileSystem;
  ledgerPersistence?: CostLedgerPersistence;
  jobPersistence?: JobPersistence;
  /** Wraps the store (to inject failures). */
  wrapStore?: (store: ImageStore) => ImageStore;
  cache?: boolean;
  maxConcurrency?: number;
  engine?: Partial<ImageEngineDependencies>;
}

export async function createMemoryEngine(options: MemoryEngineOptions = {}): Promise<MemoryEngine> {
  const storageFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-flow-'));
  const logger = createMemoryLogger();
  const provider = createInMemoryImageProvider(options.provider);
  const realStore = await createFileSystemImageStore({
    basePath: storageFolder,
    minFreeBytes: 0,
    ...(options.fileSystem ? { fileSystem: options.fileSystem } : {}),
  });
  const store = options.wrapStore ? options.wrapStore(realStore) : realStore;
  const ledger = await createCostLedger({
    persistence: options.ledgerPersistence ?? createMemoryLedgerPersistence(),
    ...(options.budgets ? { budgets: options.budgets } : {}),
  });
  const engine = createImageEngine({
    registry: createModelRegistry({ models: builtInModels }),
    providers: new Map([['openai', provider as unknown as ImageProvider]]),
    limiters: new Map([
      [
        'openai',
        createProviderLimiter({ provider: 'openai', requestsPerMinute: 0, maxConcurrency: options.maxConcurrency ?? 64, maxQueued: 200 }),
      ],
    ]),
    retryPolicies: new Map([['openai', { maxRetries: 0 }]]),
    store,
    ...(options.cache === false ? {} : { cache: createMemoryCache({ maxBytes: 100 * 1024 * 1024, ttlMs: 3_600_000 }) }),
    ledger,
    templates: createTemplateRegistry(),
    defaults: { model: 'gpt-image-2', size: '1024x1024', quality: 'low', outputFormat: 'png' },
    inputLimits: { maxBytes: 50_000_000, maxPixels: 50_000_000 },
    jobPersistence: options.jobPersistence ?? createMemoryJobPersistence(),
    shutdownGraceMs: 10_000,
    logger,
    ...options.engine,
  });
  return {
    engine,
    provider,
    ledger,
    store,
    storageFolder,
    logger,
    async close() {
      await engine.close();
      fs.rmSync(storageFolder, { recursive: true, force: true });
    },
  };
}

/** Resolves after `milliseconds`. */
export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
