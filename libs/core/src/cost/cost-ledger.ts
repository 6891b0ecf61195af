import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageGenError, systemClock, type Clock, type Logger, silentLogger } from '@imagegen/common';

/** One paid call as recorded in the ledger. Spend is in US dollars; days and months are UTC. */
export interface CostEntry {
  /** When the call finished (ISO 8601). */
  at: string;
  /** Provider id. */
  provider: string;
  /** Model id the call used. */
  model: string;
  /** Dollars spent: the actual cost from the vendor's usage when known, else the estimate. */
  usd: number;
  /** Whether `usd` came from the vendor's usage (`actual`) or from the price tables (`estimate`). */
  basis: 'actual' | 'estimate';
  /** Images the call produced. */
  images: number;
  /** Stored image ids the call produced. */
  imageIds: string[];
}

/** Spending caps; unset means no cap. */
export interface BudgetLimits {
  /** Most dollars per UTC day. */
  dailyUsd?: number;
  /** Most dollars per UTC calendar month. */
  monthlyUsd?: number;
}

/** Totals for reports (`imagegen cost`, stats). */
export interface CostTotals {
  /** Spend today (UTC). */
  todayUsd: number;
  /** Spend this month (UTC). */
  monthUsd: number;
  /** Spend so far, all time. */
  allTimeUsd: number;
  /** Spend per UTC day (`YYYY-MM-DD`), newest first. */
  byDay: Array<{ day: string; usd: number; calls: number; images: number }>;
  /** Spend per UTC month (`YYYY-MM`), newest first. */
  byMonth: Array<{ month: string; usd: number; calls: number; images: number }>;
  /** The caps in force, echoed for display. */
  budgets: BudgetLimits;
}

/** A hold on part of the budget while a paid call runs, so concurrent calls cannot overshoot a cap together. */
export interface BudgetReservation {
  /** Records the finished call and frees the hold. */
  commit(entry: Omit<CostEntry, 'at'>): Promise<void>;
  /** Frees the hold without recording anything (the call failed and was not billed). */
  release(): void;
}

/** Where ledger entries persist. */
export interface CostLedgerPersistence {
  /** Every entry recorded so far, oldest first. */
  load(): Promise<CostEntry[]>;
  /** Durably adds one entry. */
  append(entry: CostEntry): Promise<void>;
}

/** The cost ledger: records spend, reports totals, enforces budget caps. */
export interface CostLedger {
  /**
   * Reserves `estimatedUsd` against the caps, or throws `budget_exceeded` when the day's or month's spend plus
   * running calls plus this estimate would pass a cap.
   */
  reserve(estimatedUsd: number): BudgetReservation;
  /** Totals per day and month. */
  totals(): CostTotals;
}

interface Bucket {
  usd: number;
  calls: number;
  images: number;
}

const dayOf = (instant: Date) => instant.toISOString().slice(0, 10);
const monthOf = (instant: Date) => instant.toISOString().slice(0, 7);
const dollars = (value: number) => `$${value.toFixed(4)}`;

/** Options of {@link createCostLedger}. */
export interface CostLedgerOptions {
  /** Where entries persist; {@link createFileLedgerPersistence} or {@link createMemoryLedgerPersistence}. */
  persistence: CostLedgerPersistence;
  /** Caps to enforce. */
  budgets?: BudgetLimits;
  /** Time source (UTC day and month boundaries). */
  clock?: Clock;
  /** Where failures to persist are reported. */
  logger?: Logger;
}

