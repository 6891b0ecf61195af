import type { ImageGenError } from '@imagegen/common';
import type { ResolvedSize, SizeCapability } from '../contract';
import { invalidRequest } from './invalid-request';

/** Pixel dimensions. */
export interface PixelSize {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** How a requested size maps onto what the model makes. */
export interface SizeResolution {
  /** What to ask the provider for. */
  size: ResolvedSize;
  /** What the caller receives after the engine crops or resizes (equal to `size` when no work is needed). */
  finalSize: ResolvedSize;
  /** Set when `size` differs from the request: a sentence for a `translated` warning. */
  translation?: string;
}

/**
 * The most a translated size may crop (as a ratio of aspect ratios) or upscale. Beyond this the result would not
 * resemble what was asked for, so the request is refused instead.
 */
const maxCropFactor = 2;
const maxUpscaleFactor = 2;

/** Parses `WxH` (also `W×H`, any case) or `auto`; `undefined` when the text is neither. */
export function parseSize(text: string): PixelSize | 'auto' | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'auto') return 'auto';
  const match = /^(\d{1,5})\s*[x×]\s*(\d{1,5})$/.exec(trimmed);
  if (match === null) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** `WxH`, or `auto`. */
export function formatSize(size: ResolvedSize): string {
  return size === 'auto' ? 'auto' : `${size.width}x${size.height}`;
}

/** A sentence listing what a model accepts, for error messages. */
export function describeSizes(capability: SizeCapability): string {
  switch (capability.kind) {
    case 'list':
      return `accepted sizes: ${capability.sizes.join(', ')}`;
    case 'rule':
      return (
        `accepted sizes: ${capability.presets.join(', ')}, or any WxH with both sides multiples of ${capability.multipleOf}, ` +
        `long side at most ${capability.maxAspectRatio}× the short side, at most ${capability.maxEdge} px per side and ` +
        `${capability.maxPixels.toLocaleString('en-US')} pixels, at least ${capability.minPixels.toLocaleString('en-US')} pixels`
      );
    case 'aspect-ratios':
      return `accepted aspect ratios: ${capability.ratios.join(', ')} (any WxH is cropped or resized from the nearest one)`;
  }
}

/** The structured form of {@link describeSizes}, for `details.allowed`. */
export function allowedSizes(capability: SizeCapability): unknown {
  switch (capability.kind) {
    case 'list':
      return capability.sizes;
    case 'rule': {
      const { kind: _kind, ...rule } = capability;
      return rule;
    }
    case 'aspect-ratios':
      return { ratios: capability.ratios, imageSizes: capability.imageSizes };
  }
}

/** The aspect ratio from `ratios` closest to `width`:`height`, and whether it is exact. */
export function nearestAspectRatio(
  width: number,
  height: number,
  ratios: readonly string[],
): { ratio: string; exact: boolean } | undefined {
  let best: { ratio: string; distance: number; exact: boolean } | undefined;
  for (const ratio of ratios) {
    const [ratioWidth, ratioHeight] = ratio.split(':').map(Number);
    if (!ratioWidth || !ratioHeight) continue;
    const exact = width * ratioHeight === height * ratioWidth;
    const distance = Math.abs(Math.log(width / height / (ratioWidth / ratioHeight)));
    if (best === undefined || distance < best.distance) best = { ratio, distance, exact };
  }
  return best === undefined ? undefined : { ratio: best.ratio, exact: best.exact };
}

/**
 * Maps a requested size onto `capability`.
 * - Sizes the model takes as they are pass through.
 * - `list` models: another size becomes the listed size nearest in aspect ratio; the engine crops and resizes.
 * - `rule` models: a size inside the rule's bounds whose sides are off the grid (or below the pixel floor) becomes the
 *   nearest on-grid size at least as large, unless `allowTranslation` is false; sizes outside the bounds are refused,
 *   naming the rule and the nearest valid size.
 * - `aspect-ratios` models: the provider derives the ratio; a ratio it lacks becomes the nearest one.
 * Throws `invalid_request` (`details.setting: 'size'`) when the size is malformed or out of reach.
 */
export function resolveSize(modelId: string, capability: SizeCapability, requestedText: string, allowTranslation = true): SizeResolution {
  const requested = parseSize(requestedText);
  if (requested === undefined) {
    throw sizeError(modelId, capability, `'${requestedText}' is not a size: write WxH in pixels (e.g. 1024x1024) or auto.`);
  }
  if (requested === 'auto') {
    const acceptsAuto =
      capability.kind === 'aspect-ratios' ||
      (capability.kind === 'list' ? capability.sizes : capability.presets).some((size) => size.toLowerCase() === 'auto');
    if (!acceptsAuto) throw sizeError(modelId, capability, `${modelId} does not choose sizes itself ('auto').`);
    return { size: 'auto', finalSize: 'auto' };
  }
  switch (capability.kind) {
    case 'list':
      return resolveListed(modelId, capability, requested, allowTranslation);
    case 'rule':
      return resolveRule(modelId, capability, requested, allowTranslation);
    case 'aspect-ratios':
      return resolveAspect(modelId, capability, requested);
  }
}

