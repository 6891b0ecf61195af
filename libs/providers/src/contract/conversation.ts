import type { InputImage } from './request';

/**
 * Multi-turn editing: the earlier turns of a conversation with an image model, sent again as history so a follow-up
 * edit keeps what the model knew (Gemini: `contents` with the model's parts and their `thoughtSignature`s intact).
 */

/** One part of an earlier turn, with its image bytes already read back from storage. */
export interface ConversationPart {
  /** Text of the part. */
  text?: string;
  /** An image of the part (a reference image the user sent, or the image the model answered with). */
  image?: InputImage;
  /** Whether the model marked this part as part of its reasoning. */
  thought?: boolean;
  /** The vendor's opaque signature of the model's reasoning, sent back unchanged (base64). */
  thoughtSignature?: string;
}

/** One earlier turn: what the user sent, or what the model answered. */
export interface ConversationTurn {
  /** Who said it. */
  role: 'user' | 'model';
  /** Its parts, in order. */
  parts: readonly ConversationPart[];
}

/**
 * One part of the model's answer as a provider reports it for the next turn. Image parts point at the answer's
 * images by index rather than carrying their bytes again.
 */
export interface AnswerPart {
  /** Text of the part. */
  text?: string;
  /** Index into `ProviderResult.images` of the image this part carried. */
  imageIndex?: number;
  /** The vendor's signature of this part (base64), to send back unchanged. */
  thoughtSignature?: string;
}

/** What grounding with a web search used: the queries the model ran and the pages its answer drew on. */
export interface GroundingReport {
  /** Queries the model ran. */
  searchQueries: string[];
  /** Pages the answer drew on (the vendor's redirect links, as given). */
  sources: Array<{ title?: string; uri: string }>;
}
