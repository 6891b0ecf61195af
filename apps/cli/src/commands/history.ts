import type { Command } from 'commander';
import { integerOption, positiveNumberOption } from '../arguments';
import type { CliContext } from '../context';
import { openWithViewer } from '../open-file';
import { formatBytes, formatUsd, table } from '../output';

export function registerHistoryCommands(program: Command, context: CliContext): void {
  program
    .command('history')
    .description('stored images, newest first')
    .option('-l, --limit <n>', 'how many, 1-1000', integerOption('--limit', 1, 1000), 10)
    .option('-d, --days <n>', 'only the last N days', positiveNumberOption('--days'))
    .option('--cursor <cursor>', 'continue after the previous page (its nextCursor)')
    .addHelpText(
      'after',
      `
Examples:
  $ imagegen history
  $ imagegen history --days 1 --limit 50
  $ imagegen --json history | jq -r '.images[].filePath'`,
    )
    .action(async (options: { limit: number; days?: number; cursor?: string }) => {
      await context.withEngine(async (engine) => {
        const page = await engine.history({
          limit: options.limit,
          ...(options.days ? { days: options.days } : {}),
          ...(options.cursor ? { cursor: options.cursor } : {}),
        });
        const color = context.output.color;
        context.output.result(page, () => {
          if (page.images.length === 0) return options.days || options.cursor ? 'No images match.' : 'No images stored yet.';
          return [
            table(
              page.images.map((image) => [
                color.cyan(image.imageId),
                image.createdAt.replace('T', ' ').slice(0, 19),
                image.model,
                formatBytes(image.sizeBytes),
                image.promptExcerpt,
              ]),
            ),
            color.dim(
              `${page.images.length} of ${page.totalCount} image(s)${page.nextCursor ? `; next page: --cursor ${page.nextCursor}` : ''}`,
            ),
          ].join('\n');
        });
      });
    });

  program
    .command('show')
    .description("one stored image's metadata; --open shows it in the platform's image viewer")
    .argument('<id>', 'image id (img_…) or generated-images:// URI')
    .option('--open', 'open the image with the platform viewer (xdg-open, open, start)')
    .addHelpText(
      'after',
      `
Examples:
  $ imagegen show img_20260101120000_0123456789ab
  $ imagegen show img_20260101120000_0123456789ab --open
  $ imagegen --json show img_20260101120000_0123456789ab | jq .metadata.cost_info`,
    )
    .action(async (id: string, options: { open?: boolean }) => {
      await context.withEngine(async (engine) => {
        const image = await engine.getImage(id);
        const metadata = image.metadata;
        let openedWith: string | undefined;
        if (options.open && image.filePath) openedWith = await openWithViewer(image.filePath);
        const color = context.output.color;
        const labels = (metadata.extra['labels'] ?? {}) as Record<string, unknown>;
        context.output.result(
          {
            imageId: image.imageId,
            filePath: image.filePath ?? null,
            mimeType: image.mimeType,
            metadata,
            ...(openedWith ? { openedWith } : {}),
          },
          () =>
            [
              color.bold(image.imageId),
              `file:        ${image.filePath ?? '(not on a local disk)'}`,
              `created:     ${metadata.created_at}`,
              `model:       ${metadata.model_used}${metadata.model_requested !== metadata.model_used ? ` (asked for ${metadata.model_requested})` : ''} via ${metadata.provider}`,
              `image:       ${metadata.file_info.dimensions} ${metadata.file_info.format}, ${formatBytes(metadata.file_info.size_bytes)}`,
              `parameters:  ${Object.entries(metadata.parameters)
                .filter(([key]) => key !== 'model')
                .map(([key, value]) => `${key}=${String(value)}`)
                .join(' ')}`,
              `cost:        ${formatUsd(metadata.cost_info.actual_cost_usd ?? undefined)} (estimated ${formatUsd(metadata.cost_info.estimated_cost ?? undefined)})`,
              ...(metadata.task_id ? [`task:        ${metadata.task_id}`] : []),
              ...(metadata.source_image_ids.length > 0 ? [`edited from: ${metadata.source_image_ids.join(', ')}`] : []),
              ...(Object.keys(labels).length > 0
                ? [
                    `labels:      ${Object.entries(labels)
                      .map(([key, value]) => `${key}=${String(value)}`)
                      .join(' ')}`,
                  ]
                : []),
              ...(metadata.provenance.c2pa_present
                ? ['provenance:  C2PA manifest present']
                : metadata.provenance.c2pa_removed
                  ? ['provenance:  the provider’s C2PA manifest was removed by resizing or converting']
                  : []),
              ...metadata.warnings.map((warning) => `${color.yellow('warning:')}     ${warning}`),
              `prompt:      ${metadata.prompt}`,
              ...(openedWith ? [color.dim(`opened with ${openedWith}`)] : []),
            ].join('\n'),
        );
      });
    });
}
