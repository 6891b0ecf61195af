import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { ImageGenError, localPrincipalId, silentLogger, systemClock, type Clock, type Logger } from '@imagegen/common';
import type { BudgetLimits, CostEntry, CostLedger, CostTotals, PaidCallStart, PeriodTotals } from '../cost/cost-ledger';
import { assertWithinBudgets } from '../cost/budget-check';
import { thisProcess } from '../cost/process-identity';
import { databaseFailure, type PostgresDatabase } from './database';

/** Settings of {@link createPostgresCostLedger}. */
export interface PostgresCostLedgerOptions {
  /** The migrated database. */
  database: PostgresDatabase;
  /** Caps to enforce, across every process sharing the database. */
  budgets?: BudgetLimits;
  /**
   * Each principal's own caps, enforced beside the global ones under the same lock (a call must fit both). Asked at
   * every call, so caps changed while the server runs apply to the next call. Absent: no per-principal caps.
   */
  principalBudgets?: (principalId: string) => BudgetLimits;
  /** Time source for the recorded times and the UTC day and month of the caps. */
  clock?: Clock;
  logger?: Logger;
  /** How often this process says it is alive and reconciles calls of processes that stopped. Default 10 000 ms. */
  heartbeatMs?: number;
  /** A process silent this long is taken as stopped: its running calls are recorded as `unknown`. Default 60 000 ms. */
  staleAfterMs?: number;
}

const dayStart = (instant: Date) => new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
const monthStart = (instant: Date) => new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), 1));
const emptyPeriod = (): PeriodTotals => ({ usd: 0, calls: 0, images: 0, unknownCalls: 0 });
const retryDelayMs = 2_000;
const stoppedReason = 'The process stopped while the call was running; it may have been billed.';

type Finish = Omit<CostEntry, 'at' | 'provider' | 'model' | 'callId'> & { callId: string; at: string };

/** The totals last read: everyone's, and each principal's (without caps: those are asked when totals are read). */
interface TotalsSnapshot {
  everyone: CostTotals;
  byPrincipal: Map<string, CostTotals>;
}

/**
 * The cost ledger in PostgreSQL, exact across replicas: a call is checked against the caps and its most possible cost
 * reserved in one transaction under an advisory lock of the schema, so concurrent calls on any number of processes
 * can never together pass a cap (the check sees every committed spend and every running reservation). A principal's
 * own caps are checked in the same transaction against that principal's spend and reservations, so a call must fit
 * both. One row per call in `cost_calls` (with its principal): inserted when it starts, completed when it ends.
 *
 * Calls of a process that stopped (no heartbeat for `staleAfterMs`) are reconciled as `unknown` at their estimate by
 * whichever process notices first. `totals()` answers from a snapshot refreshed after every change of this process and
 * on every heartbeat, so other replicas' spend shows within one heartbeat; `totals(principalId)` answers one principal's.
 */
