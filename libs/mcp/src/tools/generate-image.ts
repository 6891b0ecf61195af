import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import type { ImageEngine, ImageResult } from '@imagegen/core';
import type { Logger } from '@imagegen/common';
import { imageLocations, previewRequestFor } from '../image-content';
import { startProgress } from '../progress-reporter';
import { traceCorrelation } from '../request-context';
import type { McpServerSettings } from '../server-settings';
import { toolErrorResult } from '../tool-errors';
import { imageViewUri, viewMeta } from '../app-views';
import { answerWithinWait, includeDataUrlInput, jobAwareOutputSchema, waitSecondsInput } from './get-generation';
import { lateAbilityArguments, lateAbilityInputs } from './late-ability-inputs';

export const generateImageToolName = 'generate_image';

/** Shared by generate_image and edit_image: the seed's output fields plus warnings, cache and all images. */
export const imageOutputSchema = z.object({
  task_id: z.string().describe('Id of this request'),
  image_id: z.string().describe('Id of the (first) image'),
  image_url: z
    .string()
    .optional()
    .describe('Complete data URL of the first image: only with include_data_url, and only when it fits the byte budget'),
  resource_uri: z.string().describe('MCP resource URI of the first image: generated-images://{image_id}'),
  file_path: z.string().optional().describe('Where the first image is on the server’s disk'),
  http_url: z.string().optional().describe('HTTP URL of the first image, when served over HTTP'),
  metadata: z.object({
    size: z.string(),
    quality: z.string().optional(),
    style: z.string().optional(),
    prompt: z.string(),
    created_at: z.string(),
    cost_estimate: z.number().optional(),
    actual_cost: z.number().optional(),
    file_size_bytes: z.number(),
    dimensions: z.string(),
    format: z.string(),
    model: z.string(),
  }),
  images: z.array(
    z.object({
      image_id: z.string(),
      resource_uri: z.string(),
      file_path: z.string().optional(),
      http_url: z.string().optional(),
      dimensions: z.string(),
      format: z.string(),
      file_size_bytes: z.number(),
      grounding: z
        .object({ search_queries: z.array(z.string()), sources: z.array(z.object({ title: z.string().optional(), uri: z.string() })) })
        .optional()
        .describe('What grounding with Google Search searched for and drew on'),
      conversation_turns: z.number().optional().describe('Turns of the conversation kept for continue_conversation'),
    }),
  ),
  warnings: z.array(z.string()),
  from_cache: z.boolean(),
});

/** The structured result both image tools return. */
export function describeImageResult(result: ImageResult, settings: McpServerSettings, style: string | undefined): Record<string, unknown> {
  const first = result.images[0];
  if (!first) throw new Error('The engine returned no image.');
  return {
    task_id: result.taskId,
    image_id: first.imageId,
    ...imageLocations(first, settings),
    metadata: {
      size: String(result.parameters['size'] ?? `${first.width}x${first.height}`),
      ...(result.parameters['quality'] ? { quality: String(result.parameters['quality']) } : {}),
      ...(style ? { style } : {}),
      prompt: result.prompt,
      created_at: first.createdAt,
      ...(result.estimatedCostUsd === undefined ? {} : { cost_estimate: result.estimatedCostUsd }),
      ...(result.actualCostUsd === undefined ? {} : { actual_cost: result.actualCostUsd }),
      file_size_bytes: first.byteLength,
      dimensions: `${first.width}x${first.height}`,
      format: first.format.toUpperCase(),
      model: result.model,
    },
    images: result.images.map((image) => ({
      image_id: image.imageId,
      ...imageLocations(image, settings),
      dimensions: `${image.width}x${image.height}`,
      format: image.format,
      file_size_bytes: image.byteLength,
      ...(image.grounding === undefined
        ? {}
        : { grounding: { search_queries: image.grounding.searchQueries, sources: image.grounding.sources } }),
      ...(image.conversationTurns === undefined ? {} : { conversation_turns: image.conversationTurns }),
    })),
    warnings: result.warnings.map((warning) => warning.message),
    from_cache: result.fromCache,
    ...(result.sharedCall ? { shared_call: true } : {}),
  };
}

