import type Bottleneck from 'bottleneck';
import type { ProviderResult } from '@imagegen/providers';
import type { ImageStore } from '@imagegen/storage';
import { loadImaging } from '../engine/imaging-module';
import type { CallOptions, StoredImage } from '../engine/engine-types';
import { tokensOf } from './cost-bounds';
import { conversationRecord } from './conversation-history';
import { finishImage } from './finish-image';
import type { GenerationPlan } from './plan-generation';

/** What storing the answered images needs. */
export interface PersistContext {
  store: ImageStore;
  /** Bounds how many images are decoded or re-encoded at once. */
  imageWork: Bottleneck;
  /** Previews to make while storing. */
  preview?: CallOptions['preview'];
  progress: (event: { stage: 'processing' | 'storing'; message: string }) => void;
}

/** The facts stored with each image. */
export interface PersistFacts {
  taskId: string;
  modelUsed: string;
  estimatedCostUsd?: number;
  actualCostUsd?: number;
}

/** Thrown when some images could not be stored; carries the ones that were (paid images are never thrown away). */
export class PartialPersistError extends Error {
  constructor(
    readonly stored: StoredImage[],
    override readonly cause: unknown,
  ) {
    super('Some images could not be stored.');
  }
}

export const resourceUriOf = (imageId: string): string => `generated-images://${imageId}`;

/**
 * Step: finishes each answered image (size, format, mask) and stores it with its metadata. The images are paid for:
 * nothing here is cancellable, and an image stored before a later one fails is kept (the error carries it).
 */
export async function persistImages(
  planned: GenerationPlan,
  results: readonly ProviderResult[],
  facts: PersistFacts,
  context: PersistContext,
): Promise<StoredImage[]> {
  const { plan, warnings } = planned;
  const produced = results.flatMap((result) => result.images);
  // Which answer each image came from: its conversation and grounding are that answer's.
  const origins = results.flatMap((result) => result.images.map((_image, indexInResult) => ({ result, indexInResult })));
  const stored: StoredImage[] = [];
  try {
    context.progress({ stage: 'processing', message: `Processing ${produced.length} image(s).` });
    const finished = [];
    for (const image of produced) finished.push(await context.imageWork.schedule(() => finishImage(image.data, plan, warnings)));
    context.progress({ stage: 'storing', message: 'Storing the image(s).' });
    // Previews are made while the files are written (CPU against disk waits); a failed preview is just absent.
    const previewOptions = context.preview;
    const previews = previewOptions
      ? finished.map((image) =>
          image.data.length <= (previewOptions.skipUpToBytes ?? 0)
            ? Promise.resolve(undefined)
            : context.imageWork
                .schedule(async () =>
                  (await loadImaging()).makePreview(image.data, {
                    maxBytes: previewOptions.maxBytes,
                    ...(previewOptions.maxDimension ? { maxDimension: previewOptions.maxDimension } : {}),
                  }),
                )
                .catch(() => undefined),
        )
      : [];
    const tokensUsed = tokensOf(results);
    for (const [index, image] of finished.entries()) {
      const origin = origins[index];
      const conversation = conversationOf(planned, origin);
      const grounding = origin?.result.grounding;
      const saved = await context.store.save({
        bytes: image.data,
        format: image.format,
        width: image.width,
        height: image.height,
        prompt: plan.call.prompt,
        provider: planned.model.provider,
        modelRequested: planned.modelRequested,
        modelUsed: facts.modelUsed,
        parameters: { ...planned.parameters, model: planned.model.id },
        taskId: facts.taskId,
        warnings: warnings.map((warning) => warning.message),
        cost: {
          ...(facts.estimatedCostUsd === undefined ? {} : { estimatedUsd: facts.estimatedCostUsd / produced.length }),
          ...(facts.actualCostUsd === undefined ? {} : { actualUsd: facts.actualCostUsd / produced.length }),
          ...(tokensUsed ? { tokensUsed } : {}),
        },
        requestHash: planned.requestHash,
        sourceImageIds: planned.sourceImageIds,
        provenance: { c2paPresent: image.hasC2pa, c2paRemoved: image.provenanceRemoved },
        ...(planned.labels ? { extra: { labels: planned.labels } } : {}),
        ...(conversation === undefined ? {} : { conversation }),
        ...(grounding === undefined ? {} : { grounding: { search_queries: grounding.searchQueries, sources: grounding.sources } }),
      });
      stored.push({
        imageId: saved.imageId,
        resourceUri: resourceUriOf(saved.imageId),
        ...(saved.filePath ? { filePath: saved.filePath } : {}),
        readData: () => Promise.resolve(image.data),
        mimeType: saved.mimeType,
        format: image.format,
        width: image.width,
        height: image.height,
        byteLength: image.data.length,
        createdAt: saved.metadata.created_at,
        ...(grounding === undefined ? {} : { grounding }),
        ...(conversation === undefined ? {} : { conversationTurns: conversation.turns.length }),
      });
    }
    for (const [index, image] of stored.entries()) {
      const preview = await previews[index];
      if (preview) image.preview = preview;
    }
    return stored;
  } catch (error) {
    throw new PartialPersistError(stored, error);
  }
}

/**
 * The conversation one image keeps: only on models with multi-turn editing and only when the answer reported its
 * parts (a provider without them has nothing a follow-up could send back).
 */
function conversationOf(planned: GenerationPlan, origin: { result: ProviderResult; indexInResult: number } | undefined) {
  const start = planned.conversationStart;
  const answerParts = origin?.result.answerParts;
  if (start === undefined || origin === undefined || answerParts === undefined) return undefined;
  // Only this image's own part: the other images of the same answer keep conversations of their own.
  const parts = answerParts.filter((part) => part.imageIndex === undefined || part.imageIndex === origin.indexInResult);
  return conversationRecord(planned.model, start.earlier, start.userTurn, parts);
}