/** Opens a ledger, loading what was recorded before. */
export async function createCostLedger(options: CostLedgerOptions): Promise<CostLedger> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const budgets = options.budgets ?? {};
  const days = new Map<string, Bucket>();
  const months = new Map<string, Bucket>();
  let allTimeUsd = 0;
  let reservedUsd = 0;

  const add = (entry: CostEntry) => {
    const instant = new Date(entry.at);
    for (const [map, key] of [
      [days, dayOf(instant)],
      [months, monthOf(instant)],
    ] as const) {
      const bucket = map.get(key) ?? { usd: 0, calls: 0, images: 0 };
      bucket.usd += entry.usd;
      bucket.calls += 1;
      bucket.images += entry.images;
      map.set(key, bucket);
    }
    allTimeUsd += entry.usd;
  };
  for (const entry of await options.persistence.load()) add(entry);

  const spent = () => {
    const now = clock.now();
    return { today: days.get(dayOf(now))?.usd ?? 0, month: months.get(monthOf(now))?.usd ?? 0 };
  };

  return {
    reserve(estimatedUsd) {
      const { today, month } = spent();
      const checks: Array<[string, number | undefined, number, string]> = [
        ['daily', budgets.dailyUsd, today, 'COST__DAILY_BUDGET_USD'],
        ['monthly', budgets.monthlyUsd, month, 'COST__MONTHLY_BUDGET_USD'],
      ];
      for (const [period, cap, periodSpend, setting] of checks) {
        if (cap === undefined) continue;
        const committed = periodSpend + reservedUsd;
        if (committed >= cap || committed + estimatedUsd > cap) {
          throw new ImageGenError({
            code: 'budget_exceeded',
            message:
              `The ${period} budget of ${dollars(cap)} is reached: ${dollars(periodSpend)} spent` +
              (reservedUsd > 0 ? `, ${dollars(reservedUsd)} in calls still running` : '') +
              `, and this call is estimated at ${dollars(estimatedUsd)}. Raise ${setting} or wait for the next ${period === 'daily' ? 'day' : 'month'} (UTC). Cached images are still served.`,
            details: { period, capUsd: cap, spentUsd: periodSpend, reservedUsd, estimatedUsd, setting },
          });
        }
      }
      reservedUsd += estimatedUsd;
      let open = true;
      const free = () => {
        if (open) {
          open = false;
          reservedUsd -= estimatedUsd;
        }
      };
      return {
        async commit(details) {
          free();
          const entry: CostEntry = { ...details, at: clock.now().toISOString() };
          add(entry);
          try {
            await options.persistence.append(entry);
          } catch (error) {
            // The image exists and was paid for; losing a ledger line must not fail the user's request.
            logger.error('could not persist a cost ledger entry', { error: String(error), usd: entry.usd });
          }
        },
        release: free,
      };
    },
    totals() {
      const now = clock.now();
      const sortDescending = <T extends { key: string }>(items: T[]) => items.sort((a, b) => (a.key < b.key ? 1 : -1));
      return {
        todayUsd: days.get(dayOf(now))?.usd ?? 0,
        monthUsd: months.get(monthOf(now))?.usd ?? 0,
        allTimeUsd,
        byDay: sortDescending([...days].map(([key, bucket]) => ({ key, ...bucket }))).map(({ key, ...bucket }) => ({
          day: key,
          ...bucket,
        })),
        byMonth: sortDescending([...months].map(([key, bucket]) => ({ key, ...bucket }))).map(({ key, ...bucket }) => ({
          month: key,
          ...bucket,
        })),
        budgets: { ...budgets },
      };
    },
  };
}

/** Keeps entries in memory only (tests, embedders that do not want a file). */
export function createMemoryLedgerPersistence(initial: CostEntry[] = []): CostLedgerPersistence & { entries: CostEntry[] } {
  const entries = [...initial];
  return {
    entries,
    load: async () => [...entries],
    append: async (entry) => {
      entries.push(entry);
    },
  };
}

/**
 * Keeps entries as JSON lines in one file. A line that cannot be parsed (a torn write after a crash) is skipped with
 * a warning instead of losing the whole ledger.
 */
export function createFileLedgerPersistence(filePath: string, logger: Logger = silentLogger): CostLedgerPersistence {
  return {
    async load() {
      let text: string;
      try {
        text = await fs.promises.readFile(filePath, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const entries: CostEntry[] = [];
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const parsed = JSON.parse(line) as CostEntry;
          if (typeof parsed.usd === 'number' && typeof parsed.at === 'string') entries.push(parsed);
        } catch {
          logger.warn('skipped an unreadable cost ledger line', { filePath });
        }
      }
      return entries;
    },
    async append(entry) {
      await fs.promises.mkdir(path.dirname(filePath), { recursive: true });
      await fs.promises.appendFile(filePath, JSON.stringify(entry) + '\n', { mode: 0o600 });
    },
  };
}
