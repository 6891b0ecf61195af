import { randomUUID } from 'node:crypto';
import { ImageGenError, localPrincipalId, systemClock, type Clock, type Logger, silentLogger } from '@imagegen/common';
import { assertWithinBudgets } from './budget-check';
import { localLiveness, thisProcess, type ProcessIdentity, type ProcessLiveness } from './process-identity';

/**
 * What became of a paid call: `billed` (the vendor answered with images), `unknown` (the call went out and no answer
 * came back — aborted, timed out, or the process stopped: possibly billed, counted at its estimate) or `not_billed`
 * (the vendor answered with an error, which it does not charge for).
 */
export type CallOutcome = 'billed' | 'unknown' | 'not_billed';

/** One finished call as recorded in the ledger. Spend is in US dollars; days and months are UTC. */
export interface CostEntry {
  /** When the call finished (ISO 8601). */
  at: string;
  /** Provider id. */
  provider: string;
  /** Model id the call used. */
  model: string;
  /** Who the call was made for; lines written before principals existed read back as `local`. */
  principalId?: string;
  /** Dollars spent: the actual cost from the vendor's usage when known, else the estimate. */
  usd: number;
  /** Whether `usd` came from the vendor's usage (`actual`) or from the price tables (`estimate`). */
  basis: 'actual' | 'estimate';
  /** Images the call produced (and that were stored). */
  images: number;
  /** Stored image ids the call produced. */
  imageIds: string[];
  /** The call's id, shared with its `started` record. Absent on lines written before calls were recorded as started. */
  callId?: string;
  /** What became of the call; absent means `billed`. */
  outcome?: CallOutcome;
  /** Why the images are missing or the outcome is not plain (e.g. the image could not be stored). */
  reason?: string;
}

/** A call recorded before it goes out, so a crash mid-flight still leaves a trace that it may have been billed. */
export interface CallStartedRecord {
  event: 'started';
  callId: string;
  at: string;
  provider: string;
  model: string;
  /** Who the call is made for (absent: `local`). */
  principalId?: string;
  /** The estimate from the price tables. */
  estimatedUsd: number;
  /** The most the call can cost: what the budget holds for it. */
  reservedUsd: number;
  /** The process making the call. */
  process: ProcessIdentity;
}

/** One line of the ledger. */
export type LedgerRecord = CostEntry | CallStartedRecord;

/** Spending caps; unset means no cap. */
export interface BudgetLimits {
  /** Most dollars per UTC day. */
  dailyUsd?: number;
  /** Most dollars per UTC calendar month. */
  monthlyUsd?: number;
}

/** Spend of one period. */
export interface PeriodTotals {
  usd: number;
  /** Paid calls: billed plus unknown outcomes. */
  calls: number;
  images: number;
  /** Calls whose outcome is unknown (possibly billed), included in `calls` and in `usd` at their estimate. */
  unknownCalls: number;
}

/** Totals for reports (`imagegen cost`, stats). */
export interface CostTotals {
  /** Spend today (UTC). */
  todayUsd: number;
  /** Spend this month (UTC). */
  monthUsd: number;
  /** Spend so far, all time. */
  allTimeUsd: number;
  /** Paid calls so far, all time (unknown outcomes included). */
  calls: number;
  /** Of those, calls whose outcome is unknown: they went out and no answer was recorded. Counted at their estimate. */
  unknownOutcomeCalls: number;
  /** Calls running now (budget held for them, not yet spent). */
  runningCalls: number;
  /** Ledger lines not yet written to disk (the ledger could not be written); new paid calls wait until they are. */
  unwrittenEntries: number;
  /** Spend per UTC day (`YYYY-MM-DD`), newest first. */
  byDay: Array<{ day: string } & PeriodTotals>;
  /** Spend per UTC month (`YYYY-MM`), newest first. */
  byMonth: Array<{ month: string } & PeriodTotals>;
  /** The caps in force, echoed for display: the global ones, or the principal's own for a principal's totals. */
  budgets: BudgetLimits;
  /** For a principal's totals: whose they are. */
  principalId?: string;
}

