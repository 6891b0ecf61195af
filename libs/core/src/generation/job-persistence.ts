import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '@imagegen/common';
import type { ProcessIdentity } from '../cost/process-identity';
import type { CachedGeneration } from './cached-generation';
import { appendLine, readJsonLinesFile } from '../persistence/json-lines-file';

/** The state of a generation job. */
export type JobStatus = 'running' | 'completed' | 'failed';

/** One line of the job log: the latest line of a job is its state. */
export interface JobRecord {
  jobId: string;
  operation: 'generate' | 'edit';
  status: JobStatus;
  /** When the job started (ISO 8601). */
  createdAt: string;
  /** When it finished. */
  finishedAt?: string;
  /** The model it runs on. */
  model: string;
  /** Who started it; records written before principals existed read back as `local`. */
  principalId?: string;
  /** The first characters of the prompt. */
  promptExcerpt: string;
  /** For a completed job: what it produced (images are read from the store). */
  summary?: CachedGeneration;
  /** For a failed job: why. `interrupted` when the process stopped while it ran. */
  error?: { code: string; message: string };
  /** The process that ran it. */
  process: ProcessIdentity;
}

/** Where job records persist. */
export interface JobPersistence {
  /** Every record, oldest first. */
  load(): Promise<JobRecord[]>;
  /** Adds one record. */
  append(record: JobRecord): Promise<void>;
  /** The latest record of one job, when the store can look one up without loading everything (shared stores); optional. */
  find?(jobId: string): Promise<JobRecord | undefined>;
  /**
   * Whether the process that wrote a running job may still run it, for stores shared by several hosts (where a pid
   * means nothing); optional: without it the pid is checked on this host.
   */
  mayStillBeRunning?(writer: ProcessIdentity): Promise<boolean>;
  /** Replaces everything with `records` (compaction); optional. */
  replace?(records: JobRecord[]): Promise<void>;
}

/** Records a memory persistence keeps: a long-running embedder must not grow without bound. */
const memoryRecordLimit = 2_000;

/** Keeps job records in memory (tests, embedders without a disk), the latest {@link memoryRecordLimit} of them. */
export function createMemoryJobPersistence(initial: JobRecord[] = []): JobPersistence & { records: JobRecord[] } {
  const records = [...initial];
  return {
    records,
    load: async () => [...records],
    append: async (record) => {
      records.push(record);
      if (records.length > memoryRecordLimit) records.splice(0, records.length - memoryRecordLimit);
    },
    replace: async (kept) => {
      records.splice(0, records.length, ...kept);
    },
  };
}

const isJobRecord = (value: unknown): value is JobRecord => {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['jobId'] === 'string' && typeof record['status'] === 'string' && typeof record['createdAt'] === 'string';
};

/** Keeps job records as JSON lines in one file; unreadable lines (a torn write) are skipped. */
export function createFileJobPersistence(filePath: string, logger: Logger = silentLogger): JobPersistence {
  return {
    load: () => readJsonLinesFile(filePath, { isRecord: isJobRecord, unreadableMessage: 'skipped an unreadable job record', logger }),
    async append(record) {
      await appendLine(filePath, JSON.stringify(record) + '\n');
    },
    async replace(records) {
      const temporary = `${filePath}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.promises.writeFile(temporary, records.map((record) => JSON.stringify(record) + '\n').join(''), { mode: 0o600 });
      await fs.promises.rename(temporary, filePath);
    },
  };
}
