import type { PrincipalBudgetPersistence, PrincipalBudgetRecord } from '../cost/principal-budgets';
import type { PostgresDatabase } from './database';

interface BudgetRow {
  principal_id: string;
  daily_usd: number | null;
  monthly_usd: number | null;
  set_at: Date;
  set_by: string;
}

/**
 * Per-user caps in PostgreSQL, shared by every replica: one row per change, in `principal_budgets`. `load` returns
 * the newest record of each principal (what is in force), so re-reading stays cheap however often caps change.
 */
export function createPostgresPrincipalBudgetPersistence(database: PostgresDatabase): PrincipalBudgetPersistence {
  return {
    async load() {
      const rows = await database.query<BudgetRow>(
        `SELECT DISTINCT ON (principal_id) principal_id, daily_usd, monthly_usd, set_at, set_by
           FROM principal_budgets ORDER BY principal_id, seq DESC`,
      );
      return rows.map((row): PrincipalBudgetRecord => ({
        principalId: row.principal_id,
        dailyUsd: row.daily_usd,
        monthlyUsd: row.monthly_usd,
        at: row.set_at.toISOString(),
        setBy: row.set_by,
      }));
    },
    async append(record) {
      await database.query(
        'INSERT INTO principal_budgets (principal_id, daily_usd, monthly_usd, set_at, set_by) VALUES ($1, $2, $3, $4, $5)',
        [record.principalId, record.dailyUsd, record.monthlyUsd, record.at, record.setBy],
      );
    },
  };
}
