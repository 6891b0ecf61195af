import type { InputImage, ModelDefinition, RequestWarning, ResolvedSize } from '../contract';
import { invalidRequest } from './invalid-request';
import { formatSize } from './size';

/**
 * The planning of abilities only some models have, read from `capabilities.vendorFeatures`: complexity, GIF and SVG
 * output, markup edits, preview backgrounds. Every refusal happens here, before anything is paid. The restrictions are
 * the ones the openai 7.59 types state (resources/images.d.ts); where they say nothing, the notes below keep the
 * reading that cannot cost money.
 */

type Warn = (type: RequestWarning['type'], setting: string, message: string) => void;

/** Formats that are not pixels the engine can crop, resize or convert. */
export type VendorRenderedFormat = 'gif' | 'svg';

/** GIF delay bounds: the types say "rounds to the nearest 10 ms and caps the encoded delay at 655,350 ms". */
const minFrameDurationMs = 10;
const maxFrameDurationMs = 655_350;

export const isVendorRenderedFormat = (value: unknown): value is VendorRenderedFormat => value === 'gif' || value === 'svg';

/** The model's accepted complexity values, or `undefined` when it takes none. */
export function planComplexity(model: ModelDefinition, requested: string | undefined): string | undefined {
  if (requested === undefined) return undefined;
  const accepted = model.capabilities.vendorFeatures?.complexities ?? [];
  const value = requested.trim().toLowerCase();
  if (accepted.length === 0) {
    throw invalidRequest({
      setting: 'complexity',
      message: `${model.id} takes no complexity setting; leave it out, or choose a model whose listing shows complexity (list_available_models).`,
      allowed: [],
    });
  }
  if (!accepted.includes(value)) {
    throw invalidRequest({
      setting: 'complexity',
      message: `Unknown complexity '${requested}'. ${model.id} accepts: ${accepted.join(', ')}.`,
      allowed: accepted,
    });
  }
  return value;
}

/** What a GIF or SVG request sends, once checked. */
export interface VendorFormatPlan {
  format: VendorRenderedFormat;
  frameCount?: number;
  frameDurationMs?: number;
}

/** The request fields the GIF and SVG restrictions look at. */
export interface VendorFormatRequest {
  operation: 'generate' | 'edit';
  totalImages: number;
  partialImages?: number;
  compression?: number;
  mask?: InputImage;
  frameCount?: number;
  frameDurationMs?: number;
  /** Whether the size asked for needs the engine to crop or resize, which it cannot do to an animation or a drawing. */
  sizeNeedsTranslation: boolean;
  size: ResolvedSize;
}

/**
 * Checks a `gif` or `svg` output request against the model and the API's restrictions: GIF — 2 to 16 frames, no
 * streaming or partial images, no mask, no compression; SVG — n = 1, no streaming or partial images, no compression.
 * `frameCount`/`frameDurationMs` without GIF output are refused. Returns `undefined` for raster formats.
 */
