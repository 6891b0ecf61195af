import type { ConversationTurn, ModelDefinition } from '../contract';
import { invalidRequest } from './invalid-request';

/**
 * Planning of the abilities only some models have — thinking level, grounding with Google Search, multi-turn editing.
 * Each is refused, before anything is paid, on a model that lacks it; the message names where to look instead.
 */

/** The thinking levels `@google/genai` 3.3 defines (`ThinkingLevel`), lowercase, least reasoning first. */
export const knownThinkingLevels = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;

/** The thinking level to send (lowercase), or undefined when none was asked for. */
export function planThinkingLevel(model: ModelDefinition, requested: string | undefined): string | undefined {
  if (requested === undefined) return undefined;
  const level = requested.trim().toLowerCase();
  const allowed = model.capabilities.thinkingLevels ?? [];
  if (allowed.length === 0) {
    throw invalidRequest({
      setting: 'thinking_level',
      message: `${model.id} has no adjustable thinking level. Leave thinking_level out, or choose a model whose listing shows thinking_levels (list_available_models).`,
      allowed: [],
    });
  }
  if (!allowed.includes(level)) {
    throw invalidRequest({
      setting: 'thinking_level',
      message: `${model.id} takes thinking_level ${allowed.join(' or ')}; '${requested}' is not one of them.`,
      allowed: [...allowed],
    });
  }
  return level;
}

/** Whether to ground with Google Search; refuses it on models without it. */
export function planSearchGrounding(model: ModelDefinition, requested: boolean | undefined): boolean {
  if (requested !== true) return false;
  if (model.capabilities.searchGrounding === undefined) {
    throw invalidRequest({
      setting: 'search_grounding',
      message: `${model.id} cannot ground images with Google Search. Leave search_grounding out, or choose a model whose listing shows search_grounding (list_available_models).`,
    });
  }
  return true;
}

/**
 * The history of a continued conversation: only on edits, only on models with `multiTurnEditing`, and with the
 * history's images and the edit's further images (beyond the first, which the last model turn already holds) within
 * the model's input-image limit (the engine drops the oldest turns first).
 */
export function planConversation(
  model: ModelDefinition,
  operation: 'generate' | 'edit',
  conversation: readonly ConversationTurn[] | undefined,
  newImages: number,
): readonly ConversationTurn[] | undefined {
  if (conversation === undefined || conversation.length === 0) return undefined;
  if (operation !== 'edit') {
    throw invalidRequest({ setting: 'continue_conversation', message: 'Only an edit can continue the conversation of a stored image.' });
  }
  if (model.capabilities.multiTurnEditing !== true) {
    throw invalidRequest({
      setting: 'continue_conversation',
      message: `${model.id} cannot continue a conversation (multi-turn editing). Edit without continue_conversation, or choose a model whose listing shows multi_turn_editing.`,
    });
  }
  const historyImages = conversation.reduce((sum, turn) => sum + turn.parts.filter((part) => part.image !== undefined).length, 0);
  const limit = model.capabilities.maxInputImages;
  // The edit's first image is the one the last model turn produced: it travels in the history, not again.
  const added = Math.max(0, newImages - 1);
  if (historyImages + added > limit) {
    throw invalidRequest({
      setting: 'continue_conversation',
      message: `The conversation holds ${historyImages} earlier image(s) and this edit adds ${added}; ${model.id} takes at most ${limit} images in one request.`,
      allowed: { max: limit },
    });
  }
  return conversation;
}
