import { ownValue } from '@imagegen/common';
import type {
  ImageEditRequest,
  ImageGenerationRequest,
  InputImage,
  ModelCapabilities,
  ModelDefinition,
  ProviderCall,
  RequestWarning,
  ResolvedSize,
} from '../contract';
import { retiredModelError } from '../registry/retired-model-error';
import { invalidRequest } from './invalid-request';
import { planConversation, planSearchGrounding, planThinkingLevel } from './plan-model-abilities';
import { formatSize, resolveSize } from './size';
import { isVendorRenderedFormat, planComplexity, planMarkup, planPreviewBackground, planVendorFormat } from './plan-vendor-features';

/** A raster encoding the engine can convert between. */
export type RasterFormat = 'png' | 'jpeg' | 'webp';

/** An output encoding: a raster one, or one only the vendor renders (`gif` animation, `svg` drawing). */
export type OutputFormat = RasterFormat | 'gif' | 'svg';

/**
 * Configured defaults, used for fields a request leaves unset. A default the model cannot honour is dropped (or
 * yields to an explicit value) without a warning; only what the caller asked for explicitly earns warnings or refusals.
 */
export interface RequestDefaults {
  /** Images per request. Default 1. */
  n?: number;
  /** `WxH` or `auto`. Default `auto` where the model accepts it. Edits without a size always use `auto` when possible. */
  size?: string;
  /** Quality. Default: the vendor's. */
  quality?: string;
  /** Background. Default: the vendor's. */
  background?: string;
  /** Output format. Default `png`. */
  outputFormat?: OutputFormat;
  /** Compression for jpeg/webp, 0–100. */
  compression?: number;
  /** Moderation level for generations. */
  moderation?: string;
  /** Partial images to stream. Default 0. */
  partialImages?: number;
  /** Input fidelity for edits. */
  inputFidelity?: string;
  /** The end user's safety identifier when a request names none (`PROVIDERS__OPENAI__SAFETY_IDENTIFIER`). */
  safetyIdentifier?: string;
}

/** Switches for {@link planRequest}. */
export interface PlanOptions {
  /**
   * Whether a size the model cannot make exactly (off its grid, or not in its list) may be generated at the nearest
   * native size and cropped/resized by the engine. Default true; false refuses such sizes, naming the nearest valid one.
   */
  allowSizeTranslation?: boolean;
}

/** The provider call without the per-attempt parts the engine adds (`signal`, `onPartialImage`). */
export type PlannedCall = Omit<ProviderCall, 'signal' | 'onPartialImage'>;

/** A validated, translated request, ready for the engine to run. */
export interface RequestPlan {
  /** Text-to-image or image-to-image. */
  operation: 'generate' | 'edit';
  /**
   * The first provider call. `call.n` is capped at `model.capabilities.maxImagesPerCall`; the engine fans out
   * further calls until `totalImages` images exist.
   */
  call: PlannedCall;
  /** Images the caller asked for in total (1–10). */
  totalImages: number;
  /** What was changed or ignored, for the result. */
  warnings: RequestWarning[];
  /** The format the caller receives; differs from `call.outputFormat` when the engine must convert locally. */
  outputFormat: OutputFormat;
  /** Compression for the caller's jpeg/webp; the engine applies it when it converts or the model cannot. */
  compression?: number;
  /** The size the caller receives: the engine crops/resizes when the provider's image differs. */
  finalSize: ResolvedSize;
  /**
   * Set for a masked edit on a model whose `maskMode` is `composite`: the mask was not sent to the provider, and the
   * engine lays the provider's result over the first input image, keeping it only where the mask is transparent.
   */
  compositeMask?: { mask: InputImage; original: InputImage };
}

/** Most images one request may ask for; fan-out beyond a model's `maxImagesPerCall` happens up to this. */
export const maxImagesPerRequest = 10;
/** The prompt limit when a model states none (the GPT image limit). */
export const defaultMaxPromptLength = 32000;
const maxPartialImages = 3;

const knownQualities = ['auto', 'low', 'medium', 'high', 'xhigh', 'max', 'standard', 'hd'];
/**
 * Quality values that have an obvious equivalent on models lacking them, best first: the dall-e names map to the
 * GPT image ones and back, and the 2.5 tiers fall back to the highest a model has.
 */
