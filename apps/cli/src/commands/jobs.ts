import type { Command } from 'commander';
import { integerOption } from '../arguments';
import type { CliContext } from '../context';
import { table } from '../output';

/** `imagegen jobs`: generation jobs (the MCP server's asynchronous path), newest first, as recorded beside the images. */
export function registerJobsCommand(program: Command, context: CliContext): void {
  program
    .command('jobs')
    .description('generation jobs, newest first: running, completed (with their images) or failed (interrupted by a restart included)')
    .option('-l, --limit <n>', 'how many, 1-1000', integerOption('--limit', 1, 1000), 20)
    .addHelpText(
      'after',
      `
A generation that runs longer than an MCP client waits answers with a job id; the client fetches the image with
get_generation. Jobs outlive a restart: one interrupted by it is listed as failed (interrupted).

Examples:
  $ imagegen jobs
  $ imagegen --json jobs | jq '.jobs[] | select(.status == "failed")'`,
    )
    .action(async (options: { limit: number }) => {
      await context.withEngine(async (engine) => {
        const jobs = await engine.listJobs(options.limit);
        const color = context.output.color;
        context.output.result({ jobs }, () =>
          jobs.length === 0
            ? 'No generation jobs yet.'
            : table(
                jobs.map((job) => [
                  color.cyan(job.jobId),
                  job.createdAt.replace('T', ' ').slice(0, 19),
                  job.status === 'failed' ? color.red(job.error?.code === 'interrupted' ? 'interrupted' : 'failed') : job.status,
                  job.model,
                  job.promptExcerpt,
                ]),
              ),
        );
      });
    });
}
