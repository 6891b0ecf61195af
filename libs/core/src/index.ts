/**
 * @imagegen/core — the image engine. Generate and edit images with OpenAI GPT image and Google Gemini image models,
 * store them with metadata, cache, track cost and enforce limits. No MCP code: the MCP server and the CLI are thin
 * layers over this package.
 */
export { createImageEngine, replicaLiveness } from './engine/image-engine';
export type { CachedGeneration, ImageEngine, ImageEngineDependencies, ReadinessReport, RetryPolicy } from './engine/image-engine';
export type { GenerationHandle } from './generation/run-generation';
export type { GenerationJob } from './generation/generation-jobs';
export { createFileJobPersistence, createMemoryJobPersistence } from './generation/job-persistence';
export type { JobPersistence, JobRecord, JobStatus } from './generation/job-persistence';
export type {
  CallOptions,
  EditImageInput,
  GenerateImageInput,
  ImageResult,
  ImageSource,
  ModelListing,
  ProgressEvent,
  ProgressStage,
  StoredImage,
} from './engine/engine-types';
export type { DeleteImageReport } from './engine/delete-image';
export { imageIdFromReference } from './engine/resolve-image-source';
export { createImageEngineFromConfig, openCoordinationFromConfig } from './engine/engine-from-config';
export { createProvidersFromConfig, providerSettingHints } from './engine/providers-from-config';
export type { ConfiguredProvider, ProvidersFromConfigOptions } from './engine/providers-from-config';
export type { EngineFromConfigOptions } from './engine/engine-from-config';
export { createCostLedger } from './cost/cost-ledger';
export { createFileLedgerPersistence, createMemoryLedgerPersistence } from './cost/ledger-persistence';
export type {
  BudgetLimits,
  CallOutcome,
  CallStartedRecord,
  CostEntry,
  CostLedger,
  CostLedgerPersistence,
  CostTotals,
  LedgerRecord,
  PaidCall,
  PaidCallStart,
  PeriodTotals,
} from './cost/cost-ledger';
export {
  createFilePrincipalBudgetPersistence,
  createMemoryPrincipalBudgetPersistence,
  openPrincipalBudgets,
} from './cost/principal-budgets';
export type { PrincipalBudgetChange, PrincipalBudgetPersistence, PrincipalBudgetRecord, PrincipalBudgets } from './cost/principal-budgets';
export { localAccess } from '@imagegen/storage';
export type { PrincipalAccess } from '@imagegen/storage';
export { localPrincipalId } from '@imagegen/common';
export { createProviderLimiter } from './limits/provider-limiter';
export type { LimiterRunOptions, ProviderLimiter, ProviderLimiterOptions } from './limits/provider-limiter';
export { createJsonLogger } from './logging/json-logger';
export { routeConsoleToLogger } from './logging/console-to-logger';
export type { JsonLoggerOptions } from './logging/json-logger';
export { ImageGenError } from '@imagegen/common';
export type { ImageGenErrorCode, Logger } from '@imagegen/common';
export { describeDatabaseUrl, openPostgresDatabase } from './postgres/database';
export type { PostgresDatabase, PostgresDatabaseOptions } from './postgres/database';
export { migrateDatabase, migrationNames } from './postgres/migrations';
export type { MigrationReport } from './postgres/migrations';
export { createPostgresImageCatalog } from './postgres/postgres-image-catalog';
export { createPostgresCostLedger } from './postgres/postgres-cost-ledger';
export type { PostgresCostLedgerOptions } from './postgres/postgres-cost-ledger';
export { createPostgresJobPersistence } from './postgres/postgres-job-persistence';
export { createPostgresPrincipalBudgetPersistence } from './postgres/postgres-principal-budgets';
