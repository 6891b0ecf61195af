import { createManualClock } from '@imagegen/common';
import { createCostLedger } from '../cost/cost-ledger';
import { createMemoryLedgerPersistence } from '../cost/ledger-persistence';
import type { CostLedger, PaidCall } from '../cost/cost-ledger';
import type { PostgresDatabase } from './database';
import { createPostgresCostLedger } from './postgres-cost-ledger';
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './test-support/test-database';

const start = (usd: number, maxUsd = usd) => ({ provider: 'openai', model: 'gpt-image-2', estimatedUsd: usd, maxUsd });
const billed = (usd: number) => ({ usd, basis: 'actual' as const, images: 1, imageIds: [] });

const schemas: string[] = [];
const handles: PostgresDatabase[] = [];
const ledgers: CostLedger[] = [];
async function freshDatabase(label: string): Promise<PostgresDatabase> {
  const schema = uniqueSchemaName(label);
  schemas.push(schema);
  const database = await openTestDatabase(schema);
  handles.push(database);
  return database;
}
/** A second handle on the same schema: another engine instance with its own connections. */
async function anotherHandle(database: PostgresDatabase): Promise<PostgresDatabase> {
  const handle = await openTestDatabase(database.schema, { migrate: false });
  handles.push(handle);
  return handle;
}
afterEach(async () => {
  for (const ledger of ledgers.splice(0)) await ledger.close();
  for (const handle of handles.splice(0)) await handle.close().catch(() => undefined);
  for (const schema of schemas.splice(0)) await dropTestSchema(schema);
});
const opened = async (...args: Parameters<typeof createPostgresCostLedger>) => {
  const ledger = await createPostgresCostLedger(...args);
  ledgers.push(ledger);
  return ledger;
};

