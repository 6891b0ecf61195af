import { computeRequestKey, hashBytes } from '@imagegen/cache';
import {
  planRequest,
  type InputImage,
  type ModelDefinition,
  type RequestDefaults,
  type RequestPlan,
  type RequestWarning,
} from '@imagegen/providers';
import { loadImaging } from '../engine/imaging-module';
import type { EditImageInput, GenerateImageInput } from '../engine/engine-types';
import type { ResolvedImageSource } from '../engine/resolve-image-source';
import type { ImageConversationTurn } from '@imagegen/storage';
import { conversationFingerprint, userTurnRecord, type ContinuedConversation } from './conversation-history';

/** A request as the engine received it, with its inputs already read and validated. */
export interface GenerationRequest {
  operation: 'generate' | 'edit';
  input: GenerateImageInput | EditImageInput;
  /** Source images of an edit. */
  inputImages: readonly ResolvedImageSource[];
  /** The prepared mask of an edit. */
  mask?: InputImage;
  /** The prepared markup overlay of an edit. */
  markup?: InputImage;
  /** Warnings found while reading the inputs. */
  inputWarnings: readonly RequestWarning[];
  /** The conversation an edit continues (multi-turn editing). */
  conversation?: ContinuedConversation;
}

/** Everything later steps need to know about one request, decided before anything is paid for. */
export interface GenerationPlan {
  operation: 'generate' | 'edit';
  model: ModelDefinition;
  /** What the caller asked for as model (recorded in metadata). */
  modelRequested: string;
  /** The validated call(s), with sizes, formats and the final prompt. */
  plan: RequestPlan;
  /** What was changed or ignored; later steps add theirs. */
  warnings: RequestWarning[];
  /** The request as resolved, for results and metadata. */
  parameters: Record<string, unknown>;
  /** The cache key: the same normalised request gives the same key. */
  requestHash: string;
  /** Stored ids of the edit's sources. */
  sourceImageIds: string[];
  labels?: Record<string, string>;
  /** Whether the cache lookup and sharing are skipped (`fresh`). */
  fresh: boolean;
  /**
   * On models with multi-turn editing: the earlier turns and this user turn, as the new images' sidecars record them
   * (each image adds the model's answer).
   */
  conversationStart?: { earlier: readonly ImageConversationTurn[]; userTurn: ImageConversationTurn };
}

/** The defaults a plan fills in. */
export interface PlanDefaults extends RequestDefaults {
  model: string;
  /** `IMAGES__DEFAULT_STYLE`: the style of a request that names none. */
  style?: string;
}

/** Step 2: validates the request for its model, applies defaults and computes the request's cache key. */
export async function planGeneration(request: GenerationRequest, model: ModelDefinition, defaults: PlanDefaults): Promise<GenerationPlan> {
  const { operation, input, mask, markup } = request;
  const providerImages: InputImage[] = [];
  for (const { image } of request.inputImages) {
    // Vendors take PNG, JPEG and WebP; a GIF (first frame) is sent as PNG.
    const sendable = image.format === 'gif' ? await (await loadImaging()).convertImage(image.data, { format: 'png' }) : image;
    providerImages.push({ data: sendable.data, mimeType: sendable.mimeType, width: sendable.width, height: sendable.height });
  }
  const style = input.style ?? defaults.style;
  const call = {
    ...input,
    ...(style === undefined ? {} : { style }),
    ...(operation === 'edit' ? { images: providerImages, ...(mask ? { mask } : {}), ...(markup ? { markup } : {}) } : {}),
    ...(request.conversation === undefined ? {} : { conversation: request.conversation.turns }),
  };
  delete (call as { continueConversation?: boolean }).continueConversation;
  delete (call as { fresh?: boolean }).fresh;
  delete (call as { labels?: unknown }).labels;
  const plan = planRequest(model, call, defaults);
  const parameters = {
    ...describeParameters(plan),
    // The overlay changes the picture, so it is part of the cache key (by content) and of the recorded request.
    ...(markup ? { markup_sha256: hashBytes(markup.data) } : {}),
  };
  const requestHash = computeRequestKey({
    operation,
    model: model.id,
    prompt: plan.call.prompt,
    parameters,
    images: providerImages.map((image) => hashBytes(image.data)),
    mask: mask ? hashBytes(mask.data) : undefined,
    conversation: request.conversation === undefined ? undefined : conversationFingerprint(request.conversation.records),
  });
  // The continued image is already the history's last model turn; the user turn records the images beyond it.
  const newTurnImages = request.inputImages
    .map((source, index) => ({
      image: providerImages[index] as InputImage,
      ...(source.storedImageId ? { storedImageId: source.storedImageId } : {}),
    }))
    .slice(request.conversation === undefined ? 0 : 1);
  const conversationStart =
    model.capabilities.multiTurnEditing === true
      ? { earlier: request.conversation?.records ?? [], userTurn: userTurnRecord(plan.call.prompt, newTurnImages) }
      : undefined;
  return {
    operation,
    model,
    modelRequested: input.model ?? defaults.model,
    plan,
    warnings: [...request.inputWarnings, ...plan.warnings],
    parameters,
    requestHash,
    sourceImageIds: request.inputImages.flatMap((source) => (source.storedImageId ? [source.storedImageId] : [])),
    ...(input.labels ? { labels: input.labels } : {}),
    fresh: input.fresh === true,
    ...(conversationStart === undefined ? {} : { conversationStart }),
  };
}

/** The resolved request as results and metadata show it (snake_case, sizes as `WxH`). */
export function describeParameters(plan: RequestPlan): Record<string, unknown> {
  const call = plan.call;
  const finalSize = plan.finalSize === 'auto' ? 'auto' : `${plan.finalSize.width}x${plan.finalSize.height}`;
  const requestedSize = call.size === 'auto' ? 'auto' : `${call.size.width}x${call.size.height}`;
  return {
    n: plan.totalImages,
    size: finalSize,
    ...(requestedSize === finalSize ? {} : { provider_size: requestedSize }),
    ...(call.quality === undefined ? {} : { quality: call.quality }),
    ...(call.style === undefined ? {} : { style: call.style }),
    ...(call.background === undefined ? {} : { background: call.background }),
    output_format: plan.outputFormat,
    ...(plan.compression === undefined ? {} : { compression: plan.compression }),
    ...(call.moderation === undefined ? {} : { moderation: call.moderation }),
    ...(call.inputFidelity === undefined ? {} : { input_fidelity: call.inputFidelity }),
    ...(call.thinkingLevel === undefined ? {} : { thinking_level: call.thinkingLevel }),
    ...(call.searchGrounding === true ? { search_grounding: true } : {}),
    ...(call.conversation === undefined ? {} : { continue_conversation: true, conversation_turns: call.conversation.length }),
    ...(call.complexity === undefined ? {} : { complexity: call.complexity }),
    ...(call.frameCount === undefined ? {} : { frame_count: call.frameCount }),
    ...(call.frameDurationMs === undefined ? {} : { frame_duration_ms: call.frameDurationMs }),
    ...(call.partialImages === undefined ? {} : { partial_images: call.partialImages }),
  };
}
