import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { ImageGenError, type Logger } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { previewRequestFor } from '../image-content';
import { parseImageReference } from '../image-reference';
import { startProgress } from '../progress-reporter';
import { traceCorrelation } from '../request-context';
import type { McpServerSettings } from '../server-settings';
import { toolErrorResult } from '../tool-errors';
import { imageViewUri, viewMeta } from '../app-views';
import { answerWithinWait, includeDataUrlInput, jobAwareOutputSchema, waitSecondsInput } from './get-generation';
import { modelAbilityInputs, modelAbilityRequest } from './generate-image';
import { lateAbilityArguments, lateAbilityInputs } from './late-ability-inputs';

export const editImageToolName = 'edit_image';

export function registerEditImageTool(server: McpServer, engine: ImageEngine, settings: McpServerSettings, logger: Logger): void {
  const reference = `a stored image id (img_…), a generated-images:// URI, a data URL or base64${settings.allowLocalFiles ? ', or a local file path inside the allowed folders' : ''}`;
  server.registerTool(
    editImageToolName,
    {
      title: 'Edit image',
      description: `Edit an image with text instructions, optionally limited to a masked area. Images are given as ${reference}.`,
      inputSchema: z.object({
        prompt: z.string().describe('Edit instructions'),
        image: z.string().optional().describe(`The image to edit: ${reference}`),
        image_data: z.string().optional().describe('Base64 image (the original design’s name for `image`)'),
        images: z.array(z.string()).max(16).optional().describe('Several source images (up to 16), each given like `image`'),
        mask: z
          .string()
          .optional()
          .describe('Mask: PNG with alpha (transparent = edit here) or black-and-white (white = edit here), same size as the first image'),
        mask_data: z.string().optional().describe('Base64 mask (the original design’s name for `mask`)'),
        model: z.string().optional(),
        size: z.string().optional().describe('WxH or auto'),
        quality: z.string().optional(),
        output_format: z
          .enum(['png', 'jpeg', 'webp', 'gif', 'svg'])
          .optional()
          .describe('png (default), jpeg or webp; gif (animated, no mask) or svg (vector, n=1) on models whose listing shows them'),
        markup: z
          .string()
          .optional()
          .describe(
            'Markup overlay: a transparent PNG the size of the first image with the change drawn on it (arrows, circles, notes), given like `image`; on models whose listing shows markup edits; not with a mask',
          ),
        background: z.string().optional(),
        input_fidelity: z.string().optional().describe('high or low, on models that accept it'),
        n: z.number().int().min(1).max(10).optional(),
        ...lateAbilityInputs,
        fresh: z.boolean().optional(),
        ...modelAbilityInputs,
        continue_conversation: z
          .boolean()
          .optional()
          .describe(
            'Continue the conversation of the (first) stored image, on the model that made it (multi-turn editing, models whose listing shows multi_turn_editing): the model sees the earlier turns. Default false: a fresh edit',
          ),
        include_data_url: includeDataUrlInput,
        wait_seconds: waitSecondsInput,
      }),
      outputSchema: jobAwareOutputSchema(),
      _meta: viewMeta(imageViewUri),
      annotations: { title: 'Edit image', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, context) => {
      const progress = startProgress(context);
      try {
        const given = [...(args.image ? [args.image] : []), ...(args.image_data ? [args.image_data] : []), ...(args.images ?? [])];
        if (given.length === 0) {
          throw new ImageGenError({
            code: 'invalid_request',
            message: `Give the image to edit in \`image\`: ${reference}.`,
            details: { setting: 'image' },
          });
        }
        const maskText = args.mask ?? args.mask_data;
        const handle = await engine.startEdit(
          {
            prompt: args.prompt,
            images: given.map((value, index) =>
              parseImageReference(value, settings.allowLocalFiles, given.length > 1 ? `images[${index}]` : 'image'),
            ),
            ...(maskText ? { mask: parseImageReference(maskText, settings.allowLocalFiles, 'mask') } : {}),
            ...(args.markup ? { markup: parseImageReference(args.markup, settings.allowLocalFiles, 'markup') } : {}),
            ...(args.model ? { model: args.model } : {}),
            ...(args.size ? { size: args.size } : {}),
            ...(args.quality ? { quality: args.quality } : {}),
            ...(args.output_format ? { outputFormat: args.output_format } : {}),
            ...(args.background ? { background: args.background } : {}),
            ...(args.input_fidelity ? { inputFidelity: args.input_fidelity } : {}),
            ...(args.n ? { n: args.n } : {}),
            ...lateAbilityArguments(args),
            ...(args.fresh ? { fresh: true } : {}),
            ...modelAbilityRequest(args),
            ...(args.continue_conversation === true ? { continueConversation: true } : {}),
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
          { waitSeconds: args.wait_seconds, includeDataUrl: args.include_data_url, style: undefined },
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
