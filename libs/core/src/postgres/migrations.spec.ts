import type { PostgresDatabase } from './database';
import { migrateDatabase, migrationNames } from './migrations';
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './test-support/test-database';

const schema = uniqueSchemaName('migrations');
afterAll(() => dropTestSchema(schema));

describe('database migrations', () => {
  it('create every table once, even when several processes start together, and do nothing the second time', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => openTestDatabase(schema, { migrate: false })));
    try {
      const reports = await Promise.all(replicas.map((database) => migrateDatabase(database)));

      const applied = reports.flatMap((report) => report.applied);
      expect(applied).toEqual(migrationNames);
      expect(reports.every((report) => report.current.join() === migrationNames.join())).toBe(true);
      const [first] = replicas as [PostgresDatabase, ...PostgresDatabase[]];
      const again = await migrateDatabase(first);
      expect(again).toEqual({ applied: [], current: [...migrationNames] });
      const tables = await first.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      expect(tables.map((row) => row.table_name)).toEqual(
        expect.arrayContaining(['cost_calls', 'generation_jobs', 'image_totals', 'images', 'imagegen_migrations', 'principal_budgets']),
      );
    } finally {
      await Promise.all(replicas.map((database) => database.close()));
    }
  });
});
