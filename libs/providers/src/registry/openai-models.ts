import type { ModelCapabilities, ModelDefinition, ModelPricing, SizeCapability } from '../contract';

/**
 * OpenAI image models as of 2026-12-01 (the provider API facts, checked against the openai 7.59 types in
 * resources/images.d.ts). Data only: adding a model or fixing a value never needs code. Facts marked "[?]" in
 * `notes` come from third-party sources or are unverified.
 */

const standardSizes = ['1024x1024', '1536x1024', '1024x1536', 'auto'] as const;

/** The three sizes (and `auto`) every GPT image model takes. */
const presetSizes: SizeCapability = { kind: 'list', sizes: standardSizes };

/**
 * gpt-image-2 and 2.5: any size divisible by 16, aspect between 1:3 and 3:1, at most 3840x2160. `minPixels`
 * (655,360 = 1024x640) is a guess: the vendor speaks of "current pixel limits" without publishing the floor.
 */
const flexibleSizes: SizeCapability = {
  kind: 'rule',
  presets: standardSizes,
  multipleOf: 16,
  maxEdge: 3840,
  maxPixels: 3840 * 2160,
  minPixels: 655_360,
  maxAspectRatio: 3,
};

const gptImageCapabilities: ModelCapabilities = {
  generate: true,
  edit: true,
  mask: true,
  maxInputImages: 16,
  maxImagesPerCall: 10,
  sizes: presetSizes,
  qualities: ['low', 'medium', 'high', 'auto'],
  backgrounds: ['transparent', 'opaque', 'auto'],
  outputFormats: ['png', 'jpeg', 'webp'],
  compression: true,
  moderation: ['auto', 'low'],
  inputFidelity: ['high', 'low'],
  partialImages: 3,
  style: false,
  maxPromptLength: 32000,
};

/** Output tokens per image for gpt-image-1 and 1.5 (the vendor's published table). */
const gptImage1OutputTokens = {
  '1024x1024': { low: 272, medium: 1056, high: 4160 },
  '1024x1536': { low: 408, medium: 1584, high: 6240 },
  '1536x1024': { low: 400, medium: 1568, high: 6208 },
} as const;

/**
 * Output tokens per image for the 2.x family: the third-party 2.5-flare 1024x1024 figures, scaled by pixel count
 * for the 1.5-megapixel presets. Unverified.
 */
function gptImage2OutputTokens(qualities: readonly string[]): Record<string, Record<string, number>> {
  const square: Record<string, number> = { low: 196, medium: 439, high: 1756, xhigh: 3122, max: 7024 };
  const table: Record<string, Record<string, number>> = {};
  for (const [size, pixelFactor] of [
    ['1024x1024', 1],
    ['1536x1024', 1.5],
    ['1024x1536', 1.5],
  ] as const) {
    const row: Record<string, number> = {};
    for (const quality of qualities) {
      const tokens = square[quality];
      if (tokens !== undefined) row[quality] = Math.round(tokens * pixelFactor);
    }
    table[size] = row;
  }
  return table;
}

function tokenPricing(
  rates: { text: number; imageIn: number; imageOut: number },
  outputTokensBySize: Record<string, Record<string, number>>,
  unverified: boolean,
): ModelPricing {
  return {
    kind: 'tokens',
    textInputPerMillion: rates.text,
    imageInputPerMillion: rates.imageIn,
    imageOutputPerMillion: rates.imageOut,
    outputTokensBySize,
    ...(unverified ? { unverified: true } : {}),
  };
}

const gptImage2Rates = { text: 5, imageIn: 8, imageOut: 30 };
const baseQualities = ['low', 'medium', 'high', 'auto'] as const;
const extendedQualities = ['low', 'medium', 'high', 'xhigh', 'max', 'auto'] as const;

/**
 * GIF output as the openai 7.x types describe it: 2 to 16 frames (9 when omitted), 200 ms per frame by default,
 * behind per-project preview access; no streaming, partial images, masks or output compression.
 */