function resolveListed(
  modelId: string,
  capability: Extract<SizeCapability, { kind: 'list' }>,
  requested: PixelSize,
  allowTranslation: boolean,
): SizeResolution {
  const natives = capability.sizes.map(parseSize).filter((size): size is PixelSize => typeof size === 'object');
  if (natives.some((size) => sameSize(size, requested))) return { size: requested, finalSize: requested };
  const ranked = natives
    .map((size) => ({ size, crop: cropFactor(size, requested), upscale: upscaleFactor(size, requested) }))
    .sort((left, right) => left.crop - right.crop || left.upscale - right.upscale);
  const best = ranked[0];
  if (!allowTranslation || best === undefined || best.crop > maxCropFactor || best.upscale > maxUpscaleFactor) {
    const reason =
      best === undefined || allowTranslation
        ? `${formatSize(requested)} is too far from every size ${modelId} makes to crop or resize to it.`
        : `${modelId} does not make ${formatSize(requested)}.`;
    throw sizeError(modelId, capability, reason, best?.size);
  }
  return {
    size: best.size,
    finalSize: requested,
    translation: `${modelId} does not make ${formatSize(requested)}; generating ${formatSize(best.size)} and ${
      best.upscale > 1 ? 'upscaling' : 'cropping/resizing'
    } it to ${formatSize(requested)}.`,
  };
}

function resolveRule(
  modelId: string,
  rule: Extract<SizeCapability, { kind: 'rule' }>,
  requested: PixelSize,
  allowTranslation: boolean,
): SizeResolution {
  if (rule.presets.some((preset) => preset.toLowerCase() === formatSize(requested))) {
    return { size: requested, finalSize: requested };
  }
  const longSide = Math.max(requested.width, requested.height);
  const shortSide = Math.min(requested.width, requested.height);
  const outOfBounds =
    longSide / shortSide > rule.maxAspectRatio + 1e-9
      ? `its aspect ratio exceeds ${rule.maxAspectRatio}:1`
      : longSide > rule.maxEdge
        ? `a side exceeds ${rule.maxEdge} px`
        : requested.width * requested.height > rule.maxPixels
          ? `it exceeds ${rule.maxPixels.toLocaleString('en-US')} pixels`
          : undefined;
  if (outOfBounds !== undefined) {
    throw sizeError(
      modelId,
      rule,
      `${formatSize(requested)} is out of range for ${modelId}: ${outOfBounds}.`,
      nearestValidSize(rule, requested),
    );
  }
  if (isValidForRule(rule, requested)) return { size: requested, finalSize: requested };

  const covering = coveringSize(rule, requested);
  if (!allowTranslation || covering === undefined) {
    throw sizeError(
      modelId,
      rule,
      `${modelId} does not make ${formatSize(requested)} exactly.`,
      covering ?? nearestValidSize(rule, requested),
    );
  }
  return {
    size: covering,
    finalSize: requested,
    translation: `${modelId} needs sides that are multiples of ${rule.multipleOf} and at least ${rule.minPixels.toLocaleString(
      'en-US',
    )} pixels; generating ${formatSize(covering)} and cropping/resizing it to ${formatSize(requested)}.`,
  };
}

function resolveAspect(
  modelId: string,
  capability: Extract<SizeCapability, { kind: 'aspect-ratios' }>,
  requested: PixelSize,
): SizeResolution {
  const nearest = nearestAspectRatio(requested.width, requested.height, capability.ratios);
  const largestEdge = Math.max(0, ...Object.values(capability.longEdgeByImageSize));
  if (nearest === undefined) throw sizeError(modelId, capability, `${modelId} lists no aspect ratios.`);
  const [ratioWidth = 1, ratioHeight = 1] = nearest.ratio.split(':').map(Number);
  const crop = Math.exp(Math.abs(Math.log(requested.width / requested.height / (ratioWidth / ratioHeight))));
  const upscale = largestEdge > 0 ? Math.max(requested.width, requested.height) / largestEdge : 1;
  if (crop > maxCropFactor || upscale > maxUpscaleFactor) {
    throw sizeError(modelId, capability, `${formatSize(requested)} is too far from what ${modelId} makes to crop or resize to it.`);
  }
  return {
    size: requested,
    finalSize: requested,
    ...(nearest.exact
      ? {}
      : {
          translation: `${modelId} has no ${formatSize(requested)} aspect ratio; generating at ${nearest.ratio} and cropping/resizing to ${formatSize(requested)}.`,
        }),
  };
}

/** Whether `size` satisfies every bound of `rule` (presets aside). */
export function isValidForRule(rule: Extract<SizeCapability, { kind: 'rule' }>, size: PixelSize): boolean {
  const pixels = size.width * size.height;
  return (
    size.width % rule.multipleOf === 0 &&
    size.height % rule.multipleOf === 0 &&
    Math.max(size.width, size.height) <= rule.maxEdge &&
    Math.max(size.width, size.height) / Math.min(size.width, size.height) <= rule.maxAspectRatio + 1e-9 &&
    pixels <= rule.maxPixels &&
    pixels >= rule.minPixels
  );
}