const qualityEquivalents: Readonly<Record<string, readonly string[]>> = {
  standard: ['medium', 'standard'],
  hd: ['high', 'hd'],
  low: ['standard'],
  medium: ['standard'],
  high: ['hd'],
  xhigh: ['high', 'hd'],
  max: ['xhigh', 'high', 'hd'],
};
const styleHints: Readonly<Record<string, string>> = {
  vivid: 'Style: vivid — hyper-real and dramatic, with bold colour and strong contrast.',
  natural: 'Style: natural — realistic and understated, with true-to-life colour and lighting.',
};
const knownBackgrounds = ['transparent', 'opaque', 'auto'];
const knownFormats: readonly RasterFormat[] = ['png', 'jpeg', 'webp'];
const knownMimeTypes = ['image/png', 'image/jpeg', 'image/webp'];

/** A value and whether the caller set it (true) or it came from the defaults (false). */
interface Chosen<T> {
  value: T;
  explicit: boolean;
}

function choose<T>(requested: T | undefined, fallback: T | undefined): Chosen<T> | undefined {
  if (requested !== undefined) return { value: requested, explicit: true };
  if (fallback !== undefined) return { value: fallback, explicit: false };
  return undefined;
}

/**
 * Validates `request` against `model` and translates it into a provider call, before any network traffic.
 * An edit is a request with `images`. Refusals throw `ImageGenError` `invalid_request` (or `invalid_image` for
 * unusable input images, `model_retired` for a shut-down model) with `details.setting` and, where there is a set of
 * accepted values, `details.allowed`. Changes and omissions come back as `warnings`.
 */
export function planRequest(
  model: ModelDefinition,
  request: ImageGenerationRequest | ImageEditRequest,
  defaults: RequestDefaults = {},
  options: PlanOptions = {},
): RequestPlan {
  const operation: 'generate' | 'edit' = 'images' in request && request.images !== undefined ? 'edit' : 'generate';
  const capabilities = model.capabilities;
  const warnings: RequestWarning[] = [];
  const warn = (type: RequestWarning['type'], setting: string, message: string): void => {
    warnings.push({ type, setting, message });
  };

  checkModel(model, operation, warn);
  const totalImages = checkCount(choose(request.n, defaults.n));

  const sizeText = request.size ?? (operation === 'edit' ? undefined : defaults.size);
  const size = planSize(model, sizeText === undefined ? undefined : choose(request.size, sizeText), options, warn);

  const quality = planQuality(model, choose(request.quality, defaults.quality), warn);
  const { prompt, style } = planPromptAndStyle(model, request.prompt, request.style, warn);

  // GIF and SVG are rendered by the vendor only; a configured default the model cannot make falls back to png.
  const formatChoice = choose<string>(request.outputFormat, defaults.outputFormat);
  const wantsVendorFormat =
    formatChoice !== undefined &&
    isVendorRenderedFormat(formatChoice.value) &&
    (formatChoice.explicit || (capabilities.vendorFeatures?.outputFormats ?? []).includes(formatChoice.value));
  const format = planOutputFormat(model, wantsVendorFormat ? undefined : formatChoice, warn);
  const background = planBackground(model, choose(request.background, defaults.background), format, warn);
  const compression = wantsVendorFormat
    ? undefined
    : planCompression(choose(request.compression, defaults.compression), asRaster(background.format.value), warn);
  const moderation = planModeration(model, operation, choose(request.moderation, defaults.moderation), warn);
  const partialImages = wantsVendorFormat ? 0 : planPartialImages(model, choose(request.partialImages, defaults.partialImages), warn);

  const editRequest = operation === 'edit' ? (request as ImageEditRequest) : undefined;
  const edit = editRequest === undefined ? undefined : planEditInputs(model, editRequest, defaults, warn);

  const thinkingLevel = planThinkingLevel(model, request.thinkingLevel);
  const searchGrounding = planSearchGrounding(model, request.searchGrounding);
  const conversation = planConversation(model, operation, editRequest?.conversation, edit?.images?.length ?? 0);
  const vendorFormat = planVendorFormat(model, wantsVendorFormat ? formatChoice.value : undefined, {
    operation,
    totalImages,
    ...(request.partialImages === undefined ? {} : { partialImages: request.partialImages }),
    ...(request.compression === undefined ? {} : { compression: request.compression }),
    ...(edit?.mask === undefined ? {} : { mask: edit.mask }),
    ...(request.frameCount === undefined ? {} : { frameCount: request.frameCount }),
    ...(request.frameDurationMs === undefined ? {} : { frameDurationMs: request.frameDurationMs }),
    sizeNeedsTranslation: formatSize(size.size) !== formatSize(size.finalSize),
    size: size.finalSize,
  });
  const complexity = planComplexity(model, request.complexity);
  const markup = planMarkup(model, operation, (request as Partial<ImageEditRequest>).markup, edit?.images?.[0], edit?.mask);
  const safetyIdentifier = (request.safetyIdentifier ?? defaults.safetyIdentifier)?.trim() || undefined;

  const outputFormat: OutputFormat = vendorFormat?.format ?? background.format.value;
  const nativeFormat: OutputFormat = vendorFormat?.format ?? nativeFormatFor(capabilities, asRaster(outputFormat));
  const providerOptions = request.providerOptions?.[model.provider];

  // Vendors without a mask parameter edit the whole image; the engine keeps only the masked area of their result.
  const compositeMask =
    edit?.mask !== undefined && capabilities.maskMode === 'composite' && edit.images?.[0] !== undefined
      ? { mask: edit.mask, original: edit.images[0] }
      : undefined;
  if (compositeMask !== undefined) {
    delete edit?.mask;
    warn(
      'translated',
      'mask',
      `${model.id} has no mask parameter: the whole image was edited and only the area the mask marks was kept, laid over the original elsewhere.`,
    );
  }
  const finalSize: ResolvedSize =
    compositeMask !== undefined && size.finalSize === 'auto'
      ? { width: compositeMask.original.width, height: compositeMask.original.height }
      : size.finalSize;

  const call: PlannedCall = {
    model,
    prompt,
    n: Math.min(totalImages, capabilities.maxImagesPerCall),
    size: size.size,
    outputFormat: nativeFormat,
    ...(quality === undefined ? {} : { quality }),
    ...(style === undefined ? {} : { style }),
    ...(background.value === undefined ? {} : { background: background.value }),
    ...(compression !== undefined && capabilities.compression && nativeFormat !== 'png' ? { compression } : {}),
    ...(moderation === undefined ? {} : { moderation }),
    ...(partialImages > 0 ? { partialImages } : {}),
    ...(edit === undefined ? {} : edit),
    ...(complexity === undefined ? {} : { complexity }),
    ...(vendorFormat?.frameCount === undefined ? {} : { frameCount: vendorFormat.frameCount }),
    ...(vendorFormat?.frameDurationMs === undefined ? {} : { frameDurationMs: vendorFormat.frameDurationMs }),
    ...(markup === undefined ? {} : { markup }),
    ...(safetyIdentifier === undefined ? {} : { safetyIdentifier }),
    ...(providerOptions === undefined ? {} : { providerOptions }),
    ...(thinkingLevel === undefined ? {} : { thinkingLevel }),
    ...(searchGrounding ? { searchGrounding } : {}),
    ...(conversation === undefined ? {} : { conversation }),
  };
  return {
    operation,
    call,
    totalImages,
    warnings,
    outputFormat,
    ...(compression === undefined ? {} : { compression }),
    finalSize,
    ...(compositeMask === undefined ? {} : { compositeMask }),
  };
}

