/** `imagegen db migrate`, run as the built binary against the loopback PostgreSQL. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createCliHarness, type CliHarness } from './test-support/cli-harness';

const databaseUrl = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `imagegen_cli_${process.pid}_${randomBytes(4).toString('hex')}`;

async function sql(statement: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('imagegen db migrate', () => {
  let cli: CliHarness;
  beforeAll(async () => {
    cli = createCliHarness('http://127.0.0.1:9');
    await sql(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    cli.cleanup();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('creates the schema once and then reports it up to date, without showing the password', async () => {
    const env = {
      DATABASE__URL: `postgres://postgres:not-shown@127.0.0.1:5432/test?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    };

    const first = await cli.run(['--json', 'db', 'migrate'], { env });
    const second = await cli.run(['db', 'migrate'], { env });

    expect(first.status).toBe(0);
    expect(cli.json<{ applied: string[]; schema: string }>(first)).toMatchObject({
      schema,
      applied: ['0001-images', '0002-cost-ledger', '0003-generation-jobs', '0004-principal-budgets'],
    });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`127.0.0.1:5432/test (schema ${schema}) is up to date (4 migrations).`);
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain('not-shown');
  });

  it('says that DATABASE__URL is needed when it is not set', async () => {
    const result = await cli.run(['db', 'migrate']);

    expect(result.status).toBe(78);
    expect(result.stderr).toContain('DATABASE__URL is not set');
  });
});
