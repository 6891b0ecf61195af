import { silentLogger, type Logger } from '@imagegen/common';
import type { CostLedgerPersistence, LedgerRecord } from './cost-ledger';
import { appendLine, readJsonLinesFile } from '../persistence/json-lines-file';

/** Keeps ledger lines in memory only (tests, embedders that do not want a file). */
export function createMemoryLedgerPersistence(initial: LedgerRecord[] = []): CostLedgerPersistence & { entries: LedgerRecord[] } {
  const entries = [...initial];
  return {
    entries,
    load: async () => [...entries],
    append: async (record) => {
      entries.push(record);
    },
  };
}

const isLedgerRecord = (value: unknown): value is LedgerRecord => {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (record['event'] === 'started') return typeof record['callId'] === 'string' && typeof record['estimatedUsd'] === 'number';
  return typeof record['usd'] === 'number' && typeof record['at'] === 'string';
};

/**
 * Keeps ledger lines as JSON lines in one file. A line that cannot be parsed (a torn write after a crash) is skipped
 * with a warning instead of losing the whole ledger.
 */
export function createFileLedgerPersistence(filePath: string, logger: Logger = silentLogger): CostLedgerPersistence {
  return {
    load: () =>
      readJsonLinesFile(filePath, {
        isRecord: isLedgerRecord,
        unreadableMessage: 'skipped an unreadable cost ledger line',
        unknownShapeMessage: 'skipped a cost ledger line of unknown shape',
        logger,
      }),
    async append(record) {
      // One write call per line: concurrent appenders (another process on the same folder) never interleave a line.
      await appendLine(filePath, JSON.stringify(record) + '\n');
    },
  };
}
