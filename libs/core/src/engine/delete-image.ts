import type { CacheBackend } from '@imagegen/cache';
import { ImageGenError, type Logger } from '@imagegen/common';
import type { ImageStore } from '@imagegen/storage';
import { imageIdFromReference } from './resolve-image-source';

/** What {@link deleteStoredImage} removed. */
export interface DeleteImageReport {
  /** The image id that was deleted. */
  imageId: string;
  /** Whether a cache entry pointed at the image and was forgotten (a repeat of its request now calls the provider). */
  cacheEntryRemoved: boolean;
}

/** What deleting needs from the engine. */
export interface DeleteImageDependencies {
  store: ImageStore;
  cache?: CacheBackend<{ imageIds: string[] }>;
  logger: Logger;
  onImagesChanged?: () => void;
}

/**
 * Deletes one stored image: its file, its sidecar and its index entry (the store does these under its writer lock),
 * then the cache entry of the request that made it, so a repeat of that request is not answered with a hole. An id
 * or `generated-images://` URI that is malformed is `invalid_request` before anything is touched; an unknown one is
 * `not_found`.
 */
export async function deleteStoredImage(dependencies: DeleteImageDependencies, reference: string): Promise<DeleteImageReport> {
  const imageId = imageIdFromReference(reference);
  // The sidecar names the request whose cache entry points here; read it before the sidecar is gone.
  const stored = await dependencies.store.getMetadata(imageId);
  const requestHash = stored.metadata.request_hash;
  if (!(await dependencies.store.delete(imageId))) {
    // Deleted by someone else (another session, retention) between the two steps.
    throw new ImageGenError({ code: 'not_found', message: `No image with id ${imageId} is stored; it may have been deleted already.` });
  }
  dependencies.onImagesChanged?.();
  let cacheEntryRemoved = false;
  if (dependencies.cache && requestHash) {
    try {
      const entry = await dependencies.cache.get(requestHash);
      // A later `fresh` call may have cached other images under the same request: only an entry naming this image goes.
      if (entry?.imageIds.includes(imageId)) {
        await dependencies.cache.delete(requestHash);
        cacheEntryRemoved = true;
      }
    } catch (error) {
      // A cache that cannot be reached now forgets the entry when it is next hit (the image is missing then).
      dependencies.logger.warn('could not remove the cache entry of a deleted image', { imageId, error: String(error) });
    }
  }
  return { imageId, cacheEntryRemoved };
}