type Warn = (type: RequestWarning['type'], setting: string, message: string) => void;

function checkModel(model: ModelDefinition, operation: 'generate' | 'edit', warn: Warn): void {
  const status = model.status;
  if (status.kind === 'retired') throw retiredModelError(model, status.retiredDate, status.replacement);
  if (status.kind === 'deprecated') {
    const move = status.replacement === undefined ? '' : `; move to ${status.replacement}`;
    warn('other', 'model', `${model.id} is deprecated and shuts down on ${status.shutdownDate}${move}.`);
  }
  if (operation === 'generate' && !model.capabilities.generate) {
    throw invalidRequest({ setting: 'model', message: `${model.id} cannot generate images from text alone; it only edits images.` });
  }
  if (operation === 'edit' && !model.capabilities.edit) {
    throw invalidRequest({ setting: 'model', message: `${model.id} cannot edit images; choose a model that accepts input images.` });
  }
}

function checkCount(chosen: Chosen<number> | undefined): number {
  const n = chosen?.value ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > maxImagesPerRequest) {
    throw invalidRequest({
      setting: 'n',
      message: `n must be a whole number from 1 to ${maxImagesPerRequest}; got ${String(n)}.`,
      allowed: { min: 1, max: maxImagesPerRequest },
    });
  }
  return n;
}

