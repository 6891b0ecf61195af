import type { PoolClient, QueryResultRow } from 'pg';
import { ImageGenError, lazyModule, silentLogger, type Logger } from '@imagegen/common';

/**
 * The PostgreSQL driver, loaded when a database is opened: a server without `DATABASE__URL` (the default) starts
 * without paying for it.
 */
const postgresDriver = lazyModule(() => import('pg'));

/** Settings of {@link openPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** `postgres://user:password@host:5432/database` (`DATABASE__URL`). Never logged. */
  url: string;
  /**
   * Schema the tables live in (created when missing). Default: the connection's `search_path` (normally `public`).
   * Tests give each file its own schema.
   */
  schema?: string;
  /** Most connections this process opens. Default 10. */
  maxConnections?: number;
  /** Where connection errors are reported. */
  logger?: Logger;
}

/** A connection pool on the imagegen tables, shared by the image catalog, the cost ledger and the job store. */
export interface PostgresDatabase {
  /** The schema in use (`public` unless one was given). */
  readonly schema: string;
  /** Runs one statement on any pooled connection. */
  query<Row extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** SQLSTATEs after which the same statement succeeds when run again: deadlock, serialization failure. */
const transientCodes = new Set(['40P01', '40001']);

/**
 * Runs an idempotent statement again (up to 3 attempts) when PostgreSQL aborted it as a deadlock victim or for a
 * serialization failure; a save and a retention run updating the same counter rows can meet that way.
 */
export async function retryTransient<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3 || !transientCodes.has(String((error as { code?: unknown })?.code))) throw error;
    }
  }
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** The host and database of a URL, without user or password, for messages. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'the configured database';
  }
}

/** Turns a driver error into `storage_failed` naming the action and the SQLSTATE; the driver's message stays in `cause`. */
export function databaseFailure(action: string, error: unknown, where = 'the database'): ImageGenError {
  if (ImageGenError.isInstance(error)) return error;
  const code = (error as { code?: unknown })?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'the server refused the connection (is PostgreSQL running, and DATABASE__URL right?)',
    ENOTFOUND: 'the host name is not known',
    ETIMEDOUT: 'the connection timed out',
    '28P01': 'the password was refused',
    '28000': 'the user may not connect',
    '3D000': 'the database does not exist',
    '42501': 'the user lacks a permission on the tables',
    '53300': 'the server has no free connections',
  };
  const reason = typeof code === 'string' ? (reasons[code] ?? `PostgreSQL answered ${code}`) : 'an unexpected error occurred';
  const retryable = typeof code === 'string' && ['ECONNREFUSED', 'ETIMEDOUT', '53300', '40001', '40P01', '57P01'].includes(code);
  return new ImageGenError({
    code: 'storage_failed',
    message: `Could not ${action} in ${where}: ${reason}.`,
    retryable,
    cause: error,
    ...(typeof code === 'string' ? { details: { databaseCode: code } } : {}),
  });
}

/**
 * Opens a pool on `url` and checks that it answers. With `schema`, every connection works in that schema (created when
 * missing). Rejects with `invalid_config` for a bad schema name and `storage_failed` when the server cannot be reached.
 * Does not create tables: run {@link migrateDatabase} (the engine does at start).
 */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
  const logger = options.logger ?? silentLogger;
  if (options.schema !== undefined && !schemaPattern.test(options.schema)) {
    throw new ImageGenError({
      code: 'invalid_config',
      message: `The database schema name ${JSON.stringify(options.schema)} must be lower-case letters, digits and _.`,
      details: { setting: 'schema' },
    });
  }
  const where = describeDatabaseUrl(options.url);
  const { Pool } = await postgresDriver.load();
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle connection dropped by the server must not crash the process.
  pool.on('error', (error) =>
    logger.warn('a database connection failed; it is replaced on next use', { code: (error as { code?: unknown }).code }),
  );
  let schema: string;
  try {
    if (options.schema !== undefined) {
      // Two processes creating the same schema at once: the loser's duplicate error means it exists.
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).catch((error: unknown) => {
        if (!['23505', '42P06'].includes(String((error as { code?: unknown }).code))) throw error;
      });
    }
    const rows = (await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows;
    schema = rows[0]?.schema ?? 'public';
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw databaseFailure('connect', error, where);
  }
  return {
    schema,
    async query(text, values) {
      return (await pool.query(text, values as unknown[] | undefined)).rows;
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