/** Inputs for the abilities only some models have (Gemini today); refused with a clear message on the others. */
export const modelAbilityInputs = {
  thinking_level: z
    .enum(['minimal', 'low', 'medium', 'high', 'xhigh'])
    .optional()
    .describe(
      'How much the model reasons before drawing, on models whose listing shows thinking_levels (gemini-nano-banana-2.1: minimal or high)',
    ),
  search_grounding: z
    .boolean()
    .optional()
    .describe(
      'Ground the image in Google Search results (current facts, real places), on models whose listing shows search_grounding; each search query is billed',
    ),
};

/** The engine's fields for {@link modelAbilityInputs}. */
export function modelAbilityRequest(args: { thinking_level?: string | undefined; search_grounding?: boolean | undefined }) {
  return {
    ...(args.thinking_level === undefined ? {} : { thinkingLevel: args.thinking_level }),
    ...(args.search_grounding === true ? { searchGrounding: true } : {}),
  };
}

export function registerGenerateImageTool(server: McpServer, engine: ImageEngine, settings: McpServerSettings, logger: Logger): void {
  server.registerTool(
    generateImageToolName,
    {
      title: 'Generate image',
      description:
        'Generate images from a text description with OpenAI GPT image or Google Gemini image models. The image is stored on the server; the result names its resource URI and file path, shows a preview within the size budget, and links the full image.',
      inputSchema: z.object({
        prompt: z.string().describe('What to draw'),
        model: z.string().optional().describe('Model id, e.g. gpt-image-2 (default), gpt-image-2.5-flare; see list_available_models'),
        quality: z.string().optional().describe('auto, low, medium, high (xhigh, max on gpt-image-2.5 models)'),
        size: z.string().optional().describe('WxH, e.g. 1536x1024, 1024x1536, 1024x1024, 1200x630 (cropped exactly), or auto'),
        style: z.string().optional().describe('vivid or natural: folded into the prompt, since current models have no style parameter'),
        moderation: z.string().optional().describe('auto or low'),
        output_format: z
          .enum(['png', 'jpeg', 'webp', 'gif', 'svg'])
          .optional()
          .describe('png (default), jpeg or webp; gif (animated) or svg (vector, n=1) on models whose listing shows them'),
        background: z.string().optional().describe('auto, transparent (png/webp) or opaque'),
        compression: z.number().int().min(0).max(100).optional().describe('0–100 for jpeg/webp'),
        n: z.number().int().min(1).max(10).optional().describe('How many images (1–10)'),
        ...lateAbilityInputs,
        fresh: z.boolean().optional().describe('Skip the cache and make a new image'),
        ...modelAbilityInputs,
        include_data_url: includeDataUrlInput,
        wait_seconds: waitSecondsInput,
      }),
      outputSchema: jobAwareOutputSchema(),
      _meta: viewMeta(imageViewUri),
      annotations: { title: 'Generate image', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, context) => {
      const progress = startProgress(context);
      try {
        const handle = await engine.startGenerate(
          {
            prompt: args.prompt,
            ...(args.model ? { model: args.model } : {}),
            ...(args.quality ? { quality: args.quality } : {}),
            ...(args.size ? { size: args.size } : {}),
            ...(args.style ? { style: args.style } : {}),
            ...(args.moderation ? { moderation: args.moderation } : {}),
            ...(args.output_format ? { outputFormat: args.output_format } : {}),
            ...(args.background ? { background: args.background } : {}),
            ...(args.compression === undefined ? {} : { compression: args.compression }),
            ...(args.n ? { n: args.n } : {}),
            ...lateAbilityArguments(args),
            ...(args.fresh ? { fresh: true } : {}),
            ...modelAbilityRequest(args),
          },
          {
            signal: context.mcpReq.signal,
            onProgress: progress.onProgress,
            preview: previewRequestFor(settings, args.n ?? 1),
            ...traceCorrelation(context),
          },
        );
        return await answerWithinWait(
          handle,
          { waitSeconds: args.wait_seconds, includeDataUrl: args.include_data_url, style: args.style },
          settings,
        );
      } catch (error) {
        return toolErrorResult(error, logger);
      } finally {
        progress.stop();
      }
    },
  );
}
