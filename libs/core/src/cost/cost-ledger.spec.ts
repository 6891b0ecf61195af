import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createManualClock } from '@imagegen/common';
import { createCostLedger, createFileLedgerPersistence, createMemoryLedgerPersistence } from './cost-ledger';

const call = (usd: number) => ({ provider: 'openai', model: 'gpt-image-2', usd, basis: 'actual' as const, images: 1, imageIds: [] });

describe('cost ledger', () => {
  it('totals spend per UTC day and month', async () => {
    const clock = createManualClock(new Date('2026-11-24T23:00:00Z'));
    const ledger = await createCostLedger({ persistence: createMemoryLedgerPersistence(), clock });
    await ledger.reserve(0.05).commit(call(0.05));
    clock.set(new Date('2026-11-25T01:00:00Z'));
    await ledger.reserve(0.1).commit(call(0.1));
    const totals = ledger.totals();
    expect(totals.todayUsd).toBeCloseTo(0.1);
    expect(totals.monthUsd).toBeCloseTo(0.15);
    expect(totals.byDay.map((bucket) => bucket.day)).toEqual(['2026-11-25', '2026-11-24']);
    expect(totals.byMonth).toEqual([{ month: '2026-11', usd: expect.closeTo(0.15), calls: 2, images: 2 }]);
  });

  it('refuses the next paid call once the daily budget is reached, naming the setting', async () => {
    const clock = createManualClock(new Date('2026-11-25T10:00:00Z'));
    const ledger = await createCostLedger({ persistence: createMemoryLedgerPersistence(), clock, budgets: { dailyUsd: 0.1 } });
    await ledger.reserve(0.06).commit(call(0.06));
    expect(() => ledger.reserve(0.06)).toThrow(expect.objectContaining({ code: 'budget_exceeded' }));
    expect(() => ledger.reserve(0.06)).toThrow(/COST__DAILY_BUDGET_USD/);
    clock.set(new Date('2026-11-26T00:00:01Z'));
    expect(() => ledger.reserve(0.06)).not.toThrow();
  });

  it('counts calls still running so concurrent calls cannot overshoot the monthly cap together', async () => {
    const ledger = await createCostLedger({ persistence: createMemoryLedgerPersistence(), budgets: { monthlyUsd: 0.1 } });
    const first = ledger.reserve(0.06);
    expect(() => ledger.reserve(0.06)).toThrow(expect.objectContaining({ code: 'budget_exceeded' }));
    first.release();
    expect(() => ledger.reserve(0.06)).not.toThrow();
  });

  it('survives a restart through its file and skips a torn line', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-'));
    const filePath = path.join(folder, 'cost-ledger.jsonl');
    const ledger = await createCostLedger({ persistence: createFileLedgerPersistence(filePath) });
    await ledger.reserve(0.04).commit(call(0.04));
    fs.appendFileSync(filePath, '{"at": "2026-11');
    const reopened = await createCostLedger({ persistence: createFileLedgerPersistence(filePath) });
    expect(reopened.totals().allTimeUsd).toBeCloseTo(0.04);
    expect(fs.statSync(filePath).mode & 0o777).toBe(0o600);
    fs.rmSync(folder, { recursive: true, force: true });
  });
});