/** The smallest valid size with the requested aspect that is at least as large on both sides (so the engine only shrinks). */
function coveringSize(rule: Extract<SizeCapability, { kind: 'rule' }>, requested: PixelSize): PixelSize | undefined {
  const growth = Math.max(1, Math.sqrt(rule.minPixels / (requested.width * requested.height)));
  const grid = rule.multipleOf;
  for (const round of [Math.ceil, Math.round, Math.floor]) {
    const candidate = {
      width: Math.max(grid, round((requested.width * growth) / grid) * grid),
      height: Math.max(grid, round((requested.height * growth) / grid) * grid),
    };
    if (isValidForRule(rule, candidate)) return candidate;
  }
  return undefined;
}

/** A valid size close to `requested`: aspect clamped to the rule, scaled into the pixel bounds, snapped to the grid. */
export function nearestValidSize(rule: Extract<SizeCapability, { kind: 'rule' }>, requested: PixelSize): PixelSize | undefined {
  let width = requested.width;
  let height = requested.height;
  if (width / height > rule.maxAspectRatio) height = width / rule.maxAspectRatio;
  if (height / width > rule.maxAspectRatio) width = height / rule.maxAspectRatio;
  const shrink = Math.min(1, rule.maxEdge / Math.max(width, height), Math.sqrt(rule.maxPixels / (width * height)));
  const grow = Math.max(1, Math.sqrt(rule.minPixels / (width * height)));
  width *= shrink * grow;
  height *= shrink * grow;
  const grid = rule.multipleOf;
  const rounders = shrink < 1 ? [Math.floor] : grow > 1 ? [Math.ceil, Math.floor] : [Math.round, Math.floor, Math.ceil];
  for (const round of rounders) {
    for (const [widthRound, heightRound] of [
      [round, round],
      [Math.floor, Math.ceil],
      [Math.ceil, Math.floor],
    ] as const) {
      const candidate = {
        width: Math.max(grid, widthRound(width / grid) * grid),
        height: Math.max(grid, heightRound(height / grid) * grid),
      };
      if (isValidForRule(rule, candidate)) return candidate;
    }
  }
  return rule.presets.map(parseSize).find((size): size is PixelSize => typeof size === 'object');
}

function sameSize(left: PixelSize, right: PixelSize): boolean {
  return left.width === right.width && left.height === right.height;
}

/** How much wider or taller one aspect ratio is than the other (1 = same shape). */
function cropFactor(native: PixelSize, requested: PixelSize): number {
  return Math.exp(Math.abs(Math.log(native.width / native.height / (requested.width / requested.height))));
}

/** How much the cropped native image must be enlarged to reach the requested size (≤ 1 means it only shrinks). */
function upscaleFactor(native: PixelSize, requested: PixelSize): number {
  const requestedAspect = requested.width / requested.height;
  const croppedWidth = Math.min(native.width, native.height * requestedAspect);
  return requested.width / croppedWidth;
}

function sizeError(modelId: string, capability: SizeCapability, reason: string, nearest?: PixelSize): ImageGenError {
  const suggestion = nearest === undefined ? '' : ` Nearest valid size: ${formatSize(nearest)}.`;
  return invalidRequest({
    setting: 'size',
    message: `${reason}${suggestion} ${capitalize(describeSizes(capability))} for ${modelId}.`,
    allowed: allowedSizes(capability),
    ...(nearest === undefined ? {} : { extra: { nearest: formatSize(nearest) } }),
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * How quality moves the resolution tier: `low`, `medium` and unset take the smallest tier whose long side covers the
 * requested size (the engine then only ever shrinks); `high` takes the tier above it, for more detail.
 */
const tierStepsByQuality: Readonly<Record<string, number>> = { low: 0, medium: 0, high: 1 };

/**
 * The resolution tier (`1K`, `2K`, …) of an `aspect-ratios` model for `size` and `quality` (see
 * {@link tierStepsByQuality}): the smallest tier whose long edge reaches the requested long side, else the largest.
 * Without a size (`auto`) the vendor's default tier, 1K (or the smallest when there is no 1K). `undefined` for other
 * size kinds. The provider and the cost estimate both use this, so the price matches what is asked for.
 */
export function imageSizeTierFor(capability: SizeCapability, size: ResolvedSize, quality?: string): string | undefined {
  if (capability.kind !== 'aspect-ratios') return undefined;
  const tiers = capability.imageSizes;
  if (tiers.length === 0) return undefined;
  let index: number;
  if (size === 'auto') {
    index = Math.max(0, tiers.indexOf('1K'));
  } else {
    const longSide = Math.max(size.width, size.height);
    index = tiers.findIndex((tier) => (capability.longEdgeByImageSize[tier] ?? 0) >= longSide);
    if (index < 0) index = tiers.length - 1;
  }
  index = Math.min(tiers.length - 1, index + (tierStepsByQuality[quality ?? 'medium'] ?? 0));
  return tiers[index];
}
