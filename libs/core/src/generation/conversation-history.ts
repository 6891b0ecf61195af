import { createHash } from 'node:crypto';
import { ImageGenError } from '@imagegen/common';
import type { AnswerPart, ConversationPart, ConversationTurn, InputImage, ModelDefinition } from '@imagegen/providers';
import type { ImageConversation, ImageConversationPart, ImageConversationTurn, ImageStore } from '@imagegen/storage';
import type { ImageLimits } from '@imagegen/imaging';
import { imageIdFromReference, resolveImageSource } from '../engine/resolve-image-source';
import type { ImageSource } from '../engine/engine-types';

/**
 * Multi-turn editing in the engine. A Gemini image keeps, in its sidecar, the conversation that produced it (see
 * `ImageConversation` in @imagegen/storage). An edit with `continueConversation` names that image first: its stored
 * turns are read back (images from storage by id) and sent as history, and the new image's sidecar records the
 * longer conversation. Continuing is opt-in: the history costs input tokens and changes the result, so an ordinary
 * edit of a Gemini image stays a fresh, single-turn edit.
 */

/** A conversation being continued, read back and ready to send. */
export interface ContinuedConversation {
  /** The stored image whose conversation this is (the edit's first image). */
  sourceImageId: string;
  /** The model of the conversation (a follow-up must use it). */
  modelId: string;
  /** The earlier turns with their images' bytes, for the provider. */
  turns: ConversationTurn[];
  /** The same turns as the new image's sidecar records them (images by id). */
  records: ImageConversationTurn[];
  /** Earlier turns left out to stay within the model's input-image limit. */
  droppedTurns: number;
}

/** What reading a conversation back needs. */
export interface ConversationContext {
  store: ImageStore;
  limits: ImageLimits;
}

const refuse = (message: string, details: Record<string, unknown> = {}) =>
  new ImageGenError({ code: 'invalid_request', message, details: { setting: 'continue_conversation', ...details } });

/**
 * The stored conversation of the edit's first image, checked against the model the edit will use. Refuses when the
 * first image is not a stored one, has no conversation, or belongs to another provider or model (thought signatures
 * are only valid for the model that made them).
 */
export async function loadConversation(
  first: ImageSource | undefined,
  model: ModelDefinition,
  extraImages: number,
  context: ConversationContext,
): Promise<ContinuedConversation> {
  if (first?.kind !== 'stored') {
    throw refuse(
      'continue_conversation needs the first image to be a stored image (its id or generated-images:// URI): that is the conversation continued.',
    );
  }
  const source = await context.store.get(imageIdFromReference(first.imageId));
  const conversation = source.metadata.conversation;
  if (conversation === undefined) {
    throw refuse(
      `${source.imageId} has no conversation to continue: it was made by ${source.metadata.provider}/${source.metadata.model_used}, which cannot continue one, or before conversations were kept. Edit it without continue_conversation.`,
      { imageId: source.imageId },
    );
  }
  if (conversation.provider !== model.provider || conversation.model !== model.id) {
    throw refuse(
      `${source.imageId}'s conversation is with ${conversation.provider}/${conversation.model}; a follow-up turn must use that model (its thought signatures are valid for it only). Ask for model ${conversation.model}, or edit without continue_conversation.`,
      { imageId: source.imageId, conversationModel: conversation.model, model: model.id },
    );
  }
  const records = conversation.turns.map((turn) => ({
    role: turn.role,
    parts: turn.parts.map((part) => (part.this_image === true ? withoutThisImage(part, source.imageId) : part)),
  }));
  const kept = withinImageLimit(records, model.capabilities.maxInputImages - extraImages);
  const turns: ConversationTurn[] = [];
  for (const record of kept)
    turns.push({ role: record.role, parts: await Promise.all(record.parts.map((part) => readPart(part, source.imageId, context))) });
  return { sourceImageId: source.imageId, modelId: model.id, turns, records: kept, droppedTurns: records.length - kept.length };
}

/** Largest input image kept inline in a sidecar's conversation; a larger one that is not stored is left out of it. */
export const maxInlineConversationImageBytes = 512 * 1024;

/**
 * The user turn of this edit as the sidecar records it: the prompt, then the images beyond the continued one —
 * stored ones by id, small ones inline. A large image given as bytes is left out (the model's answer already shows
 * what it made of it), so sidecars stay small.
 */
