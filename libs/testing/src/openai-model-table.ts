/**
 * What the real OpenAI Images API accepts per model, written independently of the engine's registry: the fake's
 * job is to catch the engine's mistakes, so it must not share the engine's idea of the rules.
 */
export interface FakeModelRules {
  /** `presets` (1024x1024, 1536x1024, 1024x1536, auto only) or `flexible` (any WxH on a 16-pixel grid within limits). */
  sizes: 'presets' | 'flexible';
  qualities: readonly string[];
  backgrounds: readonly string[];
  /** Accepted `input_fidelity` values on edits; empty means the parameter is rejected. */
  inputFidelity: readonly string[];
  /** Whether `markup` is accepted on edits. */
  markup: boolean;
  /** Whether `complexity` is accepted (low, medium, high); without it the parameter is "not supported with this model". */
  complexity?: boolean;
  /** Output formats beyond png, jpeg and webp: `gif` (animated, 2–16 frames) and `svg` (n = 1). */
  vectorAndAnimation?: readonly ('gif' | 'svg')[];
}

const standardQualities = ['low', 'medium', 'high', 'auto'];

export const fakeModelRules: Readonly<Record<string, FakeModelRules>> = {
  // openai 7.x: transparent backgrounds on gpt-image-2 are "in preview" (accepted; png or webp only).
  'gpt-image-2': {
    sizes: 'flexible',
    qualities: standardQualities,
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: [],
    markup: false,
  },
  'gpt-image-2-2026-04-21': {
    sizes: 'flexible',
    qualities: standardQualities,
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: [],
    markup: false,
  },
  'gpt-image-2.5-sunburst': {
    sizes: 'flexible',
    qualities: [...standardQualities, 'xhigh', 'max'],
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: ['high', 'low'],
    markup: true,
  },
  'gpt-image-2.5-flare': {
    sizes: 'flexible',
    qualities: [...standardQualities, 'xhigh', 'max'],
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: ['high', 'low'],
    markup: true,
  },
  'gpt-image-2.6-sunburst': {
    sizes: 'presets',
    qualities: [...standardQualities, 'xhigh', 'max'],
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: ['high', 'low'],
    markup: true,
    complexity: true,
    vectorAndAnimation: ['gif', 'svg'],
  },
  'gpt-image-2.6-flare': {
    sizes: 'presets',
    qualities: [...standardQualities, 'xhigh', 'max'],
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: ['high', 'low'],
    markup: true,
    complexity: true,
    vectorAndAnimation: ['gif', 'svg'],
  },
  'gpt-image-1.5': {
    sizes: 'presets',
    qualities: standardQualities,
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: ['high', 'low'],
    markup: false,
  },
  'gpt-image-1-mini': {
    sizes: 'presets',
    qualities: standardQualities,
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: ['low'],
    markup: false,
  },
  'chatgpt-image-latest': {
    sizes: 'presets',
    qualities: standardQualities,
    backgrounds: ['transparent', 'opaque', 'auto'],
    inputFidelity: ['high', 'low'],
    markup: false,
  },
};

/** Models the API answers with "has been shut down". */
export const shutDownModels: readonly string[] = ['gpt-image-1', 'dall-e-2', 'dall-e-3'];

/** Output tokens per image by size class and quality (published gpt-image-1 figures, used for plausible usage). */
const outputTokensByQuality: Readonly<Record<string, number>> = { low: 272, medium: 1056, high: 4160, auto: 1056, xhigh: 6240, max: 9360 };

export function plausibleOutputTokens(width: number, height: number, quality: string): number {
  return Math.round(((outputTokensByQuality[quality] ?? 1056) * (width * height)) / (1024 * 1024));
}

/** Why a size is refused, or undefined when the model accepts it. */
export function sizeProblem(rules: FakeModelRules, size: string): string | undefined {
  const presets = ['1024x1024', '1536x1024', '1024x1536', 'auto'];
  if (presets.includes(size)) return undefined;
  const supported = `Supported values are: ${presets.map((preset) => `'${preset}'`).join(', ')}`;
  if (rules.sizes === 'presets') return `Invalid value: '${size}'. ${supported}.`;
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match) return `Invalid value: '${size}'. Sizes are WIDTHxHEIGHT or 'auto'.`;
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width % 16 !== 0 || height % 16 !== 0) return `Invalid size '${size}': both dimensions must be multiples of 16.`;
  if (Math.max(width, height) / Math.min(width, height) > 3) return `Invalid size '${size}': the aspect ratio must be between 1:3 and 3:1.`;
  if (Math.max(width, height) > 3840 || width * height > 3840 * 2160) return `Invalid size '${size}': at most 3840x2160.`;
  if (width * height < 655_360) return `Invalid size '${size}': at least 655360 pixels.`;
  return undefined;
}
