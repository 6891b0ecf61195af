import { ImageGenError } from '@imagegen/common';
import type { AnswerPart, GeneratedImageData, GroundingReport, ProviderUsage } from '../contract';
import { decodeBase64Image } from '../media/image-bytes';

/** The parts of a `GenerateContentResponse` this provider reads (the SDK's class has these fields). */
export interface GeminiResponseLike {
  candidates?: Array<{
    content?: {
      parts?: Array<{ text?: string; thought?: boolean; thoughtSignature?: string; inlineData?: { mimeType?: string; data?: string } }>;
    };
    finishReason?: string;
    finishMessage?: string;
    groundingMetadata?: {
      webSearchQueries?: string[];
      groundingChunks?: Array<{ web?: { uri?: string; title?: string } }>;
    };
  }>;
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string };
  usageMetadata?: {
    promptTokenCount?: number;
    candidatesTokenCount?: number;
    thoughtsTokenCount?: number;
    totalTokenCount?: number;
    promptTokensDetails?: Array<{ modality?: string; tokenCount?: number }>;
  };
  modelVersion?: string;
  responseId?: string;
}

/** What one Gemini answer held. */
export interface GeminiAnswer {
  images: GeneratedImageData[];
  /** The answer's final (non-thought) parts with their signatures, for the next turn of a conversation. */
  answerParts: AnswerPart[];
  /** What a grounded answer searched for and drew on. */
  grounding?: GroundingReport;
  usage?: ProviderUsage;
  modelVersion?: string;
  responseId?: string;
}

/** Finish reasons that mean the safety system withheld the image. */
const safetyFinishReasons = new Set([
  'SAFETY',
  'IMAGE_SAFETY',
  'PROHIBITED_CONTENT',
  'IMAGE_PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_RECITATION',
]);

const provider = 'gemini';

/**
 * Reads a `generateContent` answer: the images of the first candidate, skipping "thought" parts (draft images a
 * reasoning model shows while it thinks), and the usage. A blocked prompt or a withheld image becomes
 * `content_blocked`; an answer without an image (`NO_IMAGE`, text only) becomes a non-retryable `upstream_error`
 * that quotes what the model said instead, because repeating the same call would not change the outcome.
 */
export function readGeminiResponse(response: GeminiResponseLike, modelId: string): GeminiAnswer {
  const grounding = toGrounding(response.candidates?.[0]?.groundingMetadata);
  const usage = withSearchQueries(toUsage(response.usageMetadata), grounding);
  const common = {
    ...(usage === undefined ? {} : { usage }),
    ...(response.modelVersion === undefined ? {} : { modelVersion: response.modelVersion }),
    ...(response.responseId === undefined ? {} : { responseId: response.responseId }),
  };
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason !== undefined && blockReason !== 'BLOCK_REASON_UNSPECIFIED') {
    throw new ImageGenError({
      code: 'content_blocked',
      message: `Gemini's safety system blocked the prompt (${blockReason}). Rephrase the request; repeating it unchanged will be blocked again.`,
      provider,
      ...(response.responseId === undefined ? {} : { requestId: response.responseId }),
      details: { stage: 'input', reason: blockReason, model: modelId },
    });
  }
  const candidate = response.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const images: GeneratedImageData[] = [];
  const texts: string[] = [];
  // Thought parts (reasoning text, draft images) are left out of the history: the signatures that matter sit on the
  // final parts, and the drafts would make every later turn larger.
  const answerParts: AnswerPart[] = [];
  for (const part of parts) {
    if (part.thought === true) continue;
    const signature = part.thoughtSignature === undefined ? {} : { thoughtSignature: part.thoughtSignature };
    if (part.inlineData?.data !== undefined) {
      const image = decodeBase64Image(part.inlineData.data);
      if (image === undefined) {
        throw new ImageGenError({
          code: 'upstream_error',
          message: `Gemini answered with an image part that is not a PNG, JPEG or WebP (${part.inlineData.mimeType ?? 'no MIME type'}).`,
          provider,
        });
      }
      answerParts.push({ imageIndex: images.length, ...signature });
      images.push(image);
    } else if (typeof part.text === 'string') {
      answerParts.push({ text: part.text, ...signature });
      if (part.text.trim() !== '') texts.push(part.text.trim());
    }
  }
  const finishReason = candidate?.finishReason;
  if (images.length > 0) return { images, answerParts, ...(grounding === undefined ? {} : { grounding }), ...common };

  if (finishReason !== undefined && safetyFinishReasons.has(finishReason)) {
    throw new ImageGenError({
      code: 'content_blocked',
      message: `Gemini's safety system withheld the image (${finishReason}). Change the prompt or the input images; repeating the request unchanged will be refused again.`,
      provider,
      ...(response.responseId === undefined ? {} : { requestId: response.responseId }),
      details: { stage: 'output', reason: finishReason, model: modelId },
    });
  }
  const said = texts.length === 0 ? '' : ` It said: "${truncate(texts.join(' '), 300)}"`;
  const why =
    finishReason === undefined || finishReason === 'STOP' ? 'answered without an image' : `finished without an image (${finishReason})`;
  throw new ImageGenError({
    code: 'upstream_error',
    message: `${modelId} ${why}.${said} Ask for the picture explicitly (e.g. "Generate an image of …") or rephrase the prompt.`,
    provider,
    ...(response.responseId === undefined ? {} : { requestId: response.responseId }),
    details: { reason: finishReason ?? 'NO_CANDIDATE', model: modelId },
  });
}

function toUsage(metadata: GeminiResponseLike['usageMetadata']): ProviderUsage | undefined {
  if (metadata === undefined) return undefined;
  const details = metadata.promptTokensDetails ?? [];
  const imageTokens = details.filter((detail) => detail.modality === 'IMAGE').reduce((sum, detail) => sum + (detail.tokenCount ?? 0), 0);
  const usage: ProviderUsage = {};
  if (typeof metadata.promptTokenCount === 'number') {
    // Without a breakdown the whole prompt counts as text.
    usage.inputTextTokens = details.length > 0 ? metadata.promptTokenCount - imageTokens : metadata.promptTokenCount;
    if (imageTokens > 0) usage.inputImageTokens = imageTokens;
  }
  // Thinking is billed as output.
  if (typeof metadata.candidatesTokenCount === 'number' || typeof metadata.thoughtsTokenCount === 'number') {
    usage.outputTokens = (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0);
  }
  if (typeof metadata.totalTokenCount === 'number') usage.totalTokens = metadata.totalTokenCount;
  return Object.keys(usage).length === 0 ? undefined : usage;
}

function toGrounding(metadata: NonNullable<GeminiResponseLike['candidates']>[number]['groundingMetadata']): GroundingReport | undefined {
  if (metadata === undefined) return undefined;
  const sources = (metadata.groundingChunks ?? []).flatMap((chunk) =>
    typeof chunk.web?.uri === 'string'
      ? [{ uri: chunk.web.uri, ...(chunk.web.title === undefined ? {} : { title: chunk.web.title }) }]
      : [],
  );
  return { searchQueries: (metadata.webSearchQueries ?? []).filter((query) => typeof query === 'string'), sources };
}

/** Grounding is billed per search query the model ran: the count joins the usage so cost and the ledger see it. */
function withSearchQueries(usage: ProviderUsage | undefined, grounding: GroundingReport | undefined): ProviderUsage | undefined {
  if (grounding === undefined || grounding.searchQueries.length === 0) return usage;
  return { ...(usage ?? {}), searchQueries: grounding.searchQueries.length };
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