export function userTurnRecord(
  prompt: string,
  images: ReadonlyArray<{ image: InputImage; storedImageId?: string }>,
): ImageConversationTurn {
  return {
    role: 'user',
    parts: [
      { text: prompt },
      ...images.flatMap(({ image, storedImageId }): ImageConversationPart[] => {
        if (storedImageId !== undefined) return [{ image_id: storedImageId }];
        return image.data.length <= maxInlineConversationImageBytes ? [{ inline_image: inlineOf(image.mimeType, image.data) }] : [];
      }),
    ],
  };
}

/**
 * The conversation the new image's sidecar keeps: the earlier turns, this user turn and the model's answer, whose
 * image is the stored image itself (`this_image`). When the engine resized or converted the model's image (Gemini
 * answers in tiers, so most images are resized to the exact size asked for), the follow-up sends the stored version:
 * keeping the model's original inline would make every sidecar megabytes large. Unverified: Google documents that
 * the signatures must come back, not whether they bind the image bytes; the fake accepts either.
 */
export function conversationRecord(
  model: ModelDefinition,
  earlier: readonly ImageConversationTurn[],
  userTurn: ImageConversationTurn,
  answerParts: readonly AnswerPart[],
): ImageConversation {
  const parts = answerParts.flatMap((part): ImageConversationPart[] => {
    const signature = part.thoughtSignature === undefined ? {} : { thought_signature: part.thoughtSignature };
    if (part.imageIndex !== undefined) return [{ this_image: true, ...signature }];
    return part.text === undefined ? [] : [{ text: part.text, ...signature }];
  });
  return { provider: model.provider, model: model.id, turns: [...earlier, userTurn, { role: 'model', parts }] };
}

/** A short fingerprint of the turns, for the cache key: the same history gives the same key. */
export function conversationFingerprint(records: readonly ImageConversationTurn[]): string {
  return createHash('sha256').update(JSON.stringify(records)).digest('hex').slice(0, 32);
}

/** Images the turns carry. */
export function imagesIn(records: readonly ImageConversationTurn[]): number {
  return records.reduce((sum, turn) => sum + turn.parts.filter((part) => part.text === undefined).length, 0);
}

/** Drops the oldest user–model pairs until the history's images fit `budget`; the last model turn always stays. */
function withinImageLimit(records: ImageConversationTurn[], budget: number): ImageConversationTurn[] {
  let kept = records;
  while (kept.length > 2 && imagesIn(kept) > budget) kept = kept.slice(2);
  return kept;
}

function withoutThisImage(part: ImageConversationPart, imageId: string): ImageConversationPart {
  const { this_image: _self, ...rest } = part;
  return { ...rest, image_id: imageId };
}

async function readPart(part: ImageConversationPart, sourceImageId: string, context: ConversationContext): Promise<ConversationPart> {
  const marks = {
    ...(part.thought === true ? { thought: true } : {}),
    ...(part.thought_signature === undefined ? {} : { thoughtSignature: part.thought_signature }),
  };
  if (part.text !== undefined) return { text: part.text, ...marks };
  const source: ImageSource =
    part.image_id !== undefined
      ? { kind: 'stored', imageId: part.image_id }
      : { kind: 'encoded', value: part.inline_image?.data_base64 ?? '' };
  try {
    const { image } = await resolveImageSource(source, 'conversation image', {
      store: context.store,
      limits: context.limits,
      allowedFolders: [],
    });
    return { image: { data: image.data, mimeType: image.mimeType, width: image.width, height: image.height }, ...marks };
  } catch (error) {
    if (ImageGenError.isInstance(error) && error.code === 'not_found' && part.image_id !== undefined) {
      throw refuse(
        `The conversation of ${sourceImageId} shows ${part.image_id}, which is no longer stored (deleted or cleaned up), so it cannot be continued. Edit without continue_conversation.`,
        { imageId: sourceImageId, missingImageId: part.image_id },
      );
    }
    throw error;
  }
}

function inlineOf(mimeType: string, data: Uint8Array): { mime_type: string; data_base64: string } {
  return { mime_type: mimeType, data_base64: Buffer.from(data).toString('base64') };
}
