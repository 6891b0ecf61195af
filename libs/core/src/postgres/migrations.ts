import type { PoolClient } from 'pg';
import type { RunnableMigration, UmzugStorage } from 'umzug';
import { lazyModule, silentLogger, type Logger } from '@imagegen/common';
import { databaseFailure, type PostgresDatabase } from './database';

/**
 * The schema, one step per migration, applied in order and never edited once released (add a new step instead).
 * Ids are `COLLATE "C"` so the database orders them exactly as JavaScript compares strings: id order is save order.
 */
const steps: Array<{ name: string; sql: string }> = [
  {
    name: '0001-images',
    sql: `
      CREATE TABLE images (
        id text COLLATE "C" PRIMARY KEY,
        created_at timestamptz NOT NULL,
        image_bytes bigint NOT NULL,
        sidecar_bytes bigint NOT NULL,
        format text NOT NULL,
        directory text NOT NULL,
        prompt_excerpt text NOT NULL,
        model text NOT NULL,
        principal_id text NOT NULL DEFAULT 'local'
      );
      CREATE INDEX images_by_principal ON images (principal_id, id);

      -- Running totals, kept by a trigger, so stats and history counts never scan the images.
      CREATE TABLE image_totals (
        principal_id text NOT NULL,
        format text NOT NULL,
        image_count bigint NOT NULL,
        image_bytes bigint NOT NULL,
        sidecar_bytes bigint NOT NULL,
        PRIMARY KEY (principal_id, format)
      );
      CREATE TABLE image_day_counts (
        principal_id text NOT NULL,
        day text COLLATE "C" NOT NULL,
        image_count bigint NOT NULL,
        PRIMARY KEY (principal_id, day)
      );
      CREATE FUNCTION images_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
          UPDATE image_totals SET image_count = image_count - 1, image_bytes = image_bytes - OLD.image_bytes,
              sidecar_bytes = sidecar_bytes - OLD.sidecar_bytes
            WHERE principal_id = OLD.principal_id AND format = OLD.format;
          UPDATE image_day_counts SET image_count = image_count - 1
            WHERE principal_id = OLD.principal_id AND day = substr(OLD.id, 5, 8);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          INSERT INTO image_totals AS totals VALUES (NEW.principal_id, NEW.format, 1, NEW.image_bytes, NEW.sidecar_bytes)
            ON CONFLICT (principal_id, format) DO UPDATE SET image_count = totals.image_count + 1,
              image_bytes = totals.image_bytes + EXCLUDED.image_bytes, sidecar_bytes = totals.sidecar_bytes + EXCLUDED.sidecar_bytes;
          INSERT INTO image_day_counts AS days VALUES (NEW.principal_id, substr(NEW.id, 5, 8), 1)
            ON CONFLICT (principal_id, day) DO UPDATE SET image_count = days.image_count + 1;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER images_keep_totals AFTER INSERT OR UPDATE OR DELETE ON images
        FOR EACH ROW EXECUTE FUNCTION images_keep_totals();
      -- Recomputes the totals from the rows (after a bulk load with the trigger disabled).
      CREATE FUNCTION images_recount() RETURNS void LANGUAGE sql AS $$
        DELETE FROM image_totals;
        DELETE FROM image_day_counts;
        INSERT INTO image_totals SELECT principal_id, format, count(*), sum(image_bytes), sum(sidecar_bytes) FROM images GROUP BY 1, 2;
        INSERT INTO image_day_counts SELECT principal_id, substr(id, 5, 8), count(*) FROM images GROUP BY 1, 2;
      $$;

      CREATE TABLE image_store_state (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_cleanup jsonb
      );
    `,
  },
  {
    name: '0002-cost-ledger',
    sql: `
      -- One row per paid call: inserted when it starts (holding reserved_usd against the budgets), completed when it ends.
      CREATE TABLE cost_calls (
        call_id uuid PRIMARY KEY,
        principal_id text NOT NULL DEFAULT 'local',
        provider text NOT NULL,
        model text NOT NULL,
        started_at timestamptz NOT NULL,
        estimated_usd double precision NOT NULL,
        reserved_usd double precision NOT NULL,
        process_instance text NOT NULL,
        process_pid integer NOT NULL,
        finished_at timestamptz,
        usd double precision,
        basis text,
        images integer,
        image_ids text[],
        outcome text,
        reason text
      );
      CREATE INDEX cost_calls_running ON cost_calls (process_instance) WHERE finished_at IS NULL;
      CREATE INDEX cost_calls_by_finish ON cost_calls (finished_at) INCLUDE (usd, outcome, images) WHERE finished_at IS NOT NULL;
      -- Every engine process says it is alive; the running calls and jobs of a process that stopped saying so are reconciled.
      CREATE TABLE imagegen_processes (
        instance text PRIMARY KEY,
        pid integer NOT NULL,
        heartbeat_at timestamptz NOT NULL
      );
    `,
  },
  {
    name: '0003-generation-jobs',
    sql: `
      CREATE TABLE generation_jobs (
        job_id text PRIMARY KEY,
        principal_id text NOT NULL DEFAULT 'local',
        status text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        record jsonb NOT NULL
      );
      CREATE INDEX generation_jobs_newest ON generation_jobs (created_at DESC);
      CREATE INDEX generation_jobs_running ON generation_jobs (status) WHERE status = 'running';
    `,
  },
  {
    name: '0004-principal-budgets',
    sql: `
      -- What administrators set for one user's caps, append-only: the newest row of a principal is in force.
      CREATE TABLE principal_budgets (
        seq bigserial PRIMARY KEY,
        principal_id text NOT NULL,
        daily_usd double precision,
        monthly_usd double precision,
        set_at timestamptz NOT NULL,
        set_by text NOT NULL
      );
      CREATE INDEX principal_budgets_newest ON principal_budgets (principal_id, seq DESC);
    `,
  },
];

