import type { ProviderCall, ResolvedSize } from '../contract';
import { pricedSize } from '../cost/priced-size';
import { imageSizeTierFor, nearestAspectRatio } from '../validation/size';

/** One part of a Gemini `Content`, as the wire format spells it. */
export type GeminiPart = { text: string } | { inlineData: { mimeType: string; data: string } };

/** The `generateContent` parameters this provider sends, in the SDK's shape. */
export interface GeminiImageRequest {
  /** Model id without the `models/` prefix. */
  model: string;
  /** One user turn: the prompt, then the reference images. */
  contents: Array<{ role: 'user'; parts: GeminiPart[] }>;
  /** `generationConfig` fields. */
  config: {
    responseModalities: string[];
    imageConfig?: { aspectRatio?: string; imageSize?: string };
  };
}

/** The request plus what was decided on the way, for cost and logs. */
export interface PlannedGeminiRequest {
  request: GeminiImageRequest;
  /** The output's resolution tier (`1K`, …); sent as `imageSize` when the model has several. */
  tier?: string;
  /** The size the tier was chosen for (the requested size, or the first input image's for an unsized edit); prices the call. */
  pricedSize: ResolvedSize;
  /** The aspect ratio sent, when one was sent. */
  aspectRatio?: string;
}

/**
 * Translates a validated provider call into a Gemini `generateContent` request: the aspect ratio comes from the
 * requested size (the nearest supported one when there is no exact match; the engine then crops or resizes to the
 * exact size), the resolution tier from the size and quality, and input images become inline reference parts.
 */
export function planGeminiRequest(call: ProviderCall): PlannedGeminiRequest {
  const sizes = call.model.capabilities.sizes;
  const imageConfig: { aspectRatio?: string; imageSize?: string } = {};
  let tier: string | undefined;

  const priced = pricedSize(call);
  const target = priced === 'auto' ? undefined : priced;
  if (sizes.kind === 'aspect-ratios') {
    if (call.size !== 'auto') {
      const nearest = nearestAspectRatio(call.size.width, call.size.height, sizes.ratios);
      if (nearest !== undefined) imageConfig.aspectRatio = nearest.ratio;
    }
    tier = imageSizeTierFor(sizes, target ?? 'auto', call.quality);
    // A model with a single tier has no imageSize parameter to send.
    if (tier !== undefined && sizes.imageSizes.length > 1) imageConfig.imageSize = tier;
  }

  const parts: GeminiPart[] = [{ text: call.prompt }];
  for (const image of call.images ?? []) {
    parts.push({ inlineData: { mimeType: image.mimeType, data: Buffer.from(image.data).toString('base64') } });
  }
  const request: GeminiImageRequest = {
    model: call.model.id,
    contents: [{ role: 'user', parts }],
    config: {
      // Image models answer with text and image parts; asking for IMAGE alone is refused by some of them.
      responseModalities: ['TEXT', 'IMAGE'],
      ...(Object.keys(imageConfig).length === 0 ? {} : { imageConfig }),
    },
  };
  return {
    request,
    pricedSize: priced,
    ...(tier === undefined ? {} : { tier }),
    ...(imageConfig.aspectRatio === undefined ? {} : { aspectRatio: imageConfig.aspectRatio }),
  };
}
