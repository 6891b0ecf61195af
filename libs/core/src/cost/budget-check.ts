import { ImageGenError } from '@imagegen/common';
import type { BudgetLimits } from './cost-ledger';

/** One set of caps and what counts against them: everyone's (the global caps) or one principal's own. */
export interface BudgetScope {
  /** The caps; an absent one does not limit. */
  caps: BudgetLimits;
  /** US dollars billed today (UTC) in this scope. */
  spentToday: number;
  /** US dollars billed this UTC calendar month in this scope. */
  spentThisMonth: number;
  /** US dollars reserved by this scope's calls still running. */
  held: number;
  /** Whether these are a principal's own caps (COST__PRINCIPAL_*) rather than the global ones (COST__*). */
  principal: boolean;
}

const dollars = (value: number) => `$${value.toFixed(4)}`;

/**
 * Refuses a call with `budget_exceeded` when, at the most it can cost, it would pass a cap of any scope (checked in
 * the order given, so the first scope's refusal is the one reported). Both ledgers, in the file and in PostgreSQL,
 * check through here so a person reads the same message whichever one holds the money.
 */
export function assertWithinBudgets(scopes: readonly BudgetScope[], maxUsd: number, estimatedUsd: number): void {
  for (const scope of scopes) {
    const periods: Array<['daily' | 'monthly', number | undefined, number, string]> = [
      ['daily', scope.caps.dailyUsd, scope.spentToday, scope.principal ? 'COST__PRINCIPAL_DAILY_BUDGET_USD' : 'COST__DAILY_BUDGET_USD'],
      [
        'monthly',
        scope.caps.monthlyUsd,
        scope.spentThisMonth,
        scope.principal ? 'COST__PRINCIPAL_MONTHLY_BUDGET_USD' : 'COST__MONTHLY_BUDGET_USD',
      ],
    ];
    for (const [period, cap, periodSpend, setting] of periods) {
      if (cap === undefined) continue;
      const committed = periodSpend + scope.held;
      if (committed < cap && committed + maxUsd <= cap) continue;
      throw budgetExceeded({ period, cap, periodSpend, setting, scope, maxUsd, estimatedUsd });
    }
  }
}

function budgetExceeded(facts: {
  period: 'daily' | 'monthly';
  cap: number;
  periodSpend: number;
  setting: string;
  scope: BudgetScope;
  maxUsd: number;
  estimatedUsd: number;
}): ImageGenError {
  const { period, cap, periodSpend, setting, scope, maxUsd, estimatedUsd } = facts;
  const next = period === 'daily' ? 'day' : 'month';
  const remedy = scope.principal
    ? `An administrator can raise your budget (the set_user_budget tool, or ${setting} for everyone); or wait for the next ${next} (UTC).`
    : `Raise ${setting} or wait for the next ${next} (UTC).`;
  return new ImageGenError({
    code: 'budget_exceeded',
    message:
      `${scope.principal ? 'Your' : 'The'} ${period} budget of ${dollars(cap)} is reached: ${dollars(periodSpend)} spent` +
      (scope.held > 0 ? `, ${dollars(scope.held)} held for calls still running` : '') +
      `, and this call can cost up to ${dollars(maxUsd)} (estimated ${dollars(estimatedUsd)}). ${remedy} Cached images are still served.`,
    details: {
      period,
      capUsd: cap,
      spentUsd: periodSpend,
      reservedUsd: scope.held,
      estimatedUsd,
      maxUsd,
      setting,
      scope: scope.principal ? 'principal' : 'global',
    },
  });
}
