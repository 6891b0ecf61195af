import type { ModelCapabilities, ModelDefinition, SizeCapability } from '../contract';

/**
 * Google image models as of 2026-11-25 (see the provider API facts, section 3). Data only. Every Imagen model is shut
 * down and `generateImages` no longer works with an API key, so generation and editing go through the Gemini image
 * models and `generateContent`. Prices marked unverified come from third-party sources; `notes` says which.
 */

/** The aspect ratios every Gemini image model takes. */
const standardRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;
/** The extra, extreme ratios of the 3.1 generation. */
const extremeRatios = ['1:4', '4:1', '1:8', '8:1'] as const;

/**
 * Long side of a 1:1 image per resolution tier. Other ratios are a little longer (3:2 at 1K is 1248x832), so a size is
 * never assigned a tier that would need upscaling.
 */
const longEdgeByImageSize = { '512': 512, '1K': 1024, '2K': 2048, '4K': 4096 } as const;

function aspectSizes(ratios: readonly string[], imageSizes: readonly string[]): SizeCapability {
  const edges: Record<string, number> = {};
  for (const tier of imageSizes) edges[tier] = longEdgeByImageSize[tier as keyof typeof longEdgeByImageSize];
  return { kind: 'aspect-ratios', ratios, imageSizes, longEdgeByImageSize: edges };
}

/**
 * What every Gemini image model shares. `mask` is true because the engine honours masks by compositing
 * (`maskMode: 'composite'`): Gemini has no mask parameter, so the whole image is edited and only the masked area of
 * the result is kept over the original. Output is PNG on the Gemini API; other formats are converted locally.
 */
function geminiCapabilities(
  overrides: Partial<ModelCapabilities> & Pick<ModelCapabilities, 'sizes' | 'maxInputImages'>,
): ModelCapabilities {
  return {
    generate: true,
    edit: true,
    mask: true,
    maskMode: 'composite',
    maxImagesPerCall: 1,
    qualities: ['low', 'medium', 'high'],
    backgrounds: [],
    outputFormats: ['png'],
    compression: false,
    moderation: [],
    inputFidelity: [],
    partialImages: 0,
    style: false,
    maxPromptLength: 32000,
    ...overrides,
  };
}

/**
 * Grounding with Google Search on the Gemini 3 image models. [3P] $14 per 1,000 search queries (the facts file gives
 * +$0.014 per query on nano-banana-2.1); the SDK types carry no prices, so every figure is marked unverified.
 */
const googleSearchGrounding = { pricePerQueryUsd: 0.014, estimatedQueriesPerCall: 1, unverified: true } as const;
/**
 * [3P] the Flash-class Nano Banana models expose a thinking level; `@google/genai` 3.3 defines MINIMAL, LOW, MEDIUM,
 * HIGH and XHIGH but not which model takes which. Only the two levels documented for these models are listed (the
 * safer reading): another level would be refused by Google, so it is refused here first.
 */
const flashThinkingLevels = ['minimal', 'high'] as const;

const qualityNote =
  'Quality maps to the resolution tier (imageSize): low and medium use the smallest tier that covers the requested size, high one tier above it.';

/** Shut-down Google models, kept so that a request or a configuration naming one gets a clear answer. */
function retiredGoogleModel(id: string, displayName: string, retiredDate: string, replacement: string, notes: string): ModelDefinition {
  return {
    id,
    provider: 'gemini',
    displayName,
    aliases: [],
    status: { kind: 'retired', retiredDate, replacement },
    capabilities: geminiCapabilities({ sizes: aspectSizes(standardRatios, ['1K']), maxInputImages: 0, edit: false, mask: false }),
    notes,
  };
}

