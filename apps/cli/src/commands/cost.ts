import type { Command } from 'commander';
import type { CostTotals } from '@imagegen/core';
import { integerOption } from '../arguments';
import type { CliContext } from '../context';
import { formatUsd, table } from '../output';

/** Spend against one cap, for display. */
export function budgetStatus(spentUsd: number, capUsd: number | undefined) {
  if (capUsd === undefined) return { capUsd: null, remainingUsd: null, percentUsed: null, reached: false };
  const remainingUsd = Math.max(0, capUsd - spentUsd);
  return {
    capUsd,
    remainingUsd,
    percentUsed: capUsd === 0 ? 100 : Math.round((spentUsd / capUsd) * 1000) / 10,
    reached: spentUsd >= capUsd,
  };
}

export function registerCostCommand(program: Command, context: CliContext): void {
  program
    .command('cost')
    .description('the cost ledger: spend per day and month against the budgets (days and months in UTC)')
    .option('--days <n>', 'days listed', integerOption('--days', 1, 3660), 14)
    .option('--months <n>', 'months listed', integerOption('--months', 1, 120), 6)
    .addHelpText(
      'after',
      `
Spend is the vendor's usage when it reported one, else the estimate. "calls" counts every paid provider call,
including calls whose outcome is unknown (the process stopped or the call timed out: possibly billed, counted at the
estimate). Budgets: COST__DAILY_BUDGET_USD and
COST__MONTHLY_BUDGET_USD; once one is reached, generation exits with code 5 (cached images are still served).

Examples:
  $ imagegen cost
  $ imagegen cost --days 31
  $ imagegen --json cost | jq .daily.remainingUsd`,
    )
    .action(async (options: { days: number; months: number }) => {
      await context.withEngine(async (engine) => {
        const totals: CostTotals = engine.costReport();
        const now = new Date();
        const daily = budgetStatus(totals.todayUsd, totals.budgets.dailyUsd);
        const monthly = budgetStatus(totals.monthUsd, totals.budgets.monthlyUsd);
        const document = {
          today: now.toISOString().slice(0, 10),
          month: now.toISOString().slice(0, 7),
          todayUsd: totals.todayUsd,
          monthUsd: totals.monthUsd,
          allTimeUsd: totals.allTimeUsd,
          // Every call that went out to a provider, including those whose outcome is unknown (possibly billed).
          calls: totals.calls,
          unknownOutcomeCalls: totals.unknownOutcomeCalls,
          runningCalls: totals.runningCalls,
          unwrittenEntries: totals.unwrittenEntries,
          daily,
          monthly,
          byDay: totals.byDay.slice(0, options.days),
          byMonth: totals.byMonth.slice(0, options.months),
        };
        const color = context.output.color;
        const against = (spent: number, status: ReturnType<typeof budgetStatus>, period: string) =>
          status.capUsd === null
            ? `${formatUsd(spent)} ${color.dim(`(no ${period} budget)`)}`
            : `${formatUsd(spent)} of ${formatUsd(status.capUsd)} ${period} budget (${status.percentUsed}%), ` +
              (status.reached ? color.red('budget reached') : `${formatUsd(status.remainingUsd ?? 0)} left`);
        context.output.result(document, () =>
          [
            table([
              [`today (${document.today} UTC)`, against(totals.todayUsd, daily, 'daily')],
              [`this month (${document.month})`, against(totals.monthUsd, monthly, 'monthly')],
              ['all time', `${formatUsd(totals.allTimeUsd)} in ${totals.calls} paid call(s)`],
              ...(totals.unknownOutcomeCalls > 0
                ? [
                    [
                      'outcome unknown',
                      color.yellow(
                        `${totals.unknownOutcomeCalls} call(s) got no answer (interrupted, timed out): possibly billed, counted at their estimate`,
                      ),
                    ],
                  ]
                : []),
              ...(totals.unwrittenEntries > 0
                ? [['not yet written', color.red(`${totals.unwrittenEntries} ledger line(s): the ledger file cannot be written`)]]
                : []),
            ]),
            '',
            totals.byDay.length === 0
              ? 'Nothing spent yet.'
              : [
                  color.bold('per day'),
                  table(
                    document.byDay.map((day) => [`  ${day.day}`, formatUsd(day.usd), `${day.calls} call(s)`, `${day.images} image(s)`]),
                  ),
                  color.bold('per month'),
                  table(
                    document.byMonth.map((month) => [
                      `  ${month.month}`,
                      formatUsd(month.usd),
                      `${month.calls} call(s)`,
                      `${month.images} image(s)`,
                    ]),
                  ),
                ].join('\n'),
          ].join('\n'),
        );
      });
    });
}
