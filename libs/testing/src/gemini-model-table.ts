/**
 * What the real Gemini API accepts per image model, written independently of the engine's registry so the fake can
 * catch the engine's mistakes.
 */
export interface FakeGeminiModelRules {
  /** Accepted `imageConfig.aspectRatio` values. */
  aspectRatios: readonly string[];
  /** Accepted `imageConfig.imageSize` values (uppercase K); empty when the model rejects the field. */
  imageSizes: readonly string[];
  /** Most inline reference images per request. */
  maxReferenceImages: number;
  /** Whether the model "thinks" first: its answers carry thought parts (text and a draft image) before the image. */
  thinks: boolean;
  /** Output tokens of one image per tier. */
  outputTokensByImageSize: Readonly<Record<string, number>>;
  /**
   * Accepted `thinkingConfig.thinkingLevel` values (the `ThinkingLevel` enum names of `@google/genai` 3.3, matched
   * without regard to case as Google's JSON parser does); empty when the model refuses the field.
   */
  thinkingLevels: readonly string[];
  /** Whether `tools: [{ googleSearch: {} }]` (grounding with Google Search) is accepted. */
  googleSearch: boolean;
  /**
   * Whether the model signs its answer parts (`thoughtSignature`) and requires the signatures back on the model turns
   * of a follow-up request (multi-turn editing), as the Gemini 3 image models do.
   */
  thoughtSignatures: boolean;
}

const standardRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
const extremeRatios = ['1:4', '4:1', '1:8', '8:1'];

export const fakeGeminiModelRules: Readonly<Record<string, FakeGeminiModelRules>> = {
  'gemini-3-pro-image': {
    aspectRatios: standardRatios,
    imageSizes: ['1K', '2K', '4K'],
    maxReferenceImages: 14,
    thinks: true,
    outputTokensByImageSize: { '1K': 1120, '2K': 1120, '4K': 2000 },
    // It always thinks; the level is not adjustable.
    thinkingLevels: [],
    googleSearch: true,
    thoughtSignatures: true,
  },
  'gemini-nano-banana-2.1': {
    aspectRatios: [...standardRatios, ...extremeRatios],
    // [3P] It refuses the 512 tier: all 14 ratios at 1K, 2K and 4K only.
    imageSizes: ['1K', '2K', '4K'],
    maxReferenceImages: 14,
    thinks: false,
    outputTokensByImageSize: { '1K': 1120, '2K': 1680, '4K': 3780 },
    thinkingLevels: ['MINIMAL', 'HIGH'],
    googleSearch: true,
    thoughtSignatures: true,
  },
  'gemini-3.1-flash-lite-image': {
    aspectRatios: standardRatios,
    imageSizes: ['512', '1K'],
    maxReferenceImages: 3,
    thinks: false,
    outputTokensByImageSize: { '512': 560, '1K': 1120 },
    thinkingLevels: [],
    googleSearch: false,
    thoughtSignatures: true,
  },
};

/** Models the API answers 404 for: shut down ([3P] gemini-3.1-flash-image on 2026-10-29). */
export const shutDownGeminiModels = [
  'gemini-3.1-flash-image',
  'gemini-2.5-flash-image',
  'gemini-2.5-flash-image-preview',
  'gemini-3-pro-image-preview',
  'gemini-3.1-flash-image-preview',
  'imagen-3',
  'imagen-4',
  'imagen-4-ultra',
  'imagen-4-fast',
];

/** Pixel size of the 1K images, per aspect ratio, as the vendor documents them. */
const oneKSizes: Readonly<Record<string, [number, number]>> = {
  '1:1': [1024, 1024],
  '2:3': [832, 1248],
  '3:2': [1248, 832],
  '3:4': [864, 1184],
  '4:3': [1184, 864],
  '4:5': [896, 1152],
  '5:4': [1152, 896],
  '9:16': [768, 1344],
  '16:9': [1344, 768],
  '21:9': [1536, 672],
};

const tierScale: Readonly<Record<string, number>> = { '512': 0.5, '1K': 1, '2K': 2, '4K': 4 };

/** The pixel size Gemini returns for an aspect ratio and a tier (1:1 at 1K without either). */
export function geminiOutputSize(aspectRatio: string | undefined, imageSize: string | undefined): { width: number; height: number } {
  const scale = tierScale[imageSize ?? '1K'] ?? 1;
  let base = oneKSizes[aspectRatio ?? '1:1'];
  if (base === undefined) {
    // The extreme ratios keep about a megapixel on a 16-pixel grid.
    const [ratioWidth = 1, ratioHeight = 1] = (aspectRatio ?? '1:1').split(':').map(Number);
    const width = Math.round(Math.sqrt((1024 * 1024 * ratioWidth) / ratioHeight) / 16) * 16;
    base = [width, Math.round((width * ratioHeight) / ratioWidth / 16) * 16];
  }
  return { width: Math.round(base[0] * scale), height: Math.round(base[1] * scale) };
}