export const geminiModels: ModelDefinition[] = [
  {
    id: 'gemini-nano-banana-2.1',
    provider: 'gemini',
    displayName: 'Gemini Nano Banana 2.1',
    aliases: ['nano-banana-2.1'],
    status: { kind: 'active' },
    providerDefault: true,
    capabilities: geminiCapabilities({
      // [3P] It refuses the 512 tier (all 14 ratios at 1K, 2K and 4K); the SDK cannot say, so 512 is left out (the
      // safer reading: a 512-pixel request is made at 1K and resized, never refused by Google after the fact).
      sizes: aspectSizes([...standardRatios, ...extremeRatios], ['1K', '2K', '4K']),
      maxInputImages: 14,
      thinkingLevels: flashThinkingLevels,
      searchGrounding: googleSearchGrounding,
      multiTurnEditing: true,
    }),
    pricing: {
      kind: 'per-image',
      // The 1K and 4K prices are third-party figures; no 2K price is published, so the 4K price stands in for 2K (an
      // upper bound keeps budgets safe).
      perImageBySize: { '1K': 0.0336, '2K': 0.1134, '4K': 0.1134 },
      textInputPerMillion: 0.5,
      imageInputPerMillion: 0.5,
      unverified: true,
    },
    notes: `Google's fast, inexpensive image model. ${qualityNote} Thinking level minimal or high; Google Search grounding; multi-turn editing. [?] Prices (and the $0.014 per search query) are third-party figures; the 2K price is the 4K one, as an upper bound. Third-party sources say it refuses the 512 tier, so 512 is not offered.`,
  },
  {
    id: 'gemini-3-pro-image',
    provider: 'gemini',
    displayName: 'Gemini 3 Pro Image',
    aliases: ['nano-banana-pro'],
    status: { kind: 'active' },
    capabilities: geminiCapabilities({
      sizes: aspectSizes(standardRatios, ['1K', '2K', '4K']),
      maxInputImages: 14,
      // It always reasons before drawing; no thinking level is documented for it, so none is offered.
      searchGrounding: googleSearchGrounding,
      multiTurnEditing: true,
    }),
    pricing: {
      kind: 'per-image',
      perImageBySize: { '1K': 0.134, '2K': 0.134, '4K': 0.24 },
      textInputPerMillion: 2,
      imageInputPerMillion: 2,
      unverified: true,
    },
    notes: `Google's highest-quality image model, with reasoning ("thinking") before it draws (not adjustable). ${qualityNote} Google Search grounding; multi-turn editing. [?] Prices are third-party figures ($120 per million output tokens; $0.014 per search query).`,
  },
  {
    id: 'gemini-3.1-flash-image',
    provider: 'gemini',
    displayName: 'Gemini 3.1 Flash Image',
    aliases: ['nano-banana-2'],
    status: { kind: 'active' },
    capabilities: geminiCapabilities({
      sizes: aspectSizes([...standardRatios, ...extremeRatios], ['512', '1K', '2K', '4K']),
      maxInputImages: 14,
      thinkingLevels: flashThinkingLevels,
      searchGrounding: googleSearchGrounding,
      multiTurnEditing: true,
    }),
    pricing: {
      kind: 'per-image',
      perImageBySize: { '512': 0.045, '1K': 0.067, '2K': 0.101, '4K': 0.151 },
      textInputPerMillion: 0.5,
      imageInputPerMillion: 0.5,
      unverified: true,
    },
    // [3P] shut down on 2026-10-29; Google has not announced it, so it stays listed and Google's own model list decides:
    // when the list was read and lacks it, requests are refused before any call (see the engine's live model list).
    notes: `${qualityNote} [?] Third-party sources say it was shut down on 2026-10-29 in favour of gemini-nano-banana-2.1; Google has not announced it, so Google's model list decides: when your key's list lacks it, requests are refused with that reason. Prices are third-party figures.`,
  },
  {
    id: 'gemini-3.1-flash-lite-image',
    provider: 'gemini',
    displayName: 'Gemini 3.1 Flash-Lite Image',
    aliases: [],
    status: { kind: 'active' },
    capabilities: geminiCapabilities({ sizes: aspectSizes(standardRatios, ['512', '1K']), maxInputImages: 3, multiTurnEditing: true }),
    notes: `The lowest-cost Gemini image model. ${qualityNote} [?] Its limits (1K at most, 3 reference images) and prices are unverified; cost is reported as unknown until configured (IMAGES__CUSTOM_MODELS can add pricing).`,
  },
  {
    id: 'gemini-2.5-flash-image',
    provider: 'gemini',
    displayName: 'Gemini 2.5 Flash Image',
    aliases: ['gemini-2.5-flash-image-preview', 'nano-banana'],
    status: { kind: 'deprecated', shutdownDate: '2026-10-02', replacement: 'gemini-nano-banana-2.1' },
    capabilities: geminiCapabilities({ sizes: aspectSizes(standardRatios, ['1K']), maxInputImages: 3, qualities: [] }),
    pricing: { kind: 'per-image', perImageBySize: { '1K': 0.039 }, textInputPerMillion: 0.3, imageInputPerMillion: 0.3 },
    notes: 'Past its announced shutdown (2026-10-02); requests are refused with the replacement named.',
  },
  retiredGoogleModel(
    'gemini-3-pro-image-preview',
    'Gemini 3 Pro Image (preview)',
    '2026-06-25',
    'gemini-3-pro-image',
    'The preview became the GA gemini-3-pro-image.',
  ),
  retiredGoogleModel(
    'gemini-3.1-flash-image-preview',
    'Gemini 3.1 Flash Image (preview)',
    '2026-06-25',
    'gemini-3.1-flash-image',
    'The preview became the GA gemini-3.1-flash-image.',
  ),
  retiredGoogleModel(
    'imagen-4',
    'Imagen 4',
    '2026-06-30',
    'gemini-3-pro-image',
    'Every Imagen model was shut down in mid-2026 (the exact day is not published); generateImages no longer works with an API key.',
  ),
  retiredGoogleModel(
    'imagen-4-ultra',
    'Imagen 4 Ultra',
    '2026-06-30',
    'gemini-3-pro-image',
    'Every Imagen model was shut down in mid-2026.',
  ),
  retiredGoogleModel(
    'imagen-4-fast',
    'Imagen 4 Fast',
    '2026-06-30',
    'gemini-nano-banana-2.1',
    'Every Imagen model was shut down in mid-2026.',
  ),
  retiredGoogleModel('imagen-3', 'Imagen 3', '2026-06-30', 'gemini-nano-banana-2.1', 'Every Imagen model was shut down in mid-2026.'),
];
