import type { Command } from 'commander';
import type { CliContext } from '../context';

export function registerDatabaseCommands(program: Command, context: CliContext): void {
  const database = program
    .command('db')
    .description('the PostgreSQL database of DATABASE__URL (image index, cost ledger, generation jobs)')
    .addHelpText('after', '\nExamples:\n  $ DATABASE__URL=postgres://imagegen@db/imagegen imagegen db migrate');

  database
    .command('migrate')
    .description('bring the database schema up to date (safe while replicas run or start: one migrates, the others wait)')
    .addHelpText(
      'after',
      `
Servers migrate at start unless DATABASE__MIGRATE_ON_START=false; run this before a rolling upgrade when they do not.

Examples:
  $ imagegen db migrate
  $ imagegen --json db migrate | jq .applied`,
    )
    .action(async () => {
      const { ImageGenError, describeDatabaseUrl, migrateDatabase, openPostgresDatabase } = await import('@imagegen/core');
      const { config } = await context.settings();
      const url = config.database.url;
      if (url === undefined) {
        throw new ImageGenError({
          code: 'invalid_config',
          message:
            'DATABASE__URL is not set: there is no database to migrate (without it the ledger and jobs are files beside the images).',
          details: { setting: 'DATABASE__URL' },
        });
      }
      const logger = await context.logger();
      const handle = await openPostgresDatabase({ url, maxConnections: 1, logger });
      try {
        const report = await migrateDatabase(handle, logger);
        const where = `${describeDatabaseUrl(url)} (schema ${handle.schema})`;
        context.output.result({ database: describeDatabaseUrl(url), schema: handle.schema, ...report }, () =>
          report.applied.length === 0
            ? `${where} is up to date (${report.current.length} migrations).`
            : `Applied ${report.applied.join(', ')} to ${where}.`,
        );
      } finally {
        await handle.close();
      }
    });
}
