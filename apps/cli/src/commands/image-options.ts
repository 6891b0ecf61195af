import { Option, type Command } from 'commander';
import type { GenerateImageInput, ImageEngine, ImageResult, ProgressEvent } from '@imagegen/core';
import { integerOption } from '../arguments';
import type { CliContext } from '../context';
import { copyOut } from '../copy-out';
import { formatBytes, formatUsd } from '../output';
import { startActivity } from '../spinner';

/** The options `generate` and `edit` share: every generation option of the MCP tools, plus --out. */
export interface ImageCommandOptions {
  model?: string;
  n?: number;
  size?: string;
  quality?: string;
  style?: string;
  background?: string;
  format?: 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';
  compression?: number;
  moderation?: string;
  partialImages?: number;
  complexity?: string;
  frames?: number;
  frameDuration?: number;
  safetyIdentifier?: string;
  fresh?: boolean;
  thinkingLevel?: string;
  searchGrounding?: boolean;
  /** `false` when --no-cache is given. */
  cache?: boolean;
  out?: string;
}

export function addImageOptions(command: Command): Command {
  return command
    .option('-m, --model <id>', 'model id or alias (see `imagegen models`); default IMAGES__DEFAULT_MODEL')
    .option('-n, --n <count>', 'how many images, 1-10', integerOption('--n', 1, 10))
    .option('-s, --size <WxH>', 'size, e.g. 1024x1024, 1536x1024, 1200x630 (cropped exactly), or auto')
    .option('-q, --quality <quality>', 'auto, low, medium, high (xhigh, max on some models)')
    .addOption(
      new Option('--style <style>', 'folded into the prompt (no current model has a style parameter)').choices(['vivid', 'natural']),
    )
    .addOption(new Option('--background <background>', 'transparent needs png or webp').choices(['auto', 'transparent', 'opaque']))
    .addOption(
      new Option('-f, --format <format>', 'output format; gif (animated) and svg (vector, one image) on models that list them').choices([
        'png',
        'jpeg',
        'webp',
        'gif',
        'svg',
      ]),
    )
    .addOption(
      new Option('--complexity <level>', 'how much the model plans the picture, apart from quality (on models that list it)').choices([
        'low',
        'medium',
        'high',
      ]),
    )
    .option('--frames <2-16>', 'gif only: frames of the animation (default 9)', integerOption('--frames', 2, 16))
    .option(
      '--frame-duration <ms>',
      'gif only: delay per frame in milliseconds (default 200)',
      integerOption('--frame-duration', 10, 655_350),
    )
    .option(
      '--safety-identifier <id>',
      'stable, non-identifying id of the end user for OpenAI; default PROVIDERS__OPENAI__SAFETY_IDENTIFIER',
    )
    .option('--compression <0-100>', 'compression for jpeg and webp (100 = best quality)', integerOption('--compression', 0, 100))
    .addOption(new Option('--moderation <level>', 'provider moderation strictness').choices(['auto', 'low']))
    .option(
      '--partial-images <0-3>',
      'stream up to 3 partial images while generating (noted as they arrive; about 100 output tokens each, in the estimate)',
      integerOption('--partial-images', 0, 3),
    )
    .addOption(
      new Option(
        '--thinking-level <level>',
        'how much the model reasons before drawing, on models that have it (see `models show`)',
      ).choices(['minimal', 'low', 'medium', 'high', 'xhigh']),
    )
    .option('--search-grounding', 'ground the image in Google Search results, on models that have it; each search query is billed')
    .option('--fresh', 'skip the cache and make a new image')
    .option('--no-cache', 'the same as --fresh')
    .option(
      '-o, --out <FILE|DIR>',
      'also copy the result here (a folder, or a file name; -1, -2, … are added for several images); the stored copy stays',
    );
}

/** The request fields the shared options set. */
export function requestFields(options: ImageCommandOptions): Omit<GenerateImageInput, 'prompt'> {
  return {
    ...(options.model ? { model: options.model } : {}),
    ...(options.n ? { n: options.n } : {}),
    ...(options.size ? { size: options.size } : {}),
    ...(options.quality ? { quality: options.quality } : {}),
    ...(options.style ? { style: options.style } : {}),
    ...(options.background ? { background: options.background } : {}),
    ...(options.format ? { outputFormat: options.format } : {}),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.moderation ? { moderation: options.moderation } : {}),
    ...(options.partialImages ? { partialImages: options.partialImages } : {}),
    ...(options.complexity ? { complexity: options.complexity } : {}),
    ...(options.frames === undefined ? {} : { frameCount: options.frames }),
    ...(options.frameDuration === undefined ? {} : { frameDurationMs: options.frameDuration }),
    ...(options.safetyIdentifier ? { safetyIdentifier: options.safetyIdentifier } : {}),
    ...(options.fresh || options.cache === false ? { fresh: true } : {}),
    ...(options.thinkingLevel ? { thinkingLevel: options.thinkingLevel } : {}),
    ...(options.searchGrounding ? { searchGrounding: true } : {}),
  };
}

