import { openPrincipalBudgets } from '../cost/principal-budgets';
import type { PostgresDatabase } from './database';
import { createPostgresPrincipalBudgetPersistence } from './postgres-principal-budgets';
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './test-support/test-database';

const schema = uniqueSchemaName('budgets');
let database: PostgresDatabase;
beforeAll(async () => {
  database = await openTestDatabase(schema);
});
afterAll(async () => {
  await database.close();
  await dropTestSchema(schema);
});

describe('per-user budgets in PostgreSQL', () => {
  it('apply on every replica what an administrator set on one, the newest change winning', async () => {
    const other = await openTestDatabase(schema, { migrate: false });
    try {
      const defaults = { dailyUsd: 1, monthlyUsd: 10 };
      const replicaA = await openPrincipalBudgets({ defaults, persistence: createPostgresPrincipalBudgetPersistence(database) });
      const replicaB = await openPrincipalBudgets({ defaults, persistence: createPostgresPrincipalBudgetPersistence(other) });

      await replicaA.set('alice', { dailyUsd: 0.5 }, 'carol');
      await replicaA.set('alice', { monthlyUsd: null }, 'carol');
      await replicaA.set('__proto__', { dailyUsd: 2 }, 'carol');
      expect(replicaB.limitsOf('alice')).toEqual(defaults);

      await replicaB.reload();
      expect(replicaB.limitsOf('alice')).toEqual({ dailyUsd: 0.5 });
      expect(replicaB.limitsOf('__proto__')).toEqual({ dailyUsd: 2, monthlyUsd: 10 });
      expect(replicaB.limitsOf('bob')).toEqual(defaults);
      const reopened = await openPrincipalBudgets({ defaults, persistence: createPostgresPrincipalBudgetPersistence(other) });
      expect(reopened.overrides()).toEqual(
        expect.arrayContaining([
          { principalId: 'alice', limits: { dailyUsd: 0.5 } },
          { principalId: '__proto__', limits: { dailyUsd: 2, monthlyUsd: 10 } },
        ]),
      );
    } finally {
      await other.close();
    }
  });
});