/** What the engine tells the ledger before a paid call. */
export interface PaidCallStart {
  provider: string;
  model: string;
  /** Who the call is made for; its spend counts against that principal's caps as well as the global ones. Default `local`. */
  principalId?: string;
  /** The estimate from the price tables (what an unknown outcome is counted at). */
  estimatedUsd: number;
  /** The most the call can cost; the budget holds this much until the call finishes. */
  maxUsd: number;
}

/** A call recorded as started; exactly one of its methods records how it ended. */
export interface PaidCall {
  readonly callId: string;
  /** The vendor answered: records what it cost and which images were kept (`reason` when they could not be). */
  billed(result: { usd: number; basis: 'actual' | 'estimate'; images: number; imageIds: string[]; reason?: string }): Promise<void>;
  /** The vendor answered with an error: nothing was billed. */
  notBilled(reason: string): Promise<void>;
  /** No answer came back (aborted, timed out): possibly billed, recorded at the estimate. */
  unknown(reason: string): Promise<void>;
}

/** Where ledger lines persist. */
export interface CostLedgerPersistence {
  /** Every line recorded so far, oldest first. */
  load(): Promise<LedgerRecord[]>;
  /** Durably adds one line. */
  append(record: LedgerRecord): Promise<void>;
}

/** The cost ledger: records paid calls before and after they happen, reports totals, enforces budget caps. */
export interface CostLedger {
  /**
   * Records a paid call as started and holds its most possible cost against the caps. Throws `budget_exceeded` when
   * the day's or month's spend plus running calls plus `maxUsd` would pass a cap, and `storage_failed` when the
   * ledger cannot be written (no paid call is made while a line could not be written).
   */
  startCall(call: PaidCallStart): Promise<PaidCall>;
  /** Writes lines kept back by an earlier write failure; throws `storage_failed` while the ledger cannot be written. */
  ensureWritable(): Promise<void>;
  /** Totals per day and month: of everyone, or of one principal (with that principal's caps) when `principalId` is given. */
  totals(principalId?: string): CostTotals;
  /** Tries once more to write kept-back lines and stops the retry timer. */
  close(): Promise<void>;
}

const dayOf = (instant: Date) => instant.toISOString().slice(0, 10);
const monthOf = (instant: Date) => instant.toISOString().slice(0, 7);
const isStarted = (record: LedgerRecord): record is CallStartedRecord => (record as CallStartedRecord).event === 'started';
const retryDelayMs = 2_000;

/** Options of {@link createCostLedger}. */
export interface CostLedgerOptions {
  /** Where lines persist; {@link createFileLedgerPersistence} or {@link createMemoryLedgerPersistence}. */
  persistence: CostLedgerPersistence;
  /** Caps to enforce on everyone's spend together. */
  budgets?: BudgetLimits;
  /**
   * Each principal's own caps, enforced beside the global ones (a principal's calls count against both). Asked at
   * every call, so caps changed while the server runs apply to the next call. Absent: no per-principal caps.
   */
  principalBudgets?: (principalId: string) => BudgetLimits;
  /** Time source (UTC day and month boundaries). */
  clock?: Clock;
  /** Where failures to persist are reported. */
  logger?: Logger;
  /** Whether a call's process may still run (it then records the call's end itself). Default: by pid on this host. */
  liveness?: ProcessLiveness;
}

/**
 * Opens a ledger, loading what was recorded before. Calls recorded as started by a process that is gone and never
 * recorded as finished are reconciled as `unknown` (possibly billed) at their estimate, and that is written down.
 */