export function planVendorFormat(
  model: ModelDefinition,
  format: string | undefined,
  request: VendorFormatRequest,
): VendorFormatPlan | undefined {
  if (!isVendorRenderedFormat(format)) {
    for (const [setting, value] of [
      ['frameCount', request.frameCount],
      ['frameDurationMs', request.frameDurationMs],
    ] as const) {
      if (value !== undefined) {
        throw invalidRequest({ setting, message: `${setting} applies to GIF output only: add outputFormat gif, or leave it out.` });
      }
    }
    return undefined;
  }
  const offered = model.capabilities.vendorFeatures?.outputFormats ?? [];
  if (!offered.includes(format)) {
    const what = format === 'gif' ? 'animated GIF' : 'SVG';
    const makes: string[] = [...model.capabilities.outputFormats, ...offered];
    throw invalidRequest({
      setting: 'outputFormat',
      message: `${model.id} cannot make ${what} output. It makes: ${makes.join(', ')}.`,
      allowed: makes,
    });
  }
  const name = format === 'gif' ? 'GIF' : 'SVG';
  if ((request.partialImages ?? 0) > 0) {
    throw invalidRequest({
      setting: 'partialImages',
      message: `${name} output cannot be streamed: leave partialImages out (or 0).`,
      allowed: { min: 0, max: 0 },
    });
  }
  if (request.compression !== undefined) {
    throw invalidRequest({ setting: 'compression', message: `${name} output takes no compression setting: leave it out.` });
  }
  if (request.sizeNeedsTranslation) {
    throw invalidRequest({
      setting: 'size',
      message: `${model.id} cannot make ${formatSize(request.size)} exactly, and ${name} output cannot be cropped or resized afterwards: choose a size the model makes natively.`,
    });
  }
  if (format === 'svg') {
    if (request.totalImages !== 1) {
      throw invalidRequest({ setting: 'n', message: 'SVG output makes one drawing per request: set n to 1.', allowed: { min: 1, max: 1 } });
    }
    return { format };
  }
  if (request.mask !== undefined) {
    throw invalidRequest({ setting: 'mask', message: 'GIF output cannot be combined with a mask: leave the mask out or choose png.' });
  }
  const gif = model.capabilities.vendorFeatures?.gif;
  const minFrames = gif?.minFrames ?? 2;
  const maxFrames = gif?.maxFrames ?? 16;
  const frameCount = request.frameCount;
  if (frameCount !== undefined && (!Number.isInteger(frameCount) || frameCount < minFrames || frameCount > maxFrames)) {
    throw invalidRequest({
      setting: 'frameCount',
      message: `frameCount must be a whole number from ${minFrames} to ${maxFrames}; got ${String(frameCount)}.`,
      allowed: { min: minFrames, max: maxFrames },
    });
  }
  const duration = request.frameDurationMs;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < minFrameDurationMs || duration > maxFrameDurationMs)) {
    throw invalidRequest({
      setting: 'frameDurationMs',
      message: `frameDurationMs must be a whole number of milliseconds from ${minFrameDurationMs} to ${maxFrameDurationMs}; got ${String(duration)}.`,
      allowed: { min: minFrameDurationMs, max: maxFrameDurationMs },
    });
  }
  // The types also speak of per-model "GIF size limits" without stating them: sizes are left to the API, whose 400
  // costs nothing.
  return { format, ...(frameCount === undefined ? {} : { frameCount }), ...(duration === undefined ? {} : { frameDurationMs: duration }) };
}

/** Frames a GIF request will have (the vendor's default when unset), for estimates. */
export function framesOf(model: ModelDefinition, frameCount: number | undefined): number {
  return frameCount ?? model.capabilities.vendorFeatures?.gif?.defaultFrames ?? 9;
}

/**
 * Checks a markup overlay: edits only, on models with `markupEdits`, never with a mask, a PNG the size of the first
 * image. (That it holds transparent pixels is checked by the engine, which decodes it.)
 */
export function planMarkup(
  model: ModelDefinition,
  operation: 'generate' | 'edit',
  markup: InputImage | undefined,
  first: InputImage | undefined,
  mask: InputImage | undefined,
): InputImage | undefined {
  if (markup === undefined) return undefined;
  if (operation !== 'edit')
    throw invalidRequest({ setting: 'markup', message: 'markup applies to edits only: give the image to draw on.' });
  if (model.capabilities.vendorFeatures?.markupEdits !== true) {
    throw invalidRequest({
      setting: 'markup',
      message: `${model.id} does not take markup; choose a model whose listing shows markup edits (list_available_models), or describe the change in the prompt.`,
    });
  }
  if (mask !== undefined) {
    throw invalidRequest({ setting: 'markup', message: 'markup cannot be combined with a mask: use one or the other.' });
  }
  if (markup.mimeType !== 'image/png') {
    throw invalidRequest({
      code: 'invalid_image',
      setting: 'markup',
      message: `The markup must be a transparent PNG; it is ${markup.mimeType}.`,
      allowed: ['image/png'],
    });
  }
  if (first !== undefined && (markup.width !== first.width || markup.height !== first.height)) {
    throw invalidRequest({
      code: 'invalid_image',
      setting: 'markup',
      message: `The markup is ${formatSize(markup)} but the first image is ${formatSize(first)}; they must be the same size.`,
      extra: { expected: formatSize(first), actual: formatSize(markup) },
    });
  }
  return markup;
}

/**
 * A background the vendor offers for this model only in preview (gpt-image-2 transparency): accepted, with a warning
 * that the result may look like a preview. `undefined` when `value` is not one of the model's preview backgrounds.
 */
export function planPreviewBackground(model: ModelDefinition, value: string, warn: Warn): string | undefined {
  const preview = model.capabilities.vendorFeatures?.previewBackgrounds ?? [];
  if (!(preview as readonly string[]).includes(value)) return undefined;
  warn(
    'other',
    'background',
    `${model.id}'s ${value} backgrounds are in preview at the vendor: expect preview quality (rough or haloed edges); the gpt-image-2.5 models offer them generally.`,
  );
  return value;
}
