import { z } from 'zod';
import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';
import { ImageGenError, type Logger } from '@imagegen/common';
import type { GenerationHandle, GenerationJob, ImageEngine, ImageResult } from '@imagegen/core';
import { buildImageResult } from '../image-content';
import type { McpServerSettings } from '../server-settings';
import { toolErrorResult } from '../tool-errors';
import { describeImageResult, imageOutputSchema } from './generate-image';

export const getGenerationToolName = 'get_generation';

/** Below the minute after which Claude Desktop and claude.ai cut a tool call. */
export const defaultWaitSeconds = 45;
const longestWaitSeconds = 600;

/** The `include_data_url` argument of generate_image, edit_image and get_generation. */
export const includeDataUrlInput = z
  .boolean()
  .optional()
  .describe('Also put the full image as a data URL in image_url, when it fits the byte budget (the inline image stays)');

/** The `wait_seconds` argument of generate_image, edit_image and get_generation. */
export const waitSecondsInput = z
  .number()
  .int()
  .min(0)
  .max(longestWaitSeconds)
  .optional()
  .describe(
    'Seconds to wait for the image before answering with a job_id to fetch later with get_generation (the generation goes on either way). Default: the server setting IMAGES__WAIT_SECONDS.',
  );

/**
 * The output of the image tools: every image field is optional because a generation still running answers with only
 * `job_id` and `status: "running"`. A function: generate-image.ts and this file import each other.
 */
export const jobAwareOutputSchema = () =>
  imageOutputSchema.partial().extend({
    job_id: z.string().optional().describe('Id of the generation job; pass it to get_generation'),
    status: z.enum(['running', 'completed', 'failed']).optional().describe('running: call get_generation with job_id'),
    partial_image: z
      .object({ image_index: z.number(), partial_index: z.number(), received: z.number(), mime_type: z.string() })
      .optional()
      .describe('While running with partial_images: the newest rough preview, which is also an inline image block'),
    shared_call: z.boolean().optional().describe('True when this request shared an identical request’s call (no new cost)'),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  });

const waitMsOf = (waitSeconds: number | undefined, settings: McpServerSettings) =>
  Math.min(longestWaitSeconds, waitSeconds ?? settings.defaultWaitSeconds ?? defaultWaitSeconds) * 1000;

/**
 * The result of a generation still running: a normal (non-error) answer telling the model how to get the image, with
 * the newest partial image (a rough preview, small by nature) when the job streams them, for the image view.
 */
export function runningJobResult(jobId: string, partial?: GenerationJob['latestPartial']): CallToolResult {
  return {
    content: [
      {
        type: 'text',
        text:
          `The image is still being generated (job ${jobId}); it will be stored when done. ` +
          `Call get_generation with job_id "${jobId}" to get it (it waits up to wait_seconds). ` +
          'Do not call generate_image again for it: that would wait for the same job anyway.' +
          (partial ? ` A rough preview (partial image ${partial.received}) is attached.` : ''),
      },
      ...(partial ? [{ type: 'image' as const, data: Buffer.from(partial.data).toString('base64'), mimeType: partial.mimeType }] : []),
    ],
    structuredContent: {
      job_id: jobId,
      status: 'running',
      ...(partial
        ? {
            partial_image: {
              image_index: partial.imageIndex,
              partial_index: partial.partialIndex,
              received: partial.received,
              mime_type: partial.mimeType,
            },
          }
        : {}),
    },
  };
}

/**
 * Waits up to the tool's `wait_seconds` for a generation: its result, or — when it runs longer and has a job id —
 * the job id (the generation goes on; its id was handed out, so it is never given up for lack of a waiter).
 */
export async function resultWithinWait(
  handle: GenerationHandle,
  waitSeconds: number | undefined,
  settings: McpServerSettings,
): Promise<{ result: ImageResult } | { jobId: string }> {
  const { jobId } = handle;
  if (jobId === undefined) return { result: await handle.result };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), waitMsOf(waitSeconds, settings));
  });
  try {
    const outcome = await Promise.race([handle.result, timedOut]);
    if (outcome !== 'timed out') return { result: outcome };
    // Whatever becomes of it is reported through get_generation; the client has its id, so it must not be given up
    // when this request ends before the job reached the provider.
    handle.handOut?.();
    handle.result.catch(() => undefined);
    return { jobId };
  } finally {
    clearTimeout(timer);
  }
}

/** What a generate or edit tool answers for its generation: the image result, or the running job's id. */
export async function answerWithinWait(
  handle: GenerationHandle,
  options: { waitSeconds: number | undefined; includeDataUrl: boolean | undefined; style: string | undefined },
  settings: McpServerSettings,
): Promise<CallToolResult> {
  const outcome = await resultWithinWait(handle, options.waitSeconds, settings);
  if ('jobId' in outcome) return runningJobResult(outcome.jobId);
  const { result } = outcome;
  return buildImageResult(
    result,
    describeImageResult(result, settings, options.style),
    settings,
    options.includeDataUrl ?? settings.includeDataUrl,
  );
}

export function registerGetGenerationTool(server: McpServer, engine: ImageEngine, settings: McpServerSettings, logger: Logger): void {
  server.registerTool(
    getGenerationToolName,
    {
      title: 'Get generation',
      description:
        'The result of a generate_image or edit_image call that answered with a job_id because it ran longer than its wait: waits up to wait_seconds, then returns status running (call again), failed (with the error) or completed (with the image, like generate_image).',
      inputSchema: z.object({
        job_id: z.string().describe('The job_id a generate_image or edit_image result named'),
        wait_seconds: waitSecondsInput,
        include_data_url: includeDataUrlInput,
        return_on_partial: z
          .boolean()
          .optional()
          .describe('Answer as soon as a new partial image arrives instead of waiting the whole wait_seconds (used by the image view)'),
      }),
      outputSchema: jobAwareOutputSchema(),
      annotations: { title: 'Get generation', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, context) => {
      try {
        const job = await engine.getJob(args.job_id, {
          waitMs: waitMsOf(args.wait_seconds, settings),
          signal: context.mcpReq.signal,
          ...(args.return_on_partial ? { untilPartial: true } : {}),
        });
        if (!job) {
          throw new ImageGenError({
            code: 'not_found',
            message: `There is no generation job ${args.job_id}. Use the job_id a generate_image or edit_image result named.`,
            details: { setting: 'job_id' },
          });
        }
        if (job.status === 'running') return runningJobResult(job.jobId, job.latestPartial);
        if (job.status === 'failed' || !job.result) {
          const error = job.error ?? { code: 'internal', message: 'The generation failed.' };
          return {
            isError: true,
            content: [{ type: 'text', text: `The generation ${job.jobId} failed: ${error.message}\n(error code: ${error.code})` }],
            structuredContent: { job_id: job.jobId, status: 'failed', error },
          };
        }
        return await buildImageResult(
          job.result,
          { ...describeImageResult(job.result, settings, undefined), job_id: job.jobId, status: 'completed' },
          settings,
          args.include_data_url ?? settings.includeDataUrl,
        );
      } catch (error) {
        return toolErrorResult(error, logger);
      }
    },
  );
}