export async function createCostLedger(options: CostLedgerOptions): Promise<CostLedger> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const budgets = options.budgets ?? {};
  const days = new Map<string, PeriodTotals>();
  const months = new Map<string, PeriodTotals>();
  const allTime: PeriodTotals = { usd: 0, calls: 0, images: 0, unknownCalls: 0 };
  /** The same buckets per principal (for its caps and its own reports). */
  const principals = new Map<string, { days: Map<string, PeriodTotals>; months: Map<string, PeriodTotals>; allTime: PeriodTotals }>();
  const principalBuckets = (principalId: string) => {
    let buckets = principals.get(principalId);
    if (!buckets) {
      buckets = { days: new Map(), months: new Map(), allTime: { usd: 0, calls: 0, images: 0, unknownCalls: 0 } };
      principals.set(principalId, buckets);
    }
    return buckets;
  };
  /** Money held for calls running in this process. */
  let heldUsd = 0;
  /** Of that, per principal. */
  const heldByPrincipal = new Map<string, number>();
  let runningCalls = 0;
  /** Lines a write failure kept back, oldest first. */
  const unwritten: LedgerRecord[] = [];
  let retryTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  const bucketOf = (map: Map<string, PeriodTotals>, key: string) =>
    map.get(key) ?? (map.set(key, { usd: 0, calls: 0, images: 0, unknownCalls: 0 }).get(key) as PeriodTotals);
  const count = (entry: CostEntry) => {
    const outcome = entry.outcome ?? 'billed';
    if (outcome === 'not_billed') return;
    const instant = new Date(entry.at);
    const own = principalBuckets(entry.principalId ?? localPrincipalId);
    for (const bucket of [
      bucketOf(days, dayOf(instant)),
      bucketOf(months, monthOf(instant)),
      allTime,
      bucketOf(own.days, dayOf(instant)),
      bucketOf(own.months, monthOf(instant)),
      own.allTime,
    ]) {
      bucket.usd += entry.usd;
      bucket.calls += 1;
      bucket.images += entry.images;
      if (outcome === 'unknown') bucket.unknownCalls += 1;
    }
  };

  const flush = async (): Promise<void> => {
    while (unwritten.length > 0) {
      await options.persistence.append(unwritten[0] as LedgerRecord);
      unwritten.shift();
    }
  };
  const flushOnce = () => {
    flushing ??= flush().finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  const scheduleRetry = () => {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      flushOnce().then(
        () => logger.info('cost ledger lines kept back are written now'),
        () => scheduleRetry(),
      );
    }, retryDelayMs);
    retryTimer.unref();
  };
  /** Writes a line; when the write fails the line is kept and written later, and the failure is reported. */
  const write = async (record: LedgerRecord): Promise<void> => {
    unwritten.push(record);
    try {
      await flushOnce();
    } catch (error) {
      logger.error('could not write the cost ledger; the line is kept and written as soon as possible', {
        error: String(error),
        unwritten: unwritten.length,
      });
      scheduleRetry();
    }
  };

  const cannotWrite = (error: unknown) =>
    new ImageGenError({
      code: 'storage_failed',
      message:
        `The cost ledger cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)}), so no paid call is made: ` +
        'every call must be recorded. Make the storage folder writable (and give it free space); the server writes the kept-back lines and accepts calls again by itself.',
      details: { unwrittenEntries: unwritten.length },
      cause: error,
    });
  const ensureWritable = async () => {
    try {
      await flushOnce();
    } catch (error) {
      scheduleRetry();
      throw cannotWrite(error);
    }
  };

  // Load, and reconcile calls whose process stopped before they finished.
  const records = await options.persistence.load();
  const finished = new Set<string>();
  for (const record of records) {
    if (isStarted(record)) continue;
    if (record.callId) finished.add(record.callId);
    count(record);
  }
  for (const record of records) {
    if (!isStarted(record) || finished.has(record.callId)) continue;
    const entry: CostEntry = {
      at: record.at,
      provider: record.provider,
      model: record.model,
      principalId: record.principalId ?? localPrincipalId,
      usd: record.estimatedUsd,
      basis: 'estimate',
      images: 0,
      imageIds: [],
      callId: record.callId,
      outcome: 'unknown',
      reason: 'The process stopped while the call was running; it may have been billed.',
    };
    count(entry);
    // A call of another live process is still running: counted here, but that process records how it ends.
    if (!(await (options.liveness ?? localLiveness)(record.process))) await write(entry);
  }

  const spentBy = (dayBuckets: Map<string, PeriodTotals>, monthBuckets: Map<string, PeriodTotals>) => {
    const now = clock.now();
    return { today: dayBuckets.get(dayOf(now))?.usd ?? 0, month: monthBuckets.get(monthOf(now))?.usd ?? 0 };
  };

  /** Refuses when one cap would be passed: the global ones first, then the principal's own. */
  const checkBudgets = (maxUsd: number, estimatedUsd: number, principalId: string) => {
    const own = principalBuckets(principalId);
    const everyone = spentBy(days, months);
    const theirs = spentBy(own.days, own.months);
    assertWithinBudgets(
      [
        { caps: budgets, spentToday: everyone.today, spentThisMonth: everyone.month, held: heldUsd, principal: false },
        {
          caps: options.principalBudgets?.(principalId) ?? {},
          spentToday: theirs.today,
          spentThisMonth: theirs.month,
          held: heldByPrincipal.get(principalId) ?? 0,
          principal: true,
        },
      ],
      maxUsd,
      estimatedUsd,
    );
  };

  return {
    async startCall(call) {
      await ensureWritable();
      const maxUsd = Math.max(call.maxUsd, call.estimatedUsd);
      const principalId = call.principalId ?? localPrincipalId;
      // Checked and held in one synchronous step: concurrent calls cannot all pass the same check.
      checkBudgets(maxUsd, call.estimatedUsd, principalId);
      heldUsd += maxUsd;
      heldByPrincipal.set(principalId, (heldByPrincipal.get(principalId) ?? 0) + maxUsd);
      runningCalls += 1;
      const started: CallStartedRecord = {
        event: 'started',
        callId: randomUUID(),
        at: clock.now().toISOString(),
        provider: call.provider,
        model: call.model,
        principalId,
        estimatedUsd: call.estimatedUsd,
        reservedUsd: maxUsd,
        process: thisProcess,
      };
      let open = true;
      const release = () => {
        if (!open) return false;
        open = false;
        heldUsd -= maxUsd;
        heldByPrincipal.set(principalId, (heldByPrincipal.get(principalId) ?? maxUsd) - maxUsd);
        runningCalls -= 1;
        return true;
      };
      try {
        await options.persistence.append(started);
      } catch (error) {
        release();
        scheduleRetry();
        throw cannotWrite(error);
      }
      const finish = async (entry: Omit<CostEntry, 'at' | 'provider' | 'model' | 'callId'>) => {
        if (!release()) return;
        const recorded: CostEntry = {
          at: clock.now().toISOString(),
          provider: call.provider,
          model: call.model,
          principalId,
          callId: started.callId,
          ...entry,
        };
        if (recorded.usd > maxUsd) {
          logger.warn('a call cost more than the most the price tables allow; the registry prices may be out of date', {
            model: call.model,
            usd: recorded.usd,
            maxUsd,
          });
        }
        count(recorded);
        await write(recorded);
      };
      return {
        callId: started.callId,
        billed: (result) => finish({ ...result, outcome: 'billed' }),
        notBilled: (reason) => finish({ usd: 0, basis: 'actual', images: 0, imageIds: [], outcome: 'not_billed', reason }),
        unknown: (reason) => finish({ usd: call.estimatedUsd, basis: 'estimate', images: 0, imageIds: [], outcome: 'unknown', reason }),
      };
    },
    ensureWritable,
    totals(principalId) {
      const now = clock.now();
      const newestFirst = <T>(map: Map<string, T>) => [...map].sort(([left], [right]) => (left < right ? 1 : -1));
      const own =
        principalId === undefined
          ? undefined
          : (principals.get(principalId) ?? {
              days: new Map(),
              months: new Map(),
              allTime: { usd: 0, calls: 0, images: 0, unknownCalls: 0 },
            });
      const dayBuckets = own?.days ?? days;
      const monthBuckets = own?.months ?? months;
      const total = own?.allTime ?? allTime;
      return {
        todayUsd: dayBuckets.get(dayOf(now))?.usd ?? 0,
        monthUsd: monthBuckets.get(monthOf(now))?.usd ?? 0,
        allTimeUsd: total.usd,
        calls: total.calls,
        unknownOutcomeCalls: total.unknownCalls,
        runningCalls,
        unwrittenEntries: unwritten.length,
        byDay: newestFirst(dayBuckets).map(([day, bucket]) => ({ day, ...bucket })),
        byMonth: newestFirst(monthBuckets).map(([month, bucket]) => ({ month, ...bucket })),
        budgets: principalId === undefined ? { ...budgets } : { ...(options.principalBudgets?.(principalId) ?? {}) },
        ...(principalId === undefined ? {} : { principalId }),
      };
    },
    async close() {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      await flushOnce().catch((error: unknown) =>
        logger.error('cost ledger lines could not be written before closing', { error: String(error), unwritten: unwritten.length }),
      );
    },
  };
}