export async function createPostgresCostLedger(options: PostgresCostLedgerOptions): Promise<CostLedger> {
  const { database } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const budgets = options.budgets ?? {};
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const hasCaps = (caps: BudgetLimits) => caps.dailyUsd !== undefined || caps.monthlyUsd !== undefined;
  const capsOf = (principalId: string) => options.principalBudgets?.(principalId) ?? {};
  /** Endings a failed write kept back, oldest first; written before any new paid call. */
  const unwritten: Finish[] = [];
  let snapshot: TotalsSnapshot = { everyone: emptyTotals(budgets), byPrincipal: new Map() };
  let retryTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;

  const heartbeat = async () => {
    await database.query(
      `INSERT INTO imagegen_processes (instance, pid, heartbeat_at) VALUES ($1, $2, now())
       ON CONFLICT (instance) DO UPDATE SET heartbeat_at = now()`,
      [thisProcess.instance, thisProcess.pid],
    );
  };

  /** Records running calls of silent processes as `unknown` at their estimate (counted on the day they started). */
  const reconcileStopped = async () => {
    const rows = await database.query<{ call_id: string }>(
      `UPDATE cost_calls AS call SET finished_at = call.started_at, usd = call.estimated_usd, basis = 'estimate', images = 0,
              image_ids = '{}', outcome = 'unknown', reason = $3
        WHERE call.finished_at IS NULL AND call.process_instance <> $1
          AND NOT EXISTS (SELECT 1 FROM imagegen_processes AS process WHERE process.instance = call.process_instance
                            AND process.heartbeat_at > now() - make_interval(secs => $2::float8 / 1000))
        RETURNING call.call_id`,
      [thisProcess.instance, staleAfterMs, stoppedReason],
    );
    if (rows.length > 0) logger.warn('recorded calls of a stopped process as possibly billed', { calls: rows.length });
    await database.query("DELETE FROM imagegen_processes WHERE heartbeat_at < now() - interval '1 day'");
  };

  /**
   * Reads the totals. A call made while a read is running gets the next read, started after that one ends, so what
   * the caller wrote just before is always in the snapshot it waits for.
   */
  let queued: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    if (refreshing === undefined) {
      refreshing = readTotals(database, clock, budgets)
        .then((totals) => {
          snapshot = totals;
        })
        .finally(() => {
          refreshing = undefined;
        });
      return refreshing;
    }
    queued ??= refreshing
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return refresh();
      });
    return queued;
  };
  const refreshQuietly = () =>
    refresh().catch((error: unknown) => logger.warn('could not read the cost totals', { code: (error as { code?: unknown }).code }));

  const writeFinish = async (finish: Finish) => {
    await database.query(
      `UPDATE cost_calls SET finished_at = $2, usd = $3, basis = $4, images = $5, image_ids = $6, outcome = $7, reason = $8
        WHERE call_id = $1`,
      [
        finish.callId,
        finish.at,
        finish.usd,
        finish.basis,
        finish.images,
        finish.imageIds,
        finish.outcome ?? 'billed',
        finish.reason ?? null,
      ],
    );
  };
  const flush = async () => {
    while (unwritten.length > 0) {
      await writeFinish(unwritten[0] as Finish);
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
    if (retryTimer || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      flushOnce().then(
        () => logger.info('cost ledger lines kept back are written now'),
        () => scheduleRetry(),
      );
    }, retryDelayMs);
    retryTimer.unref();
  };
  const cannotWrite = (error: unknown) => {
    const failure = databaseFailure('write the cost ledger', error);
    return new ImageGenError({
      code: 'storage_failed',
      message: `${failure.message} No paid call is made while a call cannot be recorded; calls are accepted again as soon as the database answers.`,
      details: { ...failure.details, unwrittenEntries: unwritten.length },
      cause: error,
    });
  };
  const ensureWritable = async () => {
    try {
      await flushOnce();
    } catch (error) {
      scheduleRetry();
      throw cannotWrite(error);
    }
  };

  /**
   * The cap checks, in the caller's transaction (which holds the budget lock): everyone's spend and reservations
   * against the global caps, then the principal's own against its caps.
   */
  const checkBudgets = async (client: PoolClient, maxUsd: number, estimatedUsd: number, principalId: string) => {
    const now = clock.now();
    const spent = await client.query<{
      today: number;
      month: number;
      held: number;
      own_today: number;
      own_month: number;
      own_held: number;
    }>(
      `SELECT coalesce(sum(usd) FILTER (WHERE finished_at >= $1), 0)::float8 AS today, coalesce(sum(usd), 0)::float8 AS month,
              coalesce(sum(usd) FILTER (WHERE finished_at >= $1 AND principal_id = $3), 0)::float8 AS own_today,
              coalesce(sum(usd) FILTER (WHERE principal_id = $3), 0)::float8 AS own_month,
              (SELECT coalesce(sum(reserved_usd), 0) FROM cost_calls WHERE finished_at IS NULL)::float8 AS held,
              (SELECT coalesce(sum(reserved_usd), 0) FROM cost_calls WHERE finished_at IS NULL AND principal_id = $3)::float8 AS own_held
         FROM cost_calls WHERE finished_at >= $2 AND outcome <> 'not_billed'`,
      [dayStart(now).toISOString(), monthStart(now).toISOString(), principalId],
    );
    const row = spent.rows[0] ?? { today: 0, month: 0, held: 0, own_today: 0, own_month: 0, own_held: 0 };
    assertWithinBudgets(
      [
        { caps: budgets, spentToday: row.today, spentThisMonth: row.month, held: row.held, principal: false },
        { caps: capsOf(principalId), spentToday: row.own_today, spentThisMonth: row.own_month, held: row.own_held, principal: true },
      ],
      maxUsd,
      estimatedUsd,
    );
  };

  try {
    await heartbeat();
    await reconcileStopped();
    await refresh();
  } catch (error) {
    throw databaseFailure('open the cost ledger', error);
  }
  const heartbeatTimer = setInterval(() => {
    void heartbeat()
      .then(reconcileStopped)
      .then(refresh)
      .catch((error: unknown) => logger.warn('cost ledger heartbeat failed', { code: (error as { code?: unknown }).code }));
  }, heartbeatMs);
  heartbeatTimer.unref();

  return {
    async startCall(call: PaidCallStart) {
      await ensureWritable();
      const maxUsd = Math.max(call.maxUsd, call.estimatedUsd);
      const callId = randomUUID();
      const principalId = call.principalId ?? localPrincipalId;
      try {
        await database.transaction(async (client) => {
          if (hasCaps(budgets) || hasCaps(capsOf(principalId))) {
            // One reservation at a time across every process: the check and the insert see the same committed spend.
            await client.query("SELECT pg_advisory_xact_lock(hashtext('imagegen:budget:' || current_schema()))");
            await checkBudgets(client, maxUsd, call.estimatedUsd, principalId);
          }
          await client.query(
            `INSERT INTO cost_calls (call_id, principal_id, provider, model, started_at, estimated_usd, reserved_usd, process_instance, process_pid)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              callId,
              principalId,
              call.provider,
              call.model,
              clock.now().toISOString(),
              call.estimatedUsd,
              maxUsd,
              thisProcess.instance,
              thisProcess.pid,
            ],
          );
        });
      } catch (error) {
        if (ImageGenError.isInstance(error)) throw error;
        throw cannotWrite(error);
      }
      void refreshQuietly();
      let open = true;
      const finish = async (entry: Omit<CostEntry, 'at' | 'provider' | 'model' | 'callId'>) => {
        if (!open) return;
        open = false;
        if (entry.usd > maxUsd) {
          logger.warn('a call cost more than the most the price tables allow; the registry prices may be out of date', {
            model: call.model,
            usd: entry.usd,
            maxUsd,
          });
        }
        unwritten.push({ ...entry, callId, at: clock.now().toISOString() });
        try {
          await flushOnce();
        } catch (error) {
          logger.error('could not write the cost ledger; the line is kept and written as soon as possible', {
            code: (error as { code?: unknown }).code,
            unwritten: unwritten.length,
          });
          scheduleRetry();
        }
        await refreshQuietly();
      };
      return {
        callId,
        billed: (result) => finish({ ...result, outcome: 'billed' }),
        notBilled: (reason) => finish({ usd: 0, basis: 'actual', images: 0, imageIds: [], outcome: 'not_billed', reason }),
        unknown: (reason) => finish({ usd: call.estimatedUsd, basis: 'estimate', images: 0, imageIds: [], outcome: 'unknown', reason }),
      };
    },
    ensureWritable,
    totals(principalId) {
      if (principalId === undefined) return { ...snapshot.everyone, unwrittenEntries: unwritten.length };
      const own = snapshot.byPrincipal.get(principalId) ?? emptyTotals({});
      return { ...own, budgets: { ...capsOf(principalId) }, principalId, unwrittenEntries: unwritten.length };
    },
    async close() {
      closed = true;
      clearInterval(heartbeatTimer);
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      await flushOnce().catch((error: unknown) =>
        logger.error('cost ledger lines could not be written before closing', {
          code: (error as { code?: unknown }).code,
          unwritten: unwritten.length,
        }),
      );
      await (queued ?? refreshing)?.catch(() => undefined);
      // Saying goodbye lets other processes reconcile nothing: every call of ours has ended or is recorded as unwritten.
      await database.query('DELETE FROM imagegen_processes WHERE instance = $1', [thisProcess.instance]).catch(() => undefined);
    },
  };
}

function emptyTotals(budgets: BudgetLimits): CostTotals {
  return {
    todayUsd: 0,
    monthUsd: 0,
    allTimeUsd: 0,
    calls: 0,
    unknownOutcomeCalls: 0,
    runningCalls: 0,
    unwrittenEntries: 0,
    byDay: [],
    byMonth: [],
    budgets: { ...budgets },
  };
}

/** Adds one period row to a principal's (or everyone's) totals; months are summed from the days. */
function addDay(totals: CostTotals, months: Map<string, PeriodTotals>, day: string, period: PeriodTotals, today: string) {
  const existing = totals.byDay.find((entry) => entry.day === day);
  if (existing) {
    existing.usd += period.usd;
    existing.calls += period.calls;
    existing.images += period.images;
    existing.unknownCalls += period.unknownCalls;
  } else totals.byDay.push({ day, ...period });
  const month = day.slice(0, 7);
  let bucket = months.get(month);
  if (bucket === undefined) {
    bucket = emptyPeriod();
    months.set(month, bucket);
  }
  bucket.usd += period.usd;
  bucket.calls += period.calls;
  bucket.images += period.images;
  bucket.unknownCalls += period.unknownCalls;
  totals.allTimeUsd += period.usd;
  totals.calls += period.calls;
  totals.unknownOutcomeCalls += period.unknownCalls;
  if (day === today) totals.todayUsd += period.usd;
}

/**
 * Totals per UTC day and month of every finished, possibly billed call, and the calls running on any process: of
 * everyone, and of each principal.
 */
async function readTotals(database: PostgresDatabase, clock: Clock, budgets: BudgetLimits): Promise<TotalsSnapshot> {
  const [days, running] = await Promise.all([
    database.query<{ principal_id: string; day: string; usd: number; calls: number; images: number; unknown_calls: number }>(
      `SELECT principal_id, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(usd)::float8 AS usd,
              count(*)::float8 AS calls, coalesce(sum(images), 0)::float8 AS images,
              (count(*) FILTER (WHERE outcome = 'unknown'))::float8 AS unknown_calls
         FROM cost_calls WHERE finished_at IS NOT NULL AND outcome <> 'not_billed' GROUP BY 1, 2 ORDER BY 2 DESC`,
    ),
    database.query<{ principal_id: string; running: number }>(
      'SELECT principal_id, count(*)::float8 AS running FROM cost_calls WHERE finished_at IS NULL GROUP BY 1',
    ),
  ]);
  const now = clock.now().toISOString();
  const everyone = { totals: emptyTotals(budgets), months: new Map<string, PeriodTotals>() };
  const principals = new Map<string, { totals: CostTotals; months: Map<string, PeriodTotals> }>();
  const ofPrincipal = (principalId: string) => {
    let own = principals.get(principalId);
    if (own === undefined) {
      own = { totals: emptyTotals({}), months: new Map() };
      principals.set(principalId, own);
    }
    return own;
  };
  for (const row of days) {
    const period: PeriodTotals = { usd: row.usd, calls: row.calls, images: row.images, unknownCalls: row.unknown_calls };
    const own = ofPrincipal(row.principal_id);
    addDay(everyone.totals, everyone.months, row.day, { ...period }, now.slice(0, 10));
    addDay(own.totals, own.months, row.day, { ...period }, now.slice(0, 10));
  }
  for (const row of running) {
    everyone.totals.runningCalls += row.running;
    ofPrincipal(row.principal_id).totals.runningCalls = row.running;
  }
  const finish = ({ totals, months }: { totals: CostTotals; months: Map<string, PeriodTotals> }) => {
    totals.byMonth = [...months].map(([month, bucket]) => ({ month, ...bucket }));
    totals.monthUsd = months.get(now.slice(0, 7))?.usd ?? 0;
    return totals;
  };
  return {
    everyone: finish(everyone),
    byPrincipal: new Map([...principals].map(([principalId, own]) => [principalId, finish(own)])),
  };
}
