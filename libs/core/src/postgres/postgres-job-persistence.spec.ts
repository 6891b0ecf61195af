import type { JobRecord } from '../generation/job-persistence';
import type { PostgresDatabase } from './database';
import { createPostgresJobPersistence } from './postgres-job-persistence';
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './test-support/test-database';

const schema = uniqueSchemaName('jobs');
let database: PostgresDatabase;
beforeAll(async () => {
  database = await openTestDatabase(schema);
});
afterAll(async () => {
  await database.close();
  await dropTestSchema(schema);
});

const record = (jobId: string, createdAt: string, overrides: Partial<JobRecord> = {}): JobRecord => ({
  jobId,
  operation: 'generate',
  status: 'running',
  createdAt,
  model: 'gpt-image-2',
  promptExcerpt: 'a fox',
  process: { pid: 1, instance: 'replica-a' },
  ...overrides,
});

describe('PostgreSQL job store', () => {
  it('keeps the latest state of every job, oldest job first, readable by id from another replica', async () => {
    const replicaA = createPostgresJobPersistence(database);
    const other = await openTestDatabase(schema, { migrate: false });
    try {
      const replicaB = createPostgresJobPersistence(other);
      const first = record('job_00000000-0000-4000-8000-000000000001', '2026-12-01T10:00:00.000Z', { principalId: 'alice' });
      const second = record('job_00000000-0000-4000-8000-000000000002', '2026-12-01T10:00:05.000Z');
      await replicaA.append(first);
      await replicaA.append(second);
      const finished = { ...first, status: 'completed' as const, finishedAt: '2026-12-01T10:00:09.000Z' };
      await replicaA.append(finished);

      // A job started without a principal belongs to the local one.
      const secondAsStored = { ...second, principalId: 'local' };
      expect(await replicaB.load()).toEqual([finished, secondAsStored]);
      expect(await replicaB.find(second.jobId)).toEqual(secondAsStored);
      const owners = await database.query<{ job_id: string; principal_id: string }>(
        'SELECT job_id, principal_id FROM generation_jobs ORDER BY job_id',
      );
      expect(owners).toEqual([
        { job_id: first.jobId, principal_id: 'alice' },
        { job_id: second.jobId, principal_id: 'local' },
      ]);
      expect(await replicaB.find('job_00000000-0000-4000-8000-00000000000f')).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('PostgreSQL job store liveness', () => {
  it('takes a running job of another host as alive only while its process writes heartbeats', async () => {
    const jobs = createPostgresJobPersistence(database, { staleAfterMs: 60_000 });
    await database.query(
      `INSERT INTO imagegen_processes (instance, pid, heartbeat_at) VALUES ('fresh', 1, now()), ('silent', 2, now() - interval '5 minutes')`,
    );

    expect(await jobs.mayStillBeRunning({ pid: 1, instance: 'fresh' })).toBe(true);
    expect(await jobs.mayStillBeRunning({ pid: 2, instance: 'silent' })).toBe(false);
    expect(await jobs.mayStillBeRunning({ pid: process.pid, instance: 'never-seen' })).toBe(false);
  });
});
