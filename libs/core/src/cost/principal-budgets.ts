import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageGenError, isPrincipalId, silentLogger, systemClock, type Clock, type Logger } from '@imagegen/common';
import { readJsonLinesFile } from '../persistence/json-lines-file';
import type { BudgetLimits } from './cost-ledger';

/** One principal's own caps as an administrator set them; the latest record of a principal is in force. */
export interface PrincipalBudgetRecord {
  /** Whose caps these are. */
  principalId: string;
  /** Most dollars per UTC day; `null` removes the principal's daily cap (the default, if any, no longer applies either). */
  dailyUsd: number | null;
  /** Most dollars per UTC month; `null` removes the cap. */
  monthlyUsd: number | null;
  /** When it was set (ISO 8601). */
  at: string;
  /** The principal who set it (an administrator). */
  setBy: string;
}

/** What an administrator sends: a field left out keeps the default for that period. */
export interface PrincipalBudgetChange {
  /** Most dollars per UTC day, or `null` for no daily cap. */
  dailyUsd?: number | null;
  /** Most dollars per UTC month, or `null` for no monthly cap. */
  monthlyUsd?: number | null;
}

/** Where principal budget records persist. */
export interface PrincipalBudgetPersistence {
  /** Every record, oldest first. */
  load(): Promise<PrincipalBudgetRecord[]>;
  /** Durably adds one record. */
  append(record: PrincipalBudgetRecord): Promise<void>;
}

/** Per-principal caps: the defaults for everyone, and what administrators set for one principal. */
export interface PrincipalBudgets {
  /** The caps in force for a principal (its own record over the defaults). */
  limitsOf(principalId: string): BudgetLimits;
  /** Records a principal's own caps; rejects `invalid_request` for a bad id or amount. */
  set(principalId: string, change: PrincipalBudgetChange, setBy: string): Promise<BudgetLimits>;
  /** Principals with caps of their own, with those caps. */
  overrides(): Array<{ principalId: string; limits: BudgetLimits }>;
  /**
   * Reads the records again, so caps another process set (on a shared database) apply here too; on a failure the
   * caps in force stay as they were and the promise rejects.
   */
  reload(): Promise<void>;
}

const isAmount = (value: unknown): value is number | null =>
  value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);

const isRecord = (value: unknown): value is PrincipalBudgetRecord => {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    isPrincipalId(record['principalId']) &&
    isAmount(record['dailyUsd']) &&
    isAmount(record['monthlyUsd']) &&
    typeof record['at'] === 'string'
  );
};

/** Keeps records in memory (tests, embedders without a disk). */
export function createMemoryPrincipalBudgetPersistence(): PrincipalBudgetPersistence & { records: PrincipalBudgetRecord[] } {
  const records: PrincipalBudgetRecord[] = [];
  return { records, load: async () => [...records], append: async (record) => void records.push(record) };
}

/** Records as JSON lines in one file (created on the first change). */
export function createFilePrincipalBudgetPersistence(filePath: string, logger: Logger = silentLogger): PrincipalBudgetPersistence {
  return {
    load: () => readJsonLinesFile(filePath, { isRecord, unreadableMessage: 'skipped an unreadable principal budget line', logger }),
    async append(record) {
      await fs.promises.mkdir(path.dirname(filePath), { recursive: true });
      const handle = await fs.promises.open(filePath, 'a', 0o600);
      try {
        await handle.appendFile(`${JSON.stringify(record)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

/** Opens the per-principal caps: `defaults` apply to every principal without a record of its own. */
export async function openPrincipalBudgets(options: {
  defaults: BudgetLimits;
  persistence: PrincipalBudgetPersistence;
  /** Principals with no caps of their own, whatever is set (the local principal of single-user setups). */
  exempt?: readonly string[];
  clock?: Clock;
}): Promise<PrincipalBudgets> {
  const exempt = new Set(options.exempt ?? []);
  const clock = options.clock ?? systemClock;
  // Keyed by caller-chosen ids: a Map, so `__proto__` or `constructor` is just another principal.
  let own = new Map<string, PrincipalBudgetRecord>();
  const load = async () => {
    const loaded = new Map<string, PrincipalBudgetRecord>();
    for (const record of await options.persistence.load()) loaded.set(record.principalId, record);
    own = loaded;
  };
  await load();
  const limitsOf = (principalId: string): BudgetLimits => {
    if (exempt.has(principalId)) return {};
    const record = own.get(principalId);
    const daily = record && record.dailyUsd !== undefined ? record.dailyUsd : options.defaults.dailyUsd;
    const monthly = record && record.monthlyUsd !== undefined ? record.monthlyUsd : options.defaults.monthlyUsd;
    return {
      ...(daily === null || daily === undefined ? {} : { dailyUsd: daily }),
      ...(monthly === null || monthly === undefined ? {} : { monthlyUsd: monthly }),
    };
  };
  return {
    limitsOf,
    async set(principalId, change, setBy) {
      if (!isPrincipalId(principalId)) {
        throw new ImageGenError({
          code: 'invalid_request',
          message: 'principal_id must be 1 to 256 characters without control characters.',
        });
      }
      for (const [name, value] of [
        ['daily_usd', change.dailyUsd],
        ['monthly_usd', change.monthlyUsd],
      ] as const) {
        if (value !== undefined && !isAmount(value)) {
          throw new ImageGenError({
            code: 'invalid_request',
            message: `${name} must be a number of US dollars, 0 or more, or null for no cap.`,
          });
        }
      }
      const previous = own.get(principalId);
      const pick = (key: 'dailyUsd' | 'monthlyUsd') => {
        const value = change[key];
        if (value !== undefined) return value;
        return previous ? previous[key] : (options.defaults[key] ?? null);
      };
      const record: PrincipalBudgetRecord = {
        principalId,
        dailyUsd: pick('dailyUsd'),
        monthlyUsd: pick('monthlyUsd'),
        at: clock.now().toISOString(),
        setBy,
      };
      await options.persistence.append(record);
      own.set(principalId, record);
      return limitsOf(principalId);
    },
    overrides: () => [...own.keys()].map((principalId) => ({ principalId, limits: limitsOf(principalId) })),
    reload: load,
  };
}