function planSize(
  model: ModelDefinition,
  chosen: Chosen<string> | undefined,
  options: PlanOptions,
  warn: Warn,
): { size: ResolvedSize; finalSize: ResolvedSize } {
  const sizes = model.capabilities.sizes;
  const fallback = (): { size: ResolvedSize; finalSize: ResolvedSize } => {
    const listed = sizes.kind === 'list' ? sizes.sizes : sizes.kind === 'rule' ? sizes.presets : ['auto'];
    const first = listed.find((size) => size.toLowerCase() === 'auto') ?? listed[0] ?? 'auto';
    return resolveSize(model.id, sizes, first);
  };
  if (chosen === undefined) return fallback();
  try {
    const resolution = resolveSize(model.id, sizes, chosen.value, options.allowSizeTranslation ?? true);
    if (resolution.translation !== undefined && chosen.explicit) warn('translated', 'size', resolution.translation);
    return resolution;
  } catch (error) {
    if (chosen.explicit) throw error;
    return fallback();
  }
}

function planQuality(model: ModelDefinition, chosen: Chosen<string> | undefined, warn: Warn): string | undefined {
  if (chosen === undefined) return undefined;
  const accepted = model.capabilities.qualities;
  const value = chosen.value.trim().toLowerCase();
  if (accepted.includes(value)) return value;
  if (!knownQualities.includes(value)) {
    if (!chosen.explicit) return undefined;
    throw invalidRequest({
      setting: 'quality',
      message: `Unknown quality '${chosen.value}'. ${model.id} accepts: ${accepted.join(', ') || 'no quality setting'}.`,
      allowed: accepted,
    });
  }
  if (value === 'auto') return undefined;
  if (accepted.length === 0) {
    if (chosen.explicit) warn('unsupported', 'quality', `${model.id} has no quality setting; '${value}' was ignored.`);
    return undefined;
  }
  const equivalent = ownValue(qualityEquivalents, value)?.find((candidate) => accepted.includes(candidate));
  if (equivalent !== undefined) {
    if (chosen.explicit) warn('translated', 'quality', `${model.id} has no '${value}' quality; using '${equivalent}', its equivalent.`);
    return equivalent;
  }
  if (!chosen.explicit) return undefined;
  throw invalidRequest({
    setting: 'quality',
    message: `${model.id} does not accept quality '${value}'. Accepted: ${accepted.join(', ')}.`,
    allowed: accepted,
  });
}

function planPromptAndStyle(
  model: ModelDefinition,
  rawPrompt: string,
  rawStyle: string | undefined,
  warn: Warn,
): { prompt: string; style?: string } {
  const maxLength = model.capabilities.maxPromptLength ?? defaultMaxPromptLength;
  if (typeof rawPrompt !== 'string' || rawPrompt.trim() === '') {
    throw invalidRequest({ setting: 'prompt', message: 'A prompt is required: describe the image to make.' });
  }
  const length = Array.from(rawPrompt).length;
  if (length > maxLength) {
    throw invalidRequest({
      setting: 'prompt',
      message: `The prompt has ${length} characters; ${model.id} accepts at most ${maxLength}.`,
      allowed: { max: maxLength },
    });
  }
  if (rawStyle === undefined) return { prompt: rawPrompt };
  const style = rawStyle.trim().toLowerCase();
  const hint = ownValue(styleHints, style);
  if (hint === undefined) {
    throw invalidRequest({
      setting: 'style',
      message: `Unknown style '${rawStyle}'; use vivid or natural.`,
      allowed: Object.keys(styleHints),
    });
  }
  if (model.capabilities.style) return { prompt: rawPrompt, style };
  const prompt = `${rawPrompt.trimEnd()}\n\n${hint}`;
  if (Array.from(prompt).length > maxLength) {
    throw invalidRequest({
      setting: 'prompt',
      message: `With the style note added the prompt exceeds ${maxLength} characters; shorten it or drop the style.`,
      allowed: { max: maxLength },
    });
  }
  warn('translated', 'style', `${model.id} has no style parameter; '${style}' was added to the prompt as a description instead.`);
  return { prompt };
}

function planOutputFormat(model: ModelDefinition, chosen: Chosen<string> | undefined, warn: Warn): Chosen<RasterFormat> {
  const value = chosen?.value ?? 'png';
  if (!knownFormats.includes(value as RasterFormat)) {
    if (chosen?.explicit === true) {
      throw invalidRequest({ setting: 'outputFormat', message: `Unknown output format '${value}'.`, allowed: knownFormats });
    }
    return { value: 'png', explicit: false };
  }
  const format = value as RasterFormat;
  const native = nativeFormatFor(model.capabilities, format);
  if (native !== format && chosen?.explicit === true) {
    warn('translated', 'outputFormat', `${model.id} produces ${native} only; the image is converted to ${format} locally.`);
  }
  return { value: format, explicit: chosen?.explicit === true };
}