const gifPreview = { minFrames: 2, maxFrames: 16, defaultFrames: 9, defaultFrameDurationMs: 200, preview: true } as const;

/** `complexity` on generate and edit (openai 7.51): planning effort, independent of quality and not charged extra. */
const complexities = ['low', 'medium', 'high'] as const;

const deprecatedUntilDecember = { kind: 'deprecated', shutdownDate: '2026-12-01', replacement: 'gpt-image-2.6-sunburst' } as const;

function gpt25(variant: 'sunburst' | 'flare'): ModelDefinition {
  return {
    id: `gpt-image-2.5-${variant}`,
    provider: 'openai',
    displayName: `GPT Image 2.5 ${variant === 'sunburst' ? 'Sunburst' : 'Flare'}`,
    aliases: [`gpt-image-2.5-${variant}-2026-09-08`],
    status: { kind: 'active' },
    capabilities: {
      ...gptImageCapabilities,
      sizes: flexibleSizes,
      qualities: extendedQualities,
      // The openai 7.x types name GPT Image 2.5 for `markup`, and opaque and transparent backgrounds for both 2.5 models.
      // They name no model for complexity, GIF or SVG, so the 2.5 models are not offered those.
      vendorFeatures: { markupEdits: true },
    },
    pricing: tokenPricing(gptImage2Rates, gptImage2OutputTokens(extendedQualities), true),
    notes:
      'Any size divisible by 16 up to 3840x2160 (above 2560x1440 is experimental). Qualities add xhigh and max. ' +
      'Edits accept a markup overlay (not together with a mask). ' +
      '[?] input_fidelity is assumed to work as on the 1.x models. Prices are third-party figures.',
  };
}

function gpt26(variant: 'sunburst' | 'flare'): ModelDefinition {
  return {
    id: `gpt-image-2.6-${variant}`,
    provider: 'openai',
    displayName: `GPT Image 2.6 ${variant === 'sunburst' ? 'Sunburst' : 'Flare'}`,
    aliases: [],
    status: { kind: 'active' },
    capabilities: {
      ...gptImageCapabilities,
      // [?] Third-party reports (the provider API facts, late 2026), not the SDK types: the 2.6 models take complexity,
      // markup, SVG and GIF, up to 16 reference images and quality up to max. The SDK types name them as image models
      // only; a wrong value here is answered with a 400, which costs nothing.
      qualities: extendedQualities,
      vendorFeatures: { complexities, outputFormats: ['gif', 'svg'], gif: gifPreview, markupEdits: true },
    },
    ...(variant === 'sunburst' ? { pricing: tokenPricing(gptImage2Rates, gptImage2OutputTokens(extendedQualities), true) } : {}),
    notes:
      'Newest GPT image models. [?] Complexity (low, medium, high), markup edits, SVG and animated GIF output (GIF in ' +
      'preview at OpenAI), up to 16 reference images and qualities up to max are third-party reports. Arbitrary sizes ' +
      'are unverified, so only the standard sizes are offered.' +
      (variant === 'flare'
        ? ' Pricing unknown.'
        : ' $5 / 1M text in, $8 / 1M image in, $30 / 1M output (third-party); output-token counts are estimated from 2.5-flare.'),
  };
}

