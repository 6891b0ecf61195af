import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createManualClock } from '@imagegen/common';
import { createCostLedger, type CallStartedRecord } from './cost-ledger';
import { createFileLedgerPersistence, createMemoryLedgerPersistence } from './ledger-persistence';

const start = (usd: number, maxUsd = usd) => ({ provider: 'openai', model: 'gpt-image-2', estimatedUsd: usd, maxUsd });
const billed = (usd: number) => ({ usd, basis: 'actual' as const, images: 1, imageIds: [] });

describe('cost ledger', () => {
  it('records a call as started before it goes out and as billed when it returns', async () => {
    const persistence = createMemoryLedgerPersistence();
    const ledger = await createCostLedger({ persistence });
    const call = await ledger.startCall(start(0.05));
    expect(persistence.entries).toEqual([expect.objectContaining({ event: 'started', callId: call.callId, reservedUsd: 0.05 })]);
    expect(ledger.totals()).toMatchObject({ runningCalls: 1, calls: 0 });
    await call.billed(billed(0.04));
    expect(persistence.entries[1]).toMatchObject({ callId: call.callId, usd: 0.04, outcome: 'billed' });
    expect(ledger.totals()).toMatchObject({ runningCalls: 0, calls: 1, allTimeUsd: 0.04, todayUsd: 0.04 });
  });

  it('counts calls per day and month, not-billed failures excluded, unknown outcomes at their estimate', async () => {
    const clock = createManualClock(new Date('2026-03-10T10:00:00Z'));
    const ledger = await createCostLedger({ persistence: createMemoryLedgerPersistence(), clock });
    await (await ledger.startCall(start(0.05))).billed(billed(0.05));
    await (await ledger.startCall(start(0.1))).notBilled('content_blocked');
    await (await ledger.startCall(start(0.2))).unknown('timeout');
    const totals = ledger.totals();
    expect(totals.calls).toBe(2);
    expect(totals.unknownOutcomeCalls).toBe(1);
    expect(totals.todayUsd).toBeCloseTo(0.25);
    expect(totals.byDay[0]).toMatchObject({ day: '2026-03-10', calls: 2, unknownCalls: 1 });
  });

  it('holds the most a call can cost, so concurrent calls cannot pass the daily cap together', async () => {
    const ledger = await createCostLedger({ persistence: createMemoryLedgerPersistence(), budgets: { dailyUsd: 0.1 } });
    const first = await ledger.startCall(start(0.02, 0.06));
    await expect(ledger.startCall(start(0.02, 0.06))).rejects.toMatchObject({ code: 'budget_exceeded' });
    await expect(ledger.startCall(start(0.02, 0.06))).rejects.toThrow(/COST__DAILY_BUDGET_USD/);
    await first.billed(billed(0.03));
    // 0.03 spent: one more call of up to 0.06 fits, a second does not.
    const second = await ledger.startCall(start(0.02, 0.06));
    await expect(ledger.startCall(start(0.02, 0.06))).rejects.toMatchObject({ code: 'budget_exceeded' });
    await second.billed(billed(0.05));
    expect(ledger.totals().todayUsd).toBeLessThanOrEqual(0.1);
  });

  it('reconciles calls a stopped process never finished as unknown, possibly billed, at their estimate', async () => {
    const orphan: CallStartedRecord = {
      event: 'started',
      callId: 'call-of-a-dead-process',
      at: new Date().toISOString(),
      provider: 'openai',
      model: 'gpt-image-2',
      estimatedUsd: 0.07,
      reservedUsd: 0.1,
      // Same pid, another run of it: the process that wrote this is gone.
      process: { pid: process.pid, instance: 'an-earlier-run' },
    };
    const persistence = createMemoryLedgerPersistence([orphan]);
    const ledger = await createCostLedger({ persistence });
    expect(ledger.totals()).toMatchObject({ calls: 1, unknownOutcomeCalls: 1, allTimeUsd: 0.07 });
    expect(persistence.entries[1]).toMatchObject({ callId: orphan.callId, outcome: 'unknown', usd: 0.07 });
    // Written down once: opening again finds it finished.
    await createCostLedger({ persistence });
    expect(persistence.entries).toHaveLength(2);
  });

  it('keeps lines it cannot write, refuses new paid calls meanwhile, and writes them once it can', async () => {
    const persistence = createMemoryLedgerPersistence();
    let failing = false;
    const flaky = {
      load: persistence.load,
      append: async (record: Parameters<typeof persistence.append>[0]) => {
        if (failing) throw Object.assign(new Error('read-only'), { code: 'EROFS' });
        await persistence.append(record);
      },
    };
    const ledger = await createCostLedger({ persistence: flaky });
    const call = await ledger.startCall(start(0.05));
    failing = true;
    await call.billed(billed(0.05));
    expect(ledger.totals()).toMatchObject({ calls: 1, unwrittenEntries: 1 });
    await expect(ledger.startCall(start(0.05))).rejects.toMatchObject({ code: 'storage_failed' });
    await expect(ledger.ensureWritable()).rejects.toThrow(/EROFS/);
    failing = false;
    await ledger.ensureWritable();
    expect(ledger.totals().unwrittenEntries).toBe(0);
    expect(persistence.entries.filter((entry) => !('event' in entry))).toEqual([expect.objectContaining({ usd: 0.05 })]);
    await ledger.close();
  });

  it('persists to a JSON-lines file and skips a torn line', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-ledger-'));
    const filePath = path.join(folder, 'cost-ledger.jsonl');
    const ledger = await createCostLedger({ persistence: createFileLedgerPersistence(filePath) });
    await (await ledger.startCall(start(0.04))).billed(billed(0.04));
    fs.appendFileSync(filePath, '{"usd": 0.5, "at": "20');
    const reopened = await createCostLedger({ persistence: createFileLedgerPersistence(filePath) });
    expect(reopened.totals()).toMatchObject({ allTimeUsd: 0.04, calls: 1 });
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('reads ledger lines written before calls were recorded as started', async () => {
    const old = {
      at: new Date().toISOString(),
      provider: 'openai',
      model: 'gpt-image-1',
      usd: 0.02,
      basis: 'estimate' as const,
      images: 1,
      imageIds: [],
    };
    const ledger = await createCostLedger({ persistence: createMemoryLedgerPersistence([old]) });
    expect(ledger.totals()).toMatchObject({ calls: 1, allTimeUsd: 0.02, unknownOutcomeCalls: 0 });
  });
});
