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