/** Built-in OpenAI image models: active, deprecated and retired (retired ones exist to name their replacement). */
export const openaiModels: ModelDefinition[] = [
  {
    id: 'gpt-image-2',
    provider: 'openai',
    displayName: 'GPT Image 2',
    aliases: ['gpt-image-2-2026-04-21'],
    status: { kind: 'active' },
    providerDefault: true,
    capabilities: {
      ...gptImageCapabilities,
      sizes: flexibleSizes,
      // openai 6.49 said gpt-image-2 rejects `background: transparent`; the 7.x types say it is "in preview" (png or
      // webp output). An explicit request for it is sent, with a warning that the result is preview quality.
      backgrounds: ['opaque', 'auto'],
      inputFidelity: [],
      vendorFeatures: { previewBackgrounds: ['transparent'] },
    },
    pricing: tokenPricing(gptImage2Rates, gptImage2OutputTokens(baseQualities), true),
    notes:
      'Any size divisible by 16 with an aspect between 1:3 and 3:1, up to 3840x2160 (above 2560x1440 is experimental). ' +
      'Transparent backgrounds are in preview at OpenAI (png or webp; the result carries a warning); no input_fidelity. Prices and token counts are third-party estimates.',
  },
  gpt25('sunburst'),
  gpt25('flare'),
  gpt26('sunburst'),
  gpt26('flare'),
  {
    id: 'gpt-image-1.5',
    provider: 'openai',
    displayName: 'GPT Image 1.5',
    aliases: [],
    status: deprecatedUntilDecember,
    capabilities: gptImageCapabilities,
    pricing: tokenPricing({ text: 5, imageIn: 8, imageOut: 32 }, gptImage1OutputTokens, true),
    notes: 'Deprecated: shuts down on 2026-12-01. Image-output price is a third-party figure.',
  },
  {
    id: 'gpt-image-1-mini',
    provider: 'openai',
    displayName: 'GPT Image 1 Mini',
    aliases: [],
    status: deprecatedUntilDecember,
    capabilities: { ...gptImageCapabilities, inputFidelity: ['low'] },
    pricing: tokenPricing({ text: 2, imageIn: 2.5, imageOut: 8 }, gptImage1OutputTokens, true),
    notes: 'Deprecated: shuts down on 2026-12-01. input_fidelity low only. Output-token counts borrowed from gpt-image-1.',
  },
  {
    id: 'chatgpt-image-latest',
    provider: 'openai',
    displayName: 'ChatGPT Image (latest)',
    aliases: [],
    status: deprecatedUntilDecember,
    capabilities: gptImageCapabilities,
    notes: 'Deprecated: shuts down on 2026-12-01. Pricing unknown.',
  },
  {
    id: 'gpt-image-1',
    provider: 'openai',
    displayName: 'GPT Image 1',
    aliases: [],
    status: { kind: 'retired', retiredDate: '2026-10-23', replacement: 'gpt-image-2.5-sunburst' },
    capabilities: gptImageCapabilities,
    pricing: tokenPricing({ text: 5, imageIn: 10, imageOut: 40 }, gptImage1OutputTokens, false),
    notes: 'Shut down on 2026-10-23.',
  },
  {
    id: 'dall-e-3',
    provider: 'openai',
    displayName: 'DALL·E 3',
    aliases: [],
    status: { kind: 'retired', retiredDate: '2026-05-12', replacement: 'gpt-image-2' },
    capabilities: {
      ...gptImageCapabilities,
      edit: false,
      mask: false,
      maxInputImages: 0,
      maxImagesPerCall: 1,
      sizes: { kind: 'list', sizes: ['1024x1024', '1792x1024', '1024x1792'] },
      qualities: ['standard', 'hd'],
      backgrounds: [],
      outputFormats: ['png'],
      compression: false,
      moderation: [],
      inputFidelity: [],
      partialImages: 0,
      style: true,
      maxPromptLength: 4000,
    },
    notes: 'Shut down on 2026-05-12.',
  },
  {
    id: 'dall-e-2',
    provider: 'openai',
    displayName: 'DALL·E 2',
    aliases: [],
    status: { kind: 'retired', retiredDate: '2026-05-12', replacement: 'gpt-image-2' },
    capabilities: {
      ...gptImageCapabilities,
      maxInputImages: 1,
      sizes: { kind: 'list', sizes: ['256x256', '512x512', '1024x1024'] },
      qualities: ['standard'],
      backgrounds: [],
      outputFormats: ['png'],
      compression: false,
      moderation: [],
      inputFidelity: [],
      partialImages: 0,
      maxPromptLength: 1000,
    },
    notes: 'Shut down on 2026-05-12, together with the variations endpoint.',
  },
];