/**
 * Runs one generate or edit call with progress on stderr, Ctrl-C cancellation, the optional --out copy, and prints
 * the result (snake_case JSON like the MCP tools' structured output, or a few lines for a person).
 */
export async function runImageCall(
  context: CliContext,
  verb: 'Generating' | 'Editing',
  options: ImageCommandOptions,
  call: (engine: ImageEngine, callOptions: { signal: AbortSignal; onProgress: (event: ProgressEvent) => void }) => Promise<ImageResult>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const output = context.output;
  const signal = context.signal;
  await context.withEngine(async (engine) => {
    const activity = startActivity(output, `${verb}…`);
    let result: ImageResult;
    let copied: string[] = [];
    try {
      result = await call(engine, {
        signal,
        onProgress: (event) => {
          if (event.stage === 'partial_image' && event.partialImage) {
            const partial = event.partialImage;
            activity.note(
              `partial image ${partial.partialIndex + 1} of image ${partial.imageIndex + 1} received (${formatBytes(partial.data.length)})`,
            );
          } else {
            activity.update(event.message);
          }
        },
      });
      if (options.out) {
        const outcome = await copyOut(result.images, options.out, { cwd: process.cwd(), signal });
        copied = outcome.paths;
        for (const warning of outcome.warnings) output.warn(warning);
      }
    } catch (error) {
      activity.stop();
      throw error;
    }
    const count = result.images.length;
    activity.succeed(
      result.fromCache
        ? `Served ${count} image(s) from the cache`
        : `${verb === 'Generating' ? 'Generated' : 'Edited'} ${count} image(s) with ${result.model}`,
    );
    const color = output.color;
    output.result(
      {
        task_id: result.taskId,
        model: result.model,
        provider: result.provider,
        from_cache: result.fromCache,
        estimated_cost_usd: result.estimatedCostUsd ?? null,
        actual_cost_usd: result.actualCostUsd ?? null,
        prompt: result.prompt,
        parameters: result.parameters,
        warnings: result.warnings.map((warning) => warning.message),
        ...extra,
        images: result.images.map((image, index) => ({
          image_id: image.imageId,
          resource_uri: image.resourceUri,
          file_path: image.filePath ?? null,
          ...(copied[index] ? { out_path: copied[index] } : {}),
          width: image.width,
          height: image.height,
          format: image.format,
          bytes: image.byteLength,
          created_at: image.createdAt,
          ...(image.grounding === undefined
            ? {}
            : { grounding: { search_queries: image.grounding.searchQueries, sources: image.grounding.sources } }),
          ...(image.conversationTurns === undefined ? {} : { conversation_turns: image.conversationTurns }),
        })),
      },
      () =>
        [
          ...result.images.flatMap((image, index) => [
            `${color.cyan(image.imageId)}  ${image.width}x${image.height} ${image.format}  ${formatBytes(image.byteLength)}  ${image.filePath ?? image.resourceUri}`,
            ...(copied[index] ? [`  copied to ${copied[index]}`] : []),
            ...(image.grounding
              ? [
                  `  grounded with Google Search: ${image.grounding.searchQueries.map((query) => `"${query}"`).join(', ') || 'no search was run'}`,
                  ...image.grounding.sources.map((source) => `    ${source.title ? `${source.title}: ` : ''}${source.uri}`),
                ]
              : []),
            ...(image.conversationTurns === undefined
              ? []
              : [color.dim(`  continue in conversation: imagegen edit ${image.imageId} "…" --continue-conversation`)]),
          ]),
          ...result.warnings.map((warning) => `${color.yellow('warning:')} ${warning.message}`),
          result.fromCache
            ? 'served from cache (no cost)'
            : `cost: ${formatUsd(result.actualCostUsd ?? result.estimatedCostUsd)}${result.actualCostUsd !== undefined && result.estimatedCostUsd !== undefined ? ` (estimated ${formatUsd(result.estimatedCostUsd)})` : ''}`,
        ].join('\n'),
    );
  });
}
