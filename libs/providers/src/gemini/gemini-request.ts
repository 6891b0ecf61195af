import type { ThinkingLevel } from '@google/genai';
import type { ConversationTurn, InputImage, ProviderCall, ResolvedSize } from '../contract';
import { pricedSize } from '../cost/priced-size';
import { imageSizeTierFor, nearestAspectRatio } from '../validation/size';

/** What a part may carry besides its data: the reasoning flag and the signature a follow-up turn sends back. */
interface GeminiPartMarks {
  thought?: boolean;
  thoughtSignature?: string;
}

/** One part of a Gemini `Content`, as the wire format spells it. */
export type GeminiPart = ({ text: string } | { inlineData: { mimeType: string; data: string } }) & GeminiPartMarks;

/** One turn of `contents`. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** The `generateContent` parameters this provider sends, in the SDK's shape. */
export interface GeminiImageRequest {
  /** Model id without the `models/` prefix. */
  model: string;
  /**
   * The earlier turns of a continued conversation (the model's turns with their signatures unchanged), then the new
   * user turn: the prompt, then the reference images.
   */
  contents: GeminiContent[];
  /** `generationConfig` fields, plus the request's `tools`. */
  config: {
    responseModalities: string[];
    imageConfig?: { aspectRatio?: string; imageSize?: string };
    /** `ThinkingLevel` of `@google/genai` 3.3: `MINIMAL`, `LOW`, `MEDIUM`, `HIGH`, `XHIGH`. */
    thinkingConfig?: { thinkingLevel: ThinkingLevel };
    /** Grounding with Google Search. */
    tools?: Array<{ googleSearch: Record<string, never> }>;
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
  // A continued conversation already holds the first image: the model turn that produced it.
  const continuing = (call.conversation?.length ?? 0) > 0;
  for (const image of (call.images ?? []).slice(continuing ? 1 : 0)) parts.push(inlineImage(image));
  const request: GeminiImageRequest = {
    model: call.model.id,
    contents: [...historyContents(call.conversation ?? []), { role: 'user', parts }],
    config: {
      // Image models answer with text and image parts; asking for IMAGE alone is refused by some of them.
      responseModalities: ['TEXT', 'IMAGE'],
      ...(Object.keys(imageConfig).length === 0 ? {} : { imageConfig }),
      ...(call.thinkingLevel === undefined ? {} : { thinkingConfig: { thinkingLevel: call.thinkingLevel.toUpperCase() as ThinkingLevel } }),
      ...(call.searchGrounding === true ? { tools: [{ googleSearch: {} }] } : {}),
    },
  };
  return {
    request,
    pricedSize: priced,
    ...(tier === undefined ? {} : { tier }),
    ...(imageConfig.aspectRatio === undefined ? {} : { aspectRatio: imageConfig.aspectRatio }),
  };
}

function inlineImage(image: InputImage): GeminiPart {
  return { inlineData: { mimeType: image.mimeType, data: Buffer.from(image.data).toString('base64') } };
}

/**
 * Earlier turns as `contents`. Every part keeps its `thoughtSignature` exactly as the model gave it: Gemini 3 image
 * models refuse a follow-up whose model turn lacks them (400).
 */
function historyContents(conversation: readonly ConversationTurn[]): GeminiContent[] {
  return conversation.map((turn) => ({
    role: turn.role,
    parts: turn.parts.flatMap((part): GeminiPart[] => {
      const marks: GeminiPartMarks = {
        ...(part.thought === true ? { thought: true } : {}),
        ...(part.thoughtSignature === undefined ? {} : { thoughtSignature: part.thoughtSignature }),
      };
      if (part.image !== undefined) return [{ ...inlineImage(part.image), ...marks }];
      if (part.text !== undefined) return [{ text: part.text, ...marks }];
      return [];
    }),
  }));
}