function planBackground(
  model: ModelDefinition,
  chosen: Chosen<string> | undefined,
  format: Chosen<RasterFormat>,
  warn: Warn,
): { value?: string; format: Chosen<RasterFormat> } {
  if (chosen === undefined) return { format };
  const value = chosen.value.trim().toLowerCase();
  const accepted = model.capabilities.backgrounds;
  if (!knownBackgrounds.includes(value)) {
    if (!chosen.explicit) return { format };
    throw invalidRequest({ setting: 'background', message: `Unknown background '${chosen.value}'.`, allowed: knownBackgrounds });
  }
  // Asked for explicitly, a background the vendor offers in preview only is sent, with a warning.
  const inPreview = chosen.explicit && !accepted.includes(value) && planPreviewBackground(model, value, warn) !== undefined;
  if (!accepted.includes(value) && !inPreview) {
    if (!chosen.explicit) return { format };
    if (value === 'transparent') {
      throw invalidRequest({
        setting: 'background',
        message: `${model.id} cannot make transparent backgrounds. Accepted: ${accepted.join(', ') || 'none'}; choose a model that supports transparency.`,
        allowed: accepted,
      });
    }
    warn('unsupported', 'background', `${model.id} has no '${value}' background setting; it was ignored.`);
    return { format };
  }
  if (value === 'transparent' && format.value === 'jpeg') {
    if (!chosen.explicit) return { format };
    if (format.explicit) {
      throw invalidRequest({
        setting: 'background',
        message: 'A transparent background needs an alpha channel, which jpeg lacks: use png or webp.',
        allowed: ['png', 'webp'],
        extra: { outputFormat: 'jpeg' },
      });
    }
    const replacement: RasterFormat =
      model.capabilities.outputFormats.includes('webp') && !model.capabilities.outputFormats.includes('png') ? 'webp' : 'png';
    warn('translated', 'outputFormat', `A transparent background needs png or webp; using ${replacement} instead of the default jpeg.`);
    return { value, format: { value: replacement, explicit: false } };
  }
  return { value, format };
}

function planCompression(chosen: Chosen<number> | undefined, format: RasterFormat, warn: Warn): number | undefined {
  if (chosen === undefined) return undefined;
  if (!Number.isInteger(chosen.value) || chosen.value < 0 || chosen.value > 100) {
    if (!chosen.explicit) return undefined;
    throw invalidRequest({
      setting: 'compression',
      message: `compression must be a whole number from 0 to 100; got ${String(chosen.value)}.`,
      allowed: { min: 0, max: 100 },
    });
  }
  if (format === 'png') {
    if (chosen.explicit) warn('unsupported', 'compression', 'compression applies to jpeg and webp only; it was ignored for png.');
    return undefined;
  }
  return chosen.value;
}

function planModeration(
  model: ModelDefinition,
  operation: 'generate' | 'edit',
  chosen: Chosen<string> | undefined,
  warn: Warn,
): string | undefined {
  if (chosen === undefined) return undefined;
  const value = chosen.value.trim().toLowerCase();
  const accepted = model.capabilities.moderation;
  if (operation === 'edit' || accepted.length === 0) {
    if (chosen.explicit) {
      const reason = operation === 'edit' ? 'edits take no moderation setting' : `${model.id} has no moderation setting`;
      warn('unsupported', 'moderation', `${reason}; '${value}' was ignored.`);
    }
    return undefined;
  }
  if (accepted.includes(value)) return value;
  if (!chosen.explicit) return undefined;
  throw invalidRequest({
    setting: 'moderation',
    message: `${model.id} does not accept moderation '${chosen.value}'. Accepted: ${accepted.join(', ')}.`,
    allowed: accepted,
  });
}

