import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openPostgresDatabase, type PostgresDatabase } from '../database';
import { migrateDatabase } from '../migrations';

/** The loopback PostgreSQL the tests use (CI starts it; trust authentication). */
export const testDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test run uses. */
export function uniqueSchemaName(label: string): string {
  return `imagegen_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Opens (and migrates, unless told not to) a database handle on a fresh schema of its own. */
export async function openTestDatabase(schema: string, options: { migrate?: boolean } = {}): Promise<PostgresDatabase> {
  const database = await openPostgresDatabase({ url: testDatabaseUrl, schema, maxConnections: 4 });
  if (options.migrate !== false) await migrateDatabase(database);
  return database;
}

/** Drops a test schema and everything in it. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
