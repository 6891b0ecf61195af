import { ImageGenError } from '@imagegen/common';
import { assertWithinBudgets, type BudgetScope } from './budget-check';

const scope = (overrides: Partial<BudgetScope>): BudgetScope => ({
  caps: {},
  spentToday: 0,
  spentThisMonth: 0,
  held: 0,
  principal: false,
  ...overrides,
});

const refusal = (scopes: BudgetScope[], maxUsd: number): ImageGenError | undefined => {
  try {
    assertWithinBudgets(scopes, maxUsd, maxUsd / 2);
    return undefined;
  } catch (error) {
    if (ImageGenError.isInstance(error)) return error;
    throw error;
  }
};

describe('checking a call against its budgets', () => {
  it('lets a call through that fits every cap, counting what running calls hold', () => {
    expect(refusal([scope({ caps: { dailyUsd: 1 }, spentToday: 0.5, held: 0.25 })], 0.25)).toBeUndefined();
    expect(refusal([scope({})], 1_000)).toBeUndefined();
  });

  it('refuses a call that could pass the daily cap, saying what was spent, held and what would raise it', () => {
    const error = refusal([scope({ caps: { dailyUsd: 1 }, spentToday: 0.5, held: 0.25 })], 0.3);
    expect(error?.code).toBe('budget_exceeded');
    expect(error?.message).toMatch(
      /^The daily budget of \$1\.0000 is reached: \$0\.5000 spent, \$0\.2500 held .* Raise COST__DAILY_BUDGET_USD/,
    );
    expect(error?.details).toMatchObject({ period: 'daily', scope: 'global', setting: 'COST__DAILY_BUDGET_USD' });
  });

  it('refuses once a cap is reached even for a call that costs nothing at most', () => {
    expect(refusal([scope({ caps: { monthlyUsd: 2 }, spentThisMonth: 2 })], 0)?.details).toMatchObject({ period: 'monthly' });
  });

  it("checks the global caps before a principal's own, and names the user's own limit in its words", () => {
    const global = scope({ caps: { dailyUsd: 1 }, spentToday: 0.9 });
    const own = scope({ caps: { dailyUsd: 0.5 }, spentToday: 0.45, principal: true });
    expect(refusal([global, own], 0.2)?.details).toMatchObject({ scope: 'global' });
    const ownOnly = refusal([scope({}), own], 0.2);
    expect(ownOnly?.message).toMatch(/^Your daily budget .* set_user_budget/);
    expect(ownOnly?.details).toMatchObject({ scope: 'principal', setting: 'COST__PRINCIPAL_DAILY_BUDGET_USD' });
  });
});
