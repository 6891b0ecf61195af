import { z } from 'zod';
import type { GenerateImageInput } from '@imagegen/core';

/**
 * Inputs generate_image and edit_image share for the abilities only some models have. The tools pass them on; the
 * engine refuses each on a model without it (the message names the setting), before anything is paid.
 */
export const lateAbilityInputs = {
  complexity: z
    .enum(['low', 'medium', 'high'])
    .optional()
    .describe('How much the model plans the picture, apart from quality (no extra charge); on models whose listing shows complexity'),
  frame_count: z.number().int().min(2).max(16).optional().describe('gif only: frames of the animation (2–16, default 9)'),
  frame_duration_ms: z.number().int().min(10).max(655_350).optional().describe('gif only: delay per frame in ms (default 200)'),
  partial_images: z
    .number()
    .int()
    .min(0)
    .max(3)
    .optional()
    .describe(
      'Stream up to 3 rough previews while the image is made (shown by the image view; about 100 output tokens each, in the estimate)',
    ),
};

/** The engine fields of {@link lateAbilityInputs}. */
export function lateAbilityArguments(args: {
  complexity?: string | undefined;
  frame_count?: number | undefined;
  frame_duration_ms?: number | undefined;
  partial_images?: number | undefined;
}): Pick<GenerateImageInput, 'complexity' | 'frameCount' | 'frameDurationMs' | 'partialImages'> {
  return {
    ...(args.complexity === undefined ? {} : { complexity: args.complexity }),
    ...(args.frame_count === undefined ? {} : { frameCount: args.frame_count }),
    ...(args.frame_duration_ms === undefined ? {} : { frameDurationMs: args.frame_duration_ms }),
    ...(args.partial_images === undefined ? {} : { partialImages: args.partial_images }),
  };
}
