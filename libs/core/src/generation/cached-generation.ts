import type { Logger } from '@imagegen/common';
import type { CacheBackend } from '@imagegen/cache';
import type { RequestWarning } from '@imagegen/providers';
import type { ImageStore, StoredImage as StoredImageFacts, StoredImageContent } from '@imagegen/storage';
import type { ImageResult, StoredImage } from '../engine/engine-types';
import { resourceUriOf } from './persist-images';

/** What the cache (and a finished job) keeps of one request: enough to answer a repeat without calling the provider. */
export interface CachedGeneration {
  taskId: string;
  model: string;
  provider: string;
  imageIds: string[];
  warnings: RequestWarning[];
  estimatedCostUsd?: number;
  /** What the call that made the images cost (answers from the cache cost nothing). */
  actualCostUsd?: number;
  prompt: string;
  parameters: Record<string, unknown>;
}

/** A stored image as results show it, from a read that has its bytes already (no copy is made). */
export function storedImageFromContent(content: StoredImageContent): StoredImage {
  const data = Buffer.from(content.bytes.buffer, content.bytes.byteOffset, content.bytes.byteLength);
  return { ...storedImageFields(content, content.bytes.length), readData: () => Promise.resolve(data) };
}

/**
 * A stored image as results show it, from its metadata alone: the bytes are read from `store` when first asked for.
 * A cache hit or a finished job's result is mostly shown through a preview made earlier, so most repeats never read
 * (and never allocate) the multi-megabyte file.
 */
export function storedImageFromMetadata(stored: StoredImageFacts, store: ImageStore): StoredImage {
  let reading: Promise<Buffer> | undefined;
  return {
    ...storedImageFields(stored, stored.metadata.file_info.size_bytes),
    readData() {
      reading ??= store
        .get(stored.imageId)
        .then((content) => Buffer.from(content.bytes.buffer, content.bytes.byteOffset, content.bytes.byteLength));
      return reading;
    },
  };
}

function storedImageFields(stored: StoredImageFacts, byteLength: number): Omit<StoredImage, 'readData'> {
  const info = stored.metadata.file_info;
  return {
    imageId: stored.imageId,
    resourceUri: resourceUriOf(stored.imageId),
    ...(stored.filePath ? { filePath: stored.filePath } : {}),
    mimeType: stored.mimeType,
    format: info.format,
    width: info.width,
    height: info.height,
    byteLength,
    createdAt: stored.metadata.created_at,
    // A cached or finished-job answer shows the same grounding and conversation as the first one did.
    ...(stored.metadata.grounding === undefined
      ? {}
      : { grounding: { searchQueries: stored.metadata.grounding.search_queries, sources: stored.metadata.grounding.sources } }),
    ...(stored.metadata.conversation === undefined ? {} : { conversationTurns: stored.metadata.conversation.turns.length }),
  };
}

/** The summary of a result, as the cache and the job records keep it. */
export function summarizeResult(result: ImageResult): CachedGeneration {
  return {
    taskId: result.taskId,
    model: result.model,
    provider: result.provider,
    imageIds: result.images.map((image) => image.imageId),
    warnings: result.warnings,
    ...(result.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: result.estimatedCostUsd }),
    ...(result.actualCostUsd === undefined ? {} : { actualCostUsd: result.actualCostUsd }),
    prompt: result.prompt,
    parameters: result.parameters,
  };
}

/**
 * A result rebuilt from a summary by reading its images' metadata from the store (their bytes are read when first
 * asked for); undefined when one of them is gone (retention removed it since).
 */
export async function resultFromSummary(summary: CachedGeneration, store: ImageStore): Promise<Omit<ImageResult, 'fromCache'> | undefined> {
  const images: StoredImage[] = [];
  for (const imageId of summary.imageIds) {
    const stored = await store.getMetadata(imageId).catch(() => undefined);
    if (!stored) return undefined;
    images.push(storedImageFromMetadata(stored, store));
  }
  return {
    taskId: summary.taskId,
    model: summary.model,
    provider: summary.provider,
    images,
    warnings: summary.warnings,
    ...(summary.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: summary.estimatedCostUsd }),
    ...(summary.actualCostUsd === undefined ? {} : { actualCostUsd: summary.actualCostUsd }),
    prompt: summary.prompt,
    parameters: summary.parameters,
  };
}

