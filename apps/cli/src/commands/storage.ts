import type { Command } from 'commander';
import type { CliContext } from '../context';
import { formatBytes, table } from '../output';

export function registerStorageCommands(program: Command, context: CliContext): void {
  program
    .command('stats')
    .description('storage totals: images, bytes per format, oldest and newest, last cleanup')
    .addHelpText('after', '\nExamples:\n  $ imagegen stats\n  $ imagegen --json stats | jq .totalBytes')
    .action(async () => {
      await context.withEngine(async (engine) => {
        const stats = await engine.stats();
        const { config } = await context.settings();
        context.output.result({ ...stats, basePath: config.storage.base_path }, () =>
          [
            `${stats.imageCount} image(s), ${formatBytes(stats.totalBytes)} in ${config.storage.base_path}`,
            ...Object.entries(stats.byFormat)
              .filter(([, totals]) => totals.count > 0)
              .map(([format, totals]) => `  ${format.padEnd(5)} ${String(totals.count).padStart(6)}  ${formatBytes(totals.bytes)}`),
            ...(stats.oldest ? [`oldest: ${stats.oldest.imageId} (${stats.oldest.createdAt})`] : []),
            ...(stats.newest ? [`newest: ${stats.newest.imageId} (${stats.newest.createdAt})`] : []),
            stats.lastCleanup
              ? `last cleanup: ${stats.lastCleanup.at}, removed ${stats.lastCleanup.removedImages} image(s), ${formatBytes(stats.lastCleanup.removedBytes)}`
              : 'last cleanup: never',
          ].join('\n'),
        );
      });
    });

  program
    .command('cleanup')
    .description('apply the retention policy now (STORAGE__RETENTION_DAYS, STORAGE__MAX_SIZE_GB) and remove stray files')
    .option('--dry-run', 'only report what would be removed')
    .addHelpText(
      'after',
      `
Examples:
  $ imagegen cleanup --dry-run
  $ imagegen cleanup --set STORAGE__RETENTION_DAYS=7
  $ imagegen --json cleanup --dry-run | jq '.removedImages | length'`,
    )
    .action(async (options: { dryRun?: boolean }) => {
      const { config } = await context.settings();
      await context.withEngine(async (engine) => {
        const report = await engine.cleanup({
          dryRun: Boolean(options.dryRun),
          retentionDays: config.storage.retention_days,
          maxSizeBytes: Math.round(config.storage.max_size_gb * 1024 ** 3),
          signal: context.signal,
        });
        const verb = report.dryRun ? 'Would remove' : 'Removed';
        context.output.result(report, () =>
          [
            `${verb} ${report.removedImages.length} image(s) and ${report.removedFiles.length} stray file(s) (${formatBytes(report.removedBytes)}).`,
            ...(report.removedImages.length + report.removedFiles.length > 0
              ? [
                  table([
                    ...report.removedImages.map((image) => [
                      `  ${image.imageId}`,
                      image.createdAt,
                      image.reason === 'expired' ? 'expired' : 'over the size cap',
                      formatBytes(image.bytes),
                    ]),
                    ...report.removedFiles.map((file) => [`  ${file.path}`, '', file.reason.replace('_', ' '), formatBytes(file.bytes)]),
                  ]),
                ]
              : []),
            `${report.remainingImages} image(s), ${formatBytes(report.remainingBytes)} ${report.dryRun ? 'would remain' : 'remain'}.`,
            ...report.failures.map(
              (failure) => `${context.output.color.yellow('warning:')} could not remove ${failure.path}: ${failure.reason}`,
            ),
          ].join('\n'),
        );
      });
    });
}
