import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCostLedger } from './cost-ledger';
import { createMemoryLedgerPersistence } from './ledger-persistence';
import { createFilePrincipalBudgetPersistence, createMemoryPrincipalBudgetPersistence, openPrincipalBudgets } from './principal-budgets';

const start = (principalId: string, usd: number) => ({
  provider: 'openai',
  model: 'gpt-image-2',
  estimatedUsd: usd,
  maxUsd: usd,
  principalId,
});
const billed = (usd: number) => ({ usd, basis: 'actual' as const, images: 1, imageIds: [] });

describe('per-principal budgets', () => {
  it("hold each principal's spend to its own cap, beside the global cap, with its own report", async () => {
    const budgets = await openPrincipalBudgets({ defaults: { dailyUsd: 0.1 }, persistence: createMemoryPrincipalBudgetPersistence() });
    const persistence = createMemoryLedgerPersistence();
    const ledger = await createCostLedger({ persistence, budgets: { dailyUsd: 0.25 }, principalBudgets: (id) => budgets.limitsOf(id) });
    await (await ledger.startCall(start('alice', 0.08))).billed(billed(0.08));
    await expect(ledger.startCall(start('alice', 0.05))).rejects.toMatchObject({
      code: 'budget_exceeded',
      message: expect.stringContaining('Your daily budget of $0.1000 is reached'),
      details: expect.objectContaining({ scope: 'principal', setting: 'COST__PRINCIPAL_DAILY_BUDGET_USD' }),
    });
    // Bob has spent nothing: his own cap holds, alice's spend does not count against it.
    await (await ledger.startCall(start('bob', 0.09))).billed(billed(0.09));
    expect(ledger.totals('alice')).toMatchObject({ todayUsd: 0.08, calls: 1, principalId: 'alice', budgets: { dailyUsd: 0.1 } });
    expect(ledger.totals('bob').todayUsd).toBeCloseTo(0.09);
    expect(ledger.totals().todayUsd).toBeCloseTo(0.17);
    // The global cap still covers everyone together.
    await (await ledger.startCall(start('carol', 0.06))).billed(billed(0.06));
    await expect(ledger.startCall(start('dave', 0.05))).rejects.toMatchObject({ details: expect.objectContaining({ scope: 'global' }) });
    expect(persistence.entries.every((entry) => typeof entry.principalId === 'string')).toBe(true);
  });

  it('apply what an administrator sets at once, keep it across restarts, and treat odd ids as plain ids', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-budgets-'));
    try {
      const file = path.join(folder, 'principal-budgets.jsonl');
      const budgets = await openPrincipalBudgets({
        defaults: { dailyUsd: 1, monthlyUsd: 10 },
        persistence: createFilePrincipalBudgetPersistence(file),
      });
      const ledger = await createCostLedger({
        persistence: createMemoryLedgerPersistence(),
        principalBudgets: (id) => budgets.limitsOf(id),
      });
      await (await ledger.startCall(start('alice', 0.2))).billed(billed(0.2));
      expect(await budgets.set('alice', { dailyUsd: 0.2 }, 'carol')).toEqual({ dailyUsd: 0.2, monthlyUsd: 10 });
      await expect(ledger.startCall(start('alice', 0.01))).rejects.toMatchObject({ code: 'budget_exceeded' });
      await budgets.set('__proto__', { dailyUsd: null }, 'carol');
      expect(budgets.limitsOf('__proto__')).toEqual({ monthlyUsd: 10 });
      expect(budgets.limitsOf('constructor')).toEqual({ dailyUsd: 1, monthlyUsd: 10 });
      const withLocal = await openPrincipalBudgets({
        defaults: { dailyUsd: 1 },
        persistence: createMemoryPrincipalBudgetPersistence(),
        exempt: ['local'],
      });
      expect(withLocal.limitsOf('local')).toEqual({});
      await expect(budgets.set('bob', { dailyUsd: -1 }, 'carol')).rejects.toMatchObject({ code: 'invalid_request' });
      await expect(budgets.set('', { dailyUsd: 1 }, 'carol')).rejects.toMatchObject({ code: 'invalid_request' });

      const reopened = await openPrincipalBudgets({
        defaults: { dailyUsd: 1, monthlyUsd: 10 },
        persistence: createFilePrincipalBudgetPersistence(file),
      });
      expect(reopened.limitsOf('alice')).toEqual({ dailyUsd: 0.2, monthlyUsd: 10 });
      expect(
        reopened
          .overrides()
          .map((entry) => entry.principalId)
          .sort(),
      ).toEqual(['__proto__', 'alice']);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
