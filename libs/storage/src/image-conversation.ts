import { isValidImageId } from './image-id';

/**
 * Multi-turn editing and grounding facts in the sidecar (snake_case like the rest of it). A conversation is what a
 * follow-up edit sends back to the model: every earlier turn, ending with the model turn that produced this image.
 * Images are referenced by id (`image_id`, or `this_image` for the image the sidecar belongs to), so the sidecar stays
 * small; an image the store does not hold (a caller's base64 input, or the model's original when the engine resized
 * or converted it) is kept inline.
 */
export interface ImageConversation {
  /** Provider whose model the conversation is with. */
  provider: string;
  /** The model id; a follow-up must use the same model (its signatures are its own). */
  model: string;
  /** The turns, oldest first. */
  turns: ImageConversationTurn[];
}

/** One turn of a stored conversation. */
export interface ImageConversationTurn {
  /** Who said it. */
  role: 'user' | 'model';
  /** Its parts, in order. */
  parts: ImageConversationPart[];
}

/** One part: text, or an image by reference or inline, with the vendor's signature when it gave one. */
export interface ImageConversationPart {
  /** Text of the part. */
  text?: string;
  /** A stored image. */
  image_id?: string;
  /** The image this sidecar belongs to (its id is not known until it is saved). */
  this_image?: true;
  /** An image the store does not hold, inline. */
  inline_image?: { mime_type: string; data_base64: string };
  /** Whether the model marked the part as reasoning. */
  thought?: true;
  /** The vendor's opaque signature, sent back unchanged (base64). */
  thought_signature?: string;
}

/** What grounding with a web search used, for people to check the image's facts. */
export interface ImageGrounding {
  /** Queries the model ran. */
  search_queries: string[];
  /** Pages the answer drew on. */
  sources: Array<{ title?: string; uri: string }>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Reads a sidecar's `conversation`; `null` when absent, problems added for a malformed one. */
export function parseConversation(value: unknown, problems: string[]): ImageConversation | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value) || typeof value['provider'] !== 'string' || typeof value['model'] !== 'string' || !Array.isArray(value['turns'])) {
    problems.push('conversation must have provider, model and turns');
    return null;
  }
  const turns: ImageConversationTurn[] = [];
  for (const [index, turn] of (value['turns'] as unknown[]).entries()) {
    if (!isObject(turn) || (turn['role'] !== 'user' && turn['role'] !== 'model') || !Array.isArray(turn['parts'])) {
      problems.push(`conversation.turns[${index}] must have a role (user or model) and parts`);
      return null;
    }
    const parts: ImageConversationPart[] = [];
    for (const part of turn['parts'] as unknown[]) {
      const parsed = parsePart(part);
      if (parsed === undefined) {
        problems.push(`conversation.turns[${index}] has a part that is neither text nor an image`);
        return null;
      }
      parts.push(parsed);
    }
    turns.push({ role: turn['role'], parts });
  }
  return { provider: value['provider'], model: value['model'], turns };
}

function parsePart(value: unknown): ImageConversationPart | undefined {
  if (!isObject(value)) return undefined;
  const part: ImageConversationPart = {};
  if (typeof value['text'] === 'string') part.text = value['text'];
  if (isValidImageId(value['image_id'])) part.image_id = value['image_id'] as string;
  if (value['this_image'] === true) part.this_image = true;
  const inline = value['inline_image'];
  if (isObject(inline) && typeof inline['mime_type'] === 'string' && typeof inline['data_base64'] === 'string') {
    part.inline_image = { mime_type: inline['mime_type'], data_base64: inline['data_base64'] };
  }
  if (value['thought'] === true) part.thought = true;
  if (typeof value['thought_signature'] === 'string') part.thought_signature = value['thought_signature'];
  const carriers = [part.text, part.image_id, part.this_image, part.inline_image].filter((field) => field !== undefined);
  return carriers.length === 1 ? part : undefined;
}

/** Reads a sidecar's `grounding`; `null` when absent. */
export function parseGrounding(value: unknown, problems: string[]): ImageGrounding | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value) || !isStringList(value['search_queries']) || !Array.isArray(value['sources'])) {
    problems.push('grounding must have search_queries and sources');
    return null;
  }
  const sources = (value['sources'] as unknown[]).flatMap((source) =>
    isObject(source) && typeof source['uri'] === 'string'
      ? [{ uri: source['uri'], ...(typeof source['title'] === 'string' ? { title: source['title'] } : {}) }]
      : [],
  );
  return { search_queries: value['search_queries'], sources };
}
