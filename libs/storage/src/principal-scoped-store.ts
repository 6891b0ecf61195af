import { localPrincipalId } from '@imagegen/common';
import type { ImageStore, StoredImage, StoredImageStream } from './image-store';
import { imageNotFound } from './storage-errors';

/** Whose images a view of the store shows, and whether it sees everyone's. */
export interface PrincipalAccess {
  /** The principal new images are saved for (`local` in single-user setups). */
  principalId: string;
  /** Sees, reads and deletes every principal's images (the admin scope); listings may still filter by principal. */
  admin?: boolean;
}

/** The access of a single-user setup: the local principal, seeing everything (all images are its own anyway). */
export const localAccess: PrincipalAccess = Object.freeze({ principalId: localPrincipalId, admin: true });

/** Whether `access` may see an image owned by `ownerId`. */
export const canSeeOwner = (access: PrincipalAccess, ownerId: string): boolean => access.admin === true || access.principalId === ownerId;

/**
 * A view of a store for one principal: saves are stamped with the principal, listings (history, stats, completion)
 * hold only its images, and another principal's image answers `not_found` with exactly the message of an unknown id,
 * so nobody learns that it exists. An admin view reads everything and saves as its own principal. Works over any
 * backend: it relies only on the {@link ImageStore} contract (`principalId` filters and `metadata.principal_id`).
 */
export function scopeStoreToPrincipal(store: ImageStore, access: PrincipalAccess): ImageStore {
  const filter = access.admin ? {} : { principalId: access.principalId };
  /** The stored image, or `not_found` when it belongs to someone this view may not see. */
  const owned = <T extends StoredImage>(imageId: string, found: T): T => {
    if (!canSeeOwner(access, found.metadata.principal_id)) throw imageNotFound(imageId);
    return found;
  };
  const openStream = store.openImageStream?.bind(store);
  /** Another principal's image is closed unread and answers exactly like an unknown id. */
  const ownedStream = (imageId: string, opened: StoredImageStream): StoredImageStream => {
    if (canSeeOwner(access, opened.metadata.principal_id)) return opened;
    opened.stream.destroy();
    throw imageNotFound(imageId);
  };
  return {
    save: (input) => store.save({ ...input, principalId: access.principalId }),
    ...(store.checkCanSave ? { checkCanSave: store.checkCanSave.bind(store) } : {}),
    get: async (imageId) => owned(imageId, await store.get(imageId)),
    ...(openStream ? { openImageStream: async (imageId: string) => ownedStream(imageId, await openStream(imageId)) } : {}),
    getMetadata: async (imageId) => owned(imageId, await store.getMetadata(imageId)),
    async exists(imageId) {
      if (!(await store.exists(imageId))) return false;
      if (access.admin) return true;
      return canSeeOwner(access, (await store.getMetadata(imageId)).metadata.principal_id);
    },
    async delete(imageId) {
      if (!access.admin) owned(imageId, await store.getMetadata(imageId));
      return store.delete(imageId);
    },
    history: (query = {}) => store.history({ ...query, ...filter }),
    stats: (requested = {}) => store.stats({ ...requested, ...filter }),
    // Retention is the operator's, never one user's: it runs over the whole store, from the engine's own schedule.
    cleanup: (options) => store.cleanup(options),
    listIds: (prefix, limit, requested = {}) => store.listIds(prefix, limit, { ...requested, ...filter }),
    // The underlying store is shared by every view; only its owner closes it.
    close: async () => undefined,
  };
}