/**
 * The migration runner, loaded when a database is migrated: umzug brings a command-line toolkit with it (the largest
 * part of what the engine would load at start), which a server without a database never needs.
 */
const migrationRunner = lazyModule(() => import('umzug'));

/** Names of every migration this version knows, oldest first. */
export const migrationNames: readonly string[] = steps.map((step) => step.name);

/** Records applied migrations in a table of the schema, written in the same transaction as the migration itself. */
function tableStorage(client: PoolClient): UmzugStorage<PoolClient> {
  return {
    async executed() {
      const rows = await client.query<{ name: string }>('SELECT name FROM imagegen_migrations ORDER BY name');
      return rows.rows.map((row) => row.name);
    },
    async logMigration({ name }) {
      await client.query('INSERT INTO imagegen_migrations (name) VALUES ($1)', [name]);
    },
    async unlogMigration({ name }) {
      await client.query('DELETE FROM imagegen_migrations WHERE name = $1', [name]);
    },
  };
}

/** What {@link migrateDatabase} did. */
export interface MigrationReport {
  /** Migrations applied now, oldest first; empty when the schema was up to date. */
  applied: string[];
  /** Every migration the schema now has. */
  current: string[];
}

/**
 * Brings the schema up to date. Safe to run from several replicas at once: all pending migrations run in one
 * transaction holding an advisory lock of the schema, so one replica migrates and the others wait, then find nothing
 * to do. A failed migration leaves the schema as it was.
 */
export async function migrateDatabase(database: PostgresDatabase, logger: Logger = silentLogger): Promise<MigrationReport> {
  try {
    const { Umzug } = await migrationRunner.load();
    return await database.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('imagegen:migrations:' || current_schema()))");
      await client.query(
        'CREATE TABLE IF NOT EXISTS imagegen_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const migrations: Array<RunnableMigration<PoolClient>> = steps.map((step) => ({
        name: step.name,
        up: async ({ context }) => context.query(step.sql),
      }));
      const umzug = new Umzug<PoolClient>({ migrations, context: client, storage: tableStorage(client), logger: undefined });
      const applied = (await umzug.up()).map((migration) => migration.name);
      const current = (await umzug.executed()).map((migration) => migration.name);
      if (applied.length > 0) logger.info('database migrated', { schema: database.schema, applied });
      return { applied, current };
    });
  } catch (error) {
    throw databaseFailure('migrate the database schema', error);
  }
}