function planPartialImages(model: ModelDefinition, chosen: Chosen<number> | undefined, warn: Warn): number {
  if (chosen === undefined || chosen.value === 0) return 0;
  const modelMax = model.capabilities.partialImages;
  if (!Number.isInteger(chosen.value) || chosen.value < 0 || chosen.value > maxPartialImages) {
    if (!chosen.explicit) return 0;
    throw invalidRequest({
      setting: 'partialImages',
      message: `partialImages must be a whole number from 0 to ${maxPartialImages}; got ${String(chosen.value)}.`,
      allowed: { min: 0, max: maxPartialImages },
    });
  }
  if (modelMax === 0) {
    if (chosen.explicit) warn('unsupported', 'partialImages', `${model.id} does not stream partial images; the request was not streamed.`);
    return 0;
  }
  if (chosen.value > modelMax) {
    if (!chosen.explicit) return modelMax;
    throw invalidRequest({
      setting: 'partialImages',
      message: `${model.id} streams at most ${modelMax} partial images.`,
      allowed: { min: 0, max: modelMax },
    });
  }
  return chosen.value;
}

function planEditInputs(
  model: ModelDefinition,
  request: ImageEditRequest,
  defaults: RequestDefaults,
  warn: Warn,
): Pick<PlannedCall, 'images' | 'mask' | 'inputFidelity'> {
  const capabilities = model.capabilities;
  const images = request.images;
  if (!Array.isArray(images) || images.length === 0) {
    throw invalidRequest({
      setting: 'images',
      message: 'An edit needs at least one input image.',
      allowed: { min: 1, max: capabilities.maxInputImages },
    });
  }
  if (images.length > capabilities.maxInputImages) {
    throw invalidRequest({
      setting: 'images',
      message: `${model.id} accepts at most ${capabilities.maxInputImages} input image(s) per edit; got ${images.length}.`,
      allowed: { min: 1, max: capabilities.maxInputImages },
    });
  }
  images.forEach((image, index) => checkInputImage(image, `images[${index}]`, knownMimeTypes));

  let mask: InputImage | undefined;
  if (request.mask !== undefined) {
    if (!capabilities.mask) {
      throw invalidRequest({
        setting: 'mask',
        message: `${model.id} does not accept a mask; describe the area to change in the prompt instead.`,
      });
    }
    mask = request.mask;
    checkInputImage(mask, 'mask', ['image/png']);
    const first = images[0] as InputImage;
    if (mask.width !== first.width || mask.height !== first.height) {
      throw invalidRequest({
        code: 'invalid_image',
        setting: 'mask',
        message: `The mask is ${formatSize(mask)} but the first image is ${formatSize(first)}; they must be the same size.`,
        extra: { expected: formatSize(first), actual: formatSize(mask) },
      });
    }
  }

  const inputFidelity = planInputFidelity(model, choose(request.inputFidelity, defaults.inputFidelity), warn);
  return {
    images,
    ...(mask === undefined ? {} : { mask }),
    ...(inputFidelity === undefined ? {} : { inputFidelity }),
  };
}

function planInputFidelity(model: ModelDefinition, chosen: Chosen<string> | undefined, warn: Warn): string | undefined {
  if (chosen === undefined) return undefined;
  const value = chosen.value.trim().toLowerCase();
  const accepted = model.capabilities.inputFidelity;
  if (accepted.length === 0) {
    if (chosen.explicit) warn('unsupported', 'inputFidelity', `${model.id} takes no input fidelity setting; '${value}' was ignored.`);
    return undefined;
  }
  if (accepted.includes(value)) return value;
  if (!chosen.explicit) return undefined;
  throw invalidRequest({
    setting: 'inputFidelity',
    message: `${model.id} does not accept input fidelity '${chosen.value}'. Accepted: ${accepted.join(', ')}.`,
    allowed: accepted,
  });
}

function checkInputImage(image: InputImage, setting: string, mimeTypes: readonly string[]): void {
  if (!mimeTypes.includes(image.mimeType)) {
    const what = setting === 'mask' ? 'The mask must be a PNG with an alpha channel' : `Input images must be ${mimeTypes.join(', ')}`;
    throw invalidRequest({ code: 'invalid_image', setting, message: `${what}; ${setting} is ${image.mimeType}.`, allowed: mimeTypes });
  }
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width <= 0 || image.height <= 0) {
    throw invalidRequest({ code: 'invalid_image', setting, message: `${setting} has no usable pixel dimensions.` });
  }
}

/** The raster format of a plan whose format is known to be raster (vendor-rendered formats never reach these steps). */
function asRaster(format: OutputFormat): RasterFormat {
  return format === 'gif' || format === 'svg' ? 'png' : format;
}

function nativeFormatFor(capabilities: ModelCapabilities, format: RasterFormat): RasterFormat {
  if (capabilities.outputFormats.includes(format)) return format;
  return capabilities.outputFormats.includes('png') ? 'png' : (capabilities.outputFormats[0] ?? 'png');
}