/** What the cache steps need. */
export interface CacheContext {
  cache?: CacheBackend<CachedGeneration>;
  /** The store as the caller sees it. */
  store: ImageStore;
  /** With hits shared across principals: the whole store, to read another principal's images from. */
  sharedStore?: ImageStore;
  /** The caller's principal (with `sharedStore`). */
  principalId?: string;
  /** How long entries live, in milliseconds. */
  ttlMs: number;
  log: Logger;
}

/** Step: the cached answer to a request, or undefined (no cache, a miss, a failed read, or an image gone since). */
export async function lookUpCache(requestHash: string, context: CacheContext): Promise<ImageResult | undefined> {
  const entry = await context.cache?.get(requestHash).catch((error: unknown) => {
    context.log.warn('cache read failed; calling the provider', { error: String(error) });
    return undefined;
  });
  if (!entry) return undefined;
  const result = context.sharedStore ? await sharedResult(entry, context) : await resultFromSummary(entry, context.store);
  if (!result) {
    await context.cache?.delete(requestHash).catch(() => undefined);
    return undefined;
  }
  context.log.info('cache hit', { model: entry.model, images: result.images.length });
  return { ...result, fromCache: true, actualCostUsd: 0 };
}

/** Step: remembers a fresh result for repeats; a failed write is logged, never fails the request. */
export async function storeInCache(requestHash: string, result: ImageResult, context: CacheContext): Promise<void> {
  if (!context.cache) return;
  const summary = summarizeResult(result);
  delete summary.actualCostUsd;
  await context.cache
    .set(requestHash, summary, {
      ttlMs: context.ttlMs,
      sizeBytes: result.images.reduce((sum, image) => sum + image.byteLength, 0),
    })
    .catch((error: unknown) => context.log.warn('could not write the cache', { error: String(error) }));
}

/**
 * A hit whose images may belong to another principal (hits shared across principals): each such image is copied
 * into the caller's own store (same bytes and facts, no cost of its own), so the caller can read, list and delete
 * what it got while the owner's images stay out of its sight.
 */
async function sharedResult(summary: CachedGeneration, context: CacheContext): Promise<Omit<ImageResult, 'fromCache'> | undefined> {
  const shared = context.sharedStore as ImageStore;
  const images: StoredImage[] = [];
  for (const imageId of summary.imageIds) {
    const content = await shared.get(imageId).catch(() => undefined);
    if (!content) return undefined;
    if (content.metadata.principal_id === context.principalId) {
      images.push(storedImageFromContent(content));
      continue;
    }
    const { metadata } = content;
    const copy = await context.store.save({
      bytes: content.bytes,
      format: metadata.file_info.format,
      width: metadata.file_info.width,
      height: metadata.file_info.height,
      prompt: metadata.prompt,
      provider: metadata.provider,
      modelRequested: metadata.model_requested,
      modelUsed: metadata.model_used,
      parameters: metadata.parameters,
      ...(metadata.task_id ? { taskId: metadata.task_id } : {}),
      warnings: metadata.warnings,
      ...(metadata.request_hash ? { requestHash: metadata.request_hash } : {}),
      provenance: { c2paPresent: metadata.provenance.c2pa_present, c2paRemoved: metadata.provenance.c2pa_removed },
      extra: { shared_from_cache: true },
    });
    images.push(storedImageFromContent({ ...copy, bytes: content.bytes }));
  }
  return {
    taskId: summary.taskId,
    model: summary.model,
    provider: summary.provider,
    images,
    warnings: summary.warnings,
    ...(summary.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: summary.estimatedCostUsd }),
    prompt: summary.prompt,
    parameters: summary.parameters,
  };
}
