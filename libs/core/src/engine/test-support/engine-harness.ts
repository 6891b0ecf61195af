import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMemoryLogger } from '@imagegen/common';
import { createMemoryCache } from '@imagegen/cache';
import { createTemplateRegistry } from '@imagegen/prompt-templates';
import { builtInModels, createModelRegistry, createOpenAIProvider } from '@imagegen/providers';
import { createFileSystemImageStore, createNodeStorageFileSystem, type StorageFileSystem } from '@imagegen/storage';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createCostLedger, type BudgetLimits } from '../../cost/cost-ledger';
import { createMemoryLedgerPersistence } from '../../cost/ledger-persistence';
import { createProviderLimiter } from '../../limits/provider-limiter';
import { createImageEngine, type CachedGeneration, type ImageEngine } from '../image-engine';

/** A real engine (real registry, OpenAI SDK, store, cache, ledger) against the fake OpenAI server, in a temp folder. */
export interface EngineHarness {
  engine: ImageEngine;
  fake: FakeOpenAIServer;
  storageFolder: string;
  logger: ReturnType<typeof createMemoryLogger>;
  /** Files under the storage folder's `images/` (relative paths), to prove nothing partial was left. */
  imageFiles(): string[];
  close(): Promise<void>;
}

/** Options for {@link createEngineHarness}. */
export interface EngineHarnessOptions {
  budgets?: BudgetLimits;
  fileSystem?: StorageFileSystem;
  cache?: boolean;
  allowedFolders?: string[];
  /** Build the engine with no provider at all. */
  withoutProviders?: boolean;
  /** `CACHE__SHARE_ACROSS_PRINCIPALS`. */
  shareCacheAcrossPrincipals?: boolean;
  /** The configured end-user safety identifier (`PROVIDERS__OPENAI__SAFETY_IDENTIFIER`). */
  safetyIdentifier?: string;
}

export async function createEngineHarness(options: EngineHarnessOptions = {}): Promise<EngineHarness> {
  const fake = await createFakeOpenAIServer();
  const storageFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-engine-'));
  const logger = createMemoryLogger();
  const store = await createFileSystemImageStore({
    basePath: storageFolder,
    minFreeBytes: 0,
    fileSystem: options.fileSystem ?? createNodeStorageFileSystem(),
  });
  const engine = createImageEngine({
    registry: createModelRegistry({ models: builtInModels }),
    providers: options.withoutProviders
      ? new Map()
      : new Map([['openai', createOpenAIProvider({ apiKey: 'sk-test-engine', baseUrl: `${fake.url}/v1`, timeoutMs: 20_000 })]]),
    limiters: new Map([['openai', createProviderLimiter({ provider: 'openai', requestsPerMinute: 0, maxConcurrency: 4, maxQueued: 50 })]]),
    retryPolicies: new Map([['openai', { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 2_000 }]]),
    store,
    ...(options.cache === false ? {} : { cache: createMemoryCache<CachedGeneration>({ maxBytes: 200 * 1024 * 1024, ttlMs: 3_600_000 }) }),
    ledger: await createCostLedger({
      persistence: createMemoryLedgerPersistence(),
      ...(options.budgets ? { budgets: options.budgets } : {}),
    }),
    templates: createTemplateRegistry(),
    defaults: {
      model: 'gpt-image-2',
      size: '1024x1024',
      quality: 'low',
      outputFormat: 'png',
      ...(options.safetyIdentifier ? { safetyIdentifier: options.safetyIdentifier } : {}),
    },
    inputLimits: { maxBytes: 50_000_000, maxPixels: 50_000_000 },
    allowedFolders: options.allowedFolders ?? [],
    logger,
    ...(options.shareCacheAcrossPrincipals ? { shareCacheAcrossPrincipals: true } : {}),
  });
  const imageFiles = () => {
    const root = path.join(storageFolder, 'images');
    if (!fs.existsSync(root)) return [];
    return (fs.readdirSync(root, { recursive: true }) as string[]).filter((entry) => fs.statSync(path.join(root, entry)).isFile()).sort();
  };
  return {
    engine,
    fake,
    storageFolder,
    logger,
    imageFiles,
    async close() {
      await engine.close();
      await fake.close();
      fs.rmSync(storageFolder, { recursive: true, force: true });
    },
  };
}