describe('PostgreSQL cost ledger', () => {
  it('reports the same totals as the file ledger for the same calls', async () => {
    const clock = createManualClock(new Date('2026-03-31T23:59:00Z'));
    const database = await freshDatabase('ledger_totals');
    const shared = await opened({ database, clock });
    const local = await createCostLedger({ persistence: createMemoryLedgerPersistence(), clock });
    const both = async (action: (call: PaidCall) => Promise<void>, usd: number) => {
      for (const ledger of [shared, local]) await action(await ledger.startCall(start(usd)));
    };

    await both((call) => call.billed(billed(0.05)), 0.05);
    await both((call) => call.notBilled('content_blocked'), 0.1);
    clock.advance(120_000);
    await both((call) => call.unknown('timeout'), 0.2);
    await both((call) => call.billed({ ...billed(0.04), images: 2 }), 0.04);

    const { unwrittenEntries: _a, ...fromDatabase } = shared.totals();
    const { unwrittenEntries: _b, ...fromFile } = local.totals();
    expect(fromDatabase.byDay.map((day) => day.day)).toEqual(['2026-04-01', '2026-03-31']);
    expect(fromDatabase).toEqual({
      ...fromFile,
      todayUsd: expect.closeTo(fromFile.todayUsd, 10),
      monthUsd: expect.closeTo(fromFile.monthUsd, 10),
      allTimeUsd: expect.closeTo(fromFile.allTimeUsd, 10),
      byDay: fromFile.byDay.map((day) => ({ ...day, usd: expect.closeTo(day.usd, 10) })),
      byMonth: fromFile.byMonth.map((month) => ({ ...month, usd: expect.closeTo(month.usd, 10) })),
    });
    await local.close();
  });

  it('never lets concurrent calls from two engine instances pass the daily cap together', async () => {
    const database = await freshDatabase('ledger_budget');
    const budgets = { dailyUsd: 1 };
    const first = await opened({ database, budgets });
    const second = await opened({ database: await anotherHandle(database), budgets });

    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? first : second).startCall(start(0.25, 0.3))),
    );

    const accepted = attempts.filter((attempt): attempt is PromiseFulfilledResult<PaidCall> => attempt.status === 'fulfilled');
    const refused = attempts.filter((attempt) => attempt.status === 'rejected');
    expect(accepted).toHaveLength(3);
    expect(refused.every((attempt) => (attempt as PromiseRejectedResult).reason.code === 'budget_exceeded')).toBe(true);
    for (const attempt of accepted) await attempt.value.billed(billed(0.3));
    await expect(second.startCall(start(0.05, 0.1))).resolves.toBeDefined();
    await expect(first.startCall(start(0.05, 0.11))).rejects.toMatchObject({ code: 'budget_exceeded' });
    const rows = await database.query<{ spent: number }>("SELECT sum(usd)::float8 AS spent FROM cost_calls WHERE outcome = 'billed'");
    expect(rows[0]?.spent).toBeCloseTo(0.9, 10);
  });

  it("holds each user's own cap beside the global one across two engine instances, and reports per user", async () => {
    const database = await freshDatabase('ledger_principals');
    const options = {
      budgets: { dailyUsd: 1.5 },
      principalBudgets: (principalId: string) => (principalId === 'alice' ? { dailyUsd: 1 } : {}),
    };
    const first = await opened({ database, ...options });
    const second = await opened({ database: await anotherHandle(database), ...options });
    const ledgerAt = (index: number) => (index % 2 === 0 ? first : second);
    const settle = async (attempts: Array<Promise<PaidCall>>) => {
      const outcomes = await Promise.allSettled(attempts);
      return {
        accepted: outcomes.filter((outcome): outcome is PromiseFulfilledResult<PaidCall> => outcome.status === 'fulfilled'),
        refusals: outcomes.flatMap((outcome) =>
          outcome.status === 'rejected' ? [outcome.reason as { code: string; details: unknown }] : [],
        ),
      };
    };

    // Alice's own cap of $1 admits four calls that may cost $0.25, however the two instances interleave.
    const alice = await settle(
      Array.from({ length: 20 }, (_, index) => ledgerAt(index).startCall({ ...start(0.2, 0.25), principalId: 'alice' })),
    );
    expect(alice.accepted).toHaveLength(4);
    expect(alice.refusals.every((refusal) => refusal.code === 'budget_exceeded')).toBe(true);
    expect(alice.refusals[0]?.details).toMatchObject({ scope: 'principal', setting: 'COST__PRINCIPAL_DAILY_BUDGET_USD' });
    // Bob has no cap of his own: only the $0.50 left of the global $1.50 (alice holds $1) stops him.
    const bob = await settle(
      Array.from({ length: 10 }, (_, index) => ledgerAt(index).startCall({ ...start(0.2, 0.25), principalId: 'bob' })),
    );
    expect(bob.accepted).toHaveLength(2);
    expect(bob.refusals[0]?.details).toMatchObject({ scope: 'global', setting: 'COST__DAILY_BUDGET_USD' });

    for (const { value } of [...alice.accepted, ...bob.accepted]) await value.billed(billed(0.125));
    const owners = await database.query<{ principal_id: string; calls: number }>(
      "SELECT principal_id, count(*)::float8 AS calls FROM cost_calls WHERE outcome = 'billed' GROUP BY 1 ORDER BY 1",
    );
    expect(owners).toEqual([
      { principal_id: 'alice', calls: 4 },
      { principal_id: 'bob', calls: 2 },
    ]);
    // Money spent, not held, counts now: alice has $0.50 of her own cap left, and exactly that fits.
    await expect(second.startCall({ ...start(0.5, 0.5), principalId: 'alice' })).resolves.toBeDefined();
    await expect(first.startCall({ ...start(0.01, 0.01), principalId: 'alice' })).rejects.toMatchObject({ code: 'budget_exceeded' });
    const reporter = await opened({ database, ...options });
    expect(reporter.totals('alice')).toMatchObject({
      principalId: 'alice',
      calls: 4,
      todayUsd: 0.5,
      runningCalls: 1,
      budgets: { dailyUsd: 1 },
    });
    expect(reporter.totals('bob')).toMatchObject({ principalId: 'bob', calls: 2, todayUsd: 0.25, runningCalls: 0, budgets: {} });
    expect(reporter.totals('carol')).toMatchObject({ principalId: 'carol', calls: 0, todayUsd: 0 });
    expect(reporter.totals()).toMatchObject({ calls: 6, todayUsd: 0.75, runningCalls: 1, budgets: { dailyUsd: 1.5 } });
  });

  it('records the running calls of a process that stopped as possibly billed, at their estimate', async () => {
    const database = await freshDatabase('ledger_stopped');
    await database.query(
      `INSERT INTO cost_calls (call_id, provider, model, started_at, estimated_usd, reserved_usd, process_instance, process_pid)
       VALUES (gen_random_uuid(), 'openai', 'gpt-image-2', now(), 0.07, 0.1, 'a-replica-that-died', 12345)`,
    );

    const ledger = await opened({ database, budgets: { dailyUsd: 0.1 } });

    expect(ledger.totals()).toMatchObject({ calls: 1, unknownOutcomeCalls: 1, runningCalls: 0 });
    expect(ledger.totals().todayUsd).toBeCloseTo(0.07, 10);
    // The reservation of the dead call is released: the remaining 0.03 is usable.
    await expect(ledger.startCall(start(0.02, 0.03))).resolves.toBeDefined();
  });

  it('refuses a paid call with storage_failed when the database cannot record it', async () => {
    const database = await freshDatabase('ledger_down');
    const handle = await anotherHandle(database);
    const ledger = await opened({ database: handle });
    await handle.close();

    await expect(ledger.startCall(start(0.05))).rejects.toMatchObject({ code: 'storage_failed', message: /No paid call is made/ });
  });
});
