import { localPrincipalId } from '@imagegen/common';
import { thisProcess, type ProcessIdentity } from '../cost/process-identity';
import type { JobPersistence, JobRecord } from '../generation/job-persistence';
import type { PostgresDatabase } from './database';

interface JobRow {
  record: JobRecord;
  principal_id: string;
}

/** The owner is the row's column (what principal filters on the table use), whatever the JSON says. */
const recordOf = (row: JobRow): JobRecord => ({ ...row.record, principalId: row.principal_id });

/** Jobs {@link createPostgresJobPersistence} loads at start: as many as the job table keeps in memory, and then some. */
const loadLimit = 4_000;

/**
 * Generation jobs in PostgreSQL: one row per job holding its latest record (an append of a newer state replaces the
 * row, its principal in a column), shared by every replica. `load` returns the newest jobs, oldest first, as the file store does; `find` reads one
 * job by id, so any replica answers for a job another one started; a running job's writer counts as alive while its
 * heartbeat (written by the database cost ledger) is fresh. Rows are small and kept (no compaction).
 */
export function createPostgresJobPersistence(
  database: PostgresDatabase,
  options: { staleAfterMs?: number } = {},
): JobPersistence & Required<Pick<JobPersistence, 'find' | 'mayStillBeRunning'>> {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const upsert = (record: JobRecord) =>
    database.query(
      `INSERT INTO generation_jobs (job_id, principal_id, status, created_at, updated_at, record)
       VALUES ($1, $2, $3, $4, now(), $5)
       ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now(), record = EXCLUDED.record`,
      [record.jobId, record.principalId ?? localPrincipalId, record.status, record.createdAt, JSON.stringify(record)],
    );
  return {
    async load() {
      const rows = await database.query<JobRow>(
        `SELECT record, principal_id FROM (SELECT record, principal_id, created_at FROM generation_jobs ORDER BY created_at DESC LIMIT $1)
           AS newest ORDER BY created_at`,
        [loadLimit],
      );
      return rows.map(recordOf);
    },
    async append(record) {
      await upsert(record);
    },
    async mayStillBeRunning(writer: ProcessIdentity) {
      if (writer?.instance === thisProcess.instance) return true;
      // Liveness is the heartbeat every engine process with a database ledger writes (see the cost ledger).
      const rows = await database.query(
        'SELECT 1 FROM imagegen_processes WHERE instance = $1 AND heartbeat_at > now() - make_interval(secs => $2::float8 / 1000)',
        [writer?.instance ?? '', staleAfterMs],
      );
      return rows.length > 0;
    },
    async find(jobId) {
      const rows = await database.query<JobRow>('SELECT record, principal_id FROM generation_jobs WHERE job_id = $1', [jobId]);
      return rows[0] === undefined ? undefined : recordOf(rows[0]);
    },
  };
}
