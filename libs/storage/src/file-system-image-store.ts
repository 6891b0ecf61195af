import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageGenError, silentLogger, systemClock, throwIfAborted, type Clock, type Logger } from '@imagegen/common';
import { pruneEmptyDirectories, runCleanup, validateCleanupOptions } from './cleanup-run';
import { describeStart, hasSignatureOf } from './file-signature';
import { imageFormats, mimeTypeOfFormat, type ImageFormat } from './image-format';
import { assertValidImageId, generateImageId, imageIdKeyForTime, isValidImageId } from './image-id';
import type { IndexEntry } from './image-index';
import { parseSidecarBytes, type ImageMetadata } from './image-metadata';
import type {
  CleanupOptions,
  CleanupReport,
  HistoryEntry,
  HistoryPage,
  HistoryQuery,
  ImageStore,
  SaveImageInput,
  StorageStats,
  StoredImage,
} from './image-store';
import { promptExcerpt } from './index-file';
import { withFolderLock, type FolderLockOptions } from './folder-lock';
import { PersistentIndex, type IndexOpenOutcome } from './persistent-index';
import { buildMetadata, encodeMetadata, validateSaveInput } from './save-input';
import { imageNotFound, invalidRequest, storageFailure } from './storage-errors';
import { createNodeStorageFileSystem, isMissingPathError, type StorageFileSystem } from './storage-file-system';
import { sweepAbandonedTemporaryFiles, temporaryFileSuffix } from './temporary-files';
import {
  absoluteDirectory,
  directoryOfImageId,
  imageFileName,
  resolveStoragePaths,
  sidecarFileName,
  temporaryFilePrefix,
  type StoragePaths,
} from './storage-paths';

/** Settings of {@link createFileSystemImageStore}. */
export interface FileSystemImageStoreOptions {
  /** The storage folder; images go to `{basePath}/images`. Relative paths resolve against the working directory. */
  basePath: string;
  /** Permission bits of every file written (image, sidecar, index), applied exactly (not filtered by the umask). Default `0o644`. */
  filePermissions?: number;
  /** `true` (default): `images/YYYY/MM/DD/`; `false`: everything flat in `images/`. Only affects new saves. */
  createSubdirectories?: boolean;
  /** Saves are refused with `storage_failed` when fewer than this many bytes would stay free. Default 100 MiB. */
  minFreeBytes?: number;
  /** Time source for ids, dates, history windows and retention. Default: the system clock. */
  clock?: Clock;
  /** Where repairs, skipped sidecars and cleanup runs are reported. Default: silent. */
  logger?: Logger;
  /** The filesystem port; tests inject failures or count calls through it. Default: `node:fs`. */
  fileSystem?: StorageFileSystem;
  /** How long a change waits for another store holding the folder lock. Default 30 000 ms. */
  lockTimeoutMs?: number;
  /** Random source for new ids (`crypto.randomBytes` by default); for predictable ids in tests. */
  random?: (byteCount: number) => Uint8Array;
}

/** Where a stored image lives on disk. */
export interface FileLocation {
  /** Absolute path of the image file. */
  filePath: string;
  /** Absolute path of the JSON sidecar. */
  metadataPath: string;
}

/** A stored image as the filesystem store returns it: always with its paths. */
export type FileSystemStoredImage = StoredImage & FileLocation;

/** The filesystem {@link ImageStore}: the same contract, with absolute paths always present, plus maintenance. */
export interface FileSystemImageStore extends ImageStore {
  /** The resolved absolute paths of the storage folder. */
  readonly paths: StoragePaths;
  /** How the index was found when the store opened. */
  readonly openOutcome: IndexOpenOutcome;
  /** {@inheritDoc ImageStore.save} */
  save(input: SaveImageInput): Promise<FileSystemStoredImage>;
  /** {@inheritDoc ImageStore.get} */
  get(imageId: string): Promise<FileSystemStoredImage & { bytes: Uint8Array }>;
  /** {@inheritDoc ImageStore.getMetadata} */
  getMetadata(imageId: string): Promise<FileSystemStoredImage>;
  /** {@inheritDoc ImageStore.history} */
  history(query?: HistoryQuery): Promise<HistoryPage & { images: Array<HistoryEntry & { filePath: string }> }>;
  /** Discards the index and reads every sidecar again (slow on large folders; opening repairs most problems itself). */
  rebuildIndex(): Promise<{ imageCount: number }>;
}

const defaultFilePermissions = 0o644;
const defaultMinFreeBytes = 100 * 1024 * 1024;
const defaultLockTimeoutMs = 30_000;
const dayMs = 24 * 60 * 60 * 1000;

function invalidConfig(message: string, setting: string): ImageGenError {
  return new ImageGenError({ code: 'invalid_config', message, details: { setting } });
}

function validateOptions(options: FileSystemImageStoreOptions): void {
  if (typeof options?.basePath !== 'string' || options.basePath.trim() === '' || options.basePath.includes('\0')) {
    throw invalidConfig('The storage basePath must be a folder path (preferably absolute).', 'basePath');
  }
  const { filePermissions, minFreeBytes, lockTimeoutMs, createSubdirectories } = options;
  if (filePermissions !== undefined && (!Number.isInteger(filePermissions) || filePermissions < 0 || filePermissions > 0o777)) {
    throw invalidConfig('filePermissions must be permission bits between 0o000 and 0o777, e.g. 0o644.', 'filePermissions');
  }
  if (minFreeBytes !== undefined && (!Number.isSafeInteger(minFreeBytes) || minFreeBytes < 0)) {
    throw invalidConfig('minFreeBytes must be a whole number of bytes, 0 or more.', 'minFreeBytes');
  }
  if (lockTimeoutMs !== undefined && (!Number.isFinite(lockTimeoutMs) || lockTimeoutMs < 0)) {
    throw invalidConfig('lockTimeoutMs must be a number of milliseconds, 0 or more.', 'lockTimeoutMs');
  }
  if (createSubdirectories !== undefined && typeof createSubdirectories !== 'boolean') {
    throw invalidConfig('createSubdirectories must be true or false.', 'createSubdirectories');
  }
}

function encodeCursor(entry: IndexEntry): string {
  return Buffer.from(entry.id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (isValidImageId(id)) return id;
  throw invalidRequest('The history cursor is not valid; ask for the first page again without a cursor.');
}

const parentDirectories = (directory: string): string[] => {
  const chain: string[] = [];
  let current = directory;
  while (current !== '') {
    chain.push(current);
    current = current.includes('/') ? current.slice(0, current.lastIndexOf('/')) : '';
  }
  return chain;
};

/**
 * Opens (creating it when needed) a filesystem image store: images with JSON sidecars under
 * `{basePath}/images/YYYY/MM/DD/`, an append-only index with a state file beside them, writes that are atomic
 * (temporary file, fsync, rename; sidecar last), retention, and history and stats answered from memory.
 *
 * Opening loads the index and checks it cheaply against the folders' modification times; a missing, corrupt or
 * out-of-step index is repaired from the sidecars (see `openOutcome`). Several stores may be open on one folder
 * (in one process or several on one machine): each change takes a short-lived lock file, and each store picks up
 * the others' changes before its next read or write.
 *
 * Rejects with `invalid_config` for bad options and `storage_failed` when the folder cannot be created or read.
 */
export async function createFileSystemImageStore(options: FileSystemImageStoreOptions): Promise<FileSystemImageStore> {
  validateOptions(options);
  const fileSystem = options.fileSystem ?? createNodeStorageFileSystem();
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const filePermissions = options.filePermissions ?? defaultFilePermissions;
  const createSubdirectories = options.createSubdirectories ?? true;
  const minFreeBytes = options.minFreeBytes ?? defaultMinFreeBytes;
  const random = options.random ?? randomBytes;
  const paths = resolveStoragePaths(options.basePath);
  const lockOptions: FolderLockOptions = {
    fileSystem,
    lockPath: paths.lockPath,
    mode: filePermissions,
    timeoutMs: options.lockTimeoutMs ?? defaultLockTimeoutMs,
    logger,
  };

  let persistentIndex: PersistentIndex;
  let openOutcome: IndexOpenOutcome;
  try {
    await fileSystem.makeDirectory(paths.imagesPath);
    await sweepAbandonedTemporaryFiles({ fileSystem, paths, clock, createSubdirectories, logger });
    ({ persistentIndex, openOutcome } = await withFolderLock(lockOptions, async () => {
      const opened = await PersistentIndex.open({ fileSystem, paths, filePermissions, logger });
      return { persistentIndex: opened.persistentIndex, openOutcome: opened.outcome };
    }));
  } catch (error) {
    throw storageFailure(`open the image storage folder ${paths.basePath}`, error);
  }
  const index = persistentIndex.index;

  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  let mutating = 0;
  let refreshing: Promise<void> | undefined;

  const closedError = () =>
    new ImageGenError({ code: 'storage_failed', message: 'The image store is closed; open it again with createFileSystemImageStore.' });

  /** Runs a change: one at a time in this store, under the folder lock, after catching up with other stores. */
  const mutate = <T>(action: string, work: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(closedError());
    const run = async () => {
      mutating += 1;
      try {
        if (refreshing !== undefined) await refreshing;
        return await withFolderLock(lockOptions, async () => {
          await persistentIndex.synchronize();
          return work();
        });
      } catch (error) {
        throw storageFailure(action, error);
      } finally {
        mutating -= 1;
      }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  /** Before a read: picks up other stores' changes (cheap: one small file read), unless a change of ours is running. */
  const beforeRead = async () => {
    if (closed) throw closedError();
    if (mutating > 0) return;
    refreshing ??= persistentIndex.refresh().finally(() => {
      refreshing = undefined;
    });
    await refreshing;
  };

  const locate = (entry: Pick<IndexEntry, 'id' | 'directory' | 'format'>): FileLocation => {
    const folder = absoluteDirectory(paths.imagesPath, entry.directory);
    return {
      filePath: path.join(folder, imageFileName(entry.id, entry.format)),
      metadataPath: path.join(folder, sidecarFileName(entry.id)),
    };
  };

  /** The index saw an image whose file is gone: bring that folder's entries in line, then report not_found. */
  const missingFile = async (entry: IndexEntry): Promise<never> => {
    logger.warn('An indexed image file is missing; re-checking its folder', { imageId: entry.id, folder: entry.directory });
    try {
      await mutate('re-check the image folder', () => persistentIndex.repairDirectory(entry.directory));
    } catch (error) {
      logger.warn('Could not re-check the image folder', {
        folder: entry.directory,
        code: ImageGenError.isInstance(error) ? error.code : undefined,
      });
    }
    throw imageNotFound(entry.id);
  };

  const readMetadata = async (entry: IndexEntry, location: FileLocation): Promise<ImageMetadata> => {
    let bytes: Uint8Array;
    try {
      bytes = await fileSystem.readFile(location.metadataPath);
    } catch (error) {
      if (isMissingPathError(error)) return missingFile(entry);
      throw storageFailure(`read the metadata of image ${entry.id}`, error);
    }
    const parsed = parseSidecarBytes(bytes, entry.id);
    if (!parsed.ok) {
      logger.warn('The metadata file of a stored image is unreadable', { imageId: entry.id, problems: parsed.problems });
      return damagedEntry(entry, `The metadata file of image ${entry.id} is damaged and cannot be read (${location.metadataPath})`);
    }
    return parsed.metadata;
  };

  /**
   * A stored image whose files were damaged on disk: it is dropped from the index (so listings stop offering what
   * cannot be served) and reported; its files are left in place for the owner, and a rebuild lists it again once
   * they are repaired.
   */
  const damagedEntry = async (entry: IndexEntry, what: string): Promise<never> => {
    try {
      await mutate('drop a damaged image from the index', () => persistentIndex.commit({ remove: [entry.id] }));
    } catch (error) {
      logger.warn('Could not drop a damaged image from the index', {
        imageId: entry.id,
        code: ImageGenError.isInstance(error) ? error.code : undefined,
      });
    }
    throw new ImageGenError({
      code: 'storage_failed',
      message: `${what}. It is no longer listed; its files are left in place.`,
      // `damaged` tells callers this image is gone for good (not a passing storage fault worth retrying).
      details: { imageId: entry.id, damaged: true },
    });
  };

  const lookUp = async (imageId: string): Promise<IndexEntry> => {
    assertValidImageId(imageId);
    await beforeRead();
    let entry = index.get(imageId);
    if (entry === undefined && mutating > 0) {
      // A read during our own saves skips the refresh, but the id may be another process's new image (replicas
      // sharing the folder): let our saves finish, catch up, then answer.
      await queue;
      await beforeRead();
      entry = index.get(imageId);
    }
    if (entry === undefined) throw imageNotFound(imageId);
    return entry;
  };

  const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  /** Refuses when fewer than `minFreeBytes` would stay free after writing `bytes`; a failed probe lets the write try. */
  const checkFreeSpace = async (bytes: number) => {
    const needed = minFreeBytes + bytes;
    let available: number | undefined;
    try {
      available = await fileSystem.availableBytes(paths.imagesPath);
    } catch (error) {
      logger.warn('Could not check free disk space; saving anyway', { code: (error as { code?: unknown }).code });
    }
    if (available !== undefined && available < needed) {
      throw new ImageGenError({
        code: 'storage_failed',
        message:
          `Not enough free disk space to save the image in ${paths.imagesPath}: ${megabytes(available)} free, ` +
          `${megabytes(needed)} needed (${megabytes(minFreeBytes)} kept free plus the image). Free some space, run a cleanup, or lower STORAGE__MIN_FREE_SPACE_MB.`,
        details: { availableBytes: available, requiredBytes: needed, minFreeBytes },
      });
    }
  };

  const save = async (input: SaveImageInput): Promise<FileSystemStoredImage> => {
    validateSaveInput(input);
    throwIfAborted(input.signal);
    return mutate(`save the image in ${paths.imagesPath}`, async () => {
      throwIfAborted(input.signal);
      const createdAt = clock.now();
      let imageId = input.imageId ?? generateImageId(clock, random);
      if (input.imageId !== undefined && index.get(imageId) !== undefined) {
        throw invalidRequest(`An image with id ${imageId} is already stored; leave imageId out to get a fresh one.`);
      }
      for (let attempt = 0; index.get(imageId) !== undefined && attempt < 5; attempt += 1) imageId = generateImageId(clock, random);
      if (index.get(imageId) !== undefined)
        throw new ImageGenError({ code: 'internal', message: 'Could not generate an unused image id.' });

      const metadata = buildMetadata(input, imageId, createdAt);
      const sidecar = encodeMetadata(metadata);
      const directory = directoryOfImageId(imageId, createSubdirectories);
      await checkFreeSpace(input.bytes.length + sidecar.length);

      const folder = absoluteDirectory(paths.imagesPath, directory);
      const location = locate({ id: imageId, directory, format: input.format });
      const suffix = temporaryFileSuffix();
      const temporaryImage = path.join(folder, `${temporaryFilePrefix}${imageFileName(imageId, input.format)}.${suffix}`);
      const temporarySidecar = path.join(folder, `${temporaryFilePrefix}${sidecarFileName(imageId)}.${suffix}`);
      // Every path that may exist if a step fails, removed in reverse order (so the sidecar always goes first).
      // A rename that reports failure may still have happened, so both of its names are removed.
      const written: string[] = [];
      try {
        await fileSystem.makeDirectory(folder);
        written.push(temporaryImage, temporarySidecar);
        // Both temporary files are written and synced at once (no reader sees a temporary name), which takes one
        // fsync off the wait; the renames stay in order, so a visible sidecar always has its image beside it.
        const temporaryFiles = await Promise.allSettled([
          fileSystem.createFile(temporaryImage, input.bytes, { mode: filePermissions, durable: true }),
          fileSystem.createFile(temporarySidecar, sidecar, { mode: filePermissions, durable: true }),
        ]);
        for (const outcome of temporaryFiles) if (outcome.status === 'rejected') throw outcome.reason;
        // [temporary image, image, temporary sidecar]: a failed rename still removes the sidecar's file first.
        written.splice(1, 0, location.filePath);
        await fileSystem.rename(temporaryImage, location.filePath);
        written.push(location.metadataPath);
        await fileSystem.rename(temporarySidecar, location.metadataPath);
        await fileSystem.syncDirectory(folder);
        await persistentIndex.commit({
          add: [
            {
              id: imageId,
              createdAtMs: createdAt.getTime(),
              imageBytes: input.bytes.length,
              sidecarBytes: sidecar.length,
              format: input.format,
              directory,
              promptExcerpt: promptExcerpt(input.prompt),
              model: input.modelUsed,
              principalId: metadata.principal_id,
            },
          ],
          touched: [directory],
        });
      } catch (error) {
        for (const leftover of written.reverse()) {
          await fileSystem.removeFile(leftover).catch((removeError: unknown) => {
            logger.error('Could not remove a partly written file', { path: leftover, code: (removeError as { code?: unknown }).code });
          });
        }
        for (const parent of parentDirectories(directory)) {
          if (!(await fileSystem.removeEmptyDirectory(absoluteDirectory(paths.imagesPath, parent)).catch(() => false))) break;
        }
        throw error;
      }
      return { imageId, mimeType: mimeTypeOfFormat(input.format), metadata, ...location };
    });
  };

  const store: FileSystemImageStore = {
    paths,
    openOutcome,
    save,

    async checkCanSave(expectedBytes) {
      if (closed) throw closedError();
      try {
        await fileSystem.canWrite(paths.imagesPath);
      } catch (error) {
        throw storageFailure(`write in ${paths.imagesPath}`, error);
      }
      await checkFreeSpace(expectedBytes);
    },

    async get(imageId) {
      const entry = await lookUp(imageId);
      const location = locate(entry);
      const metadata = await readMetadata(entry, location);
      let bytes: Uint8Array;
      try {
        bytes = await fileSystem.readFile(location.filePath);
      } catch (error) {
        if (isMissingPathError(error)) return missingFile(entry);
        throw storageFailure(`read image ${entry.id}`, error);
      }
      // Served with the recorded type only when the bytes are of that type: a file overwritten by hand is not.
      if (!hasSignatureOf(bytes, entry.format)) {
        logger.warn('The image file of a stored image does not match its recorded format', { imageId: entry.id, format: entry.format });
        return damagedEntry(
          entry,
          `The image file of ${entry.id} is damaged: its bytes are not ${entry.format.toUpperCase()} (${describeStart(bytes)}; ${location.filePath})`,
        );
      }
      return { imageId: entry.id, mimeType: mimeTypeOfFormat(entry.format), metadata, bytes, ...location };
    },

    async openImageStream(imageId) {
      const entry = await lookUp(imageId);
      const location = locate(entry);
      const metadata = await readMetadata(entry, location);
      const facts = await fileSystem.stat(location.filePath).catch((error: unknown) => {
        throw storageFailure(`read image ${entry.id}`, error);
      });
      if (facts === undefined || facts.kind !== 'file') return missingFile(entry);
      return {
        imageId: entry.id,
        mimeType: mimeTypeOfFormat(entry.format),
        metadata,
        ...location,
        sizeBytes: facts.size,
        stream: fs.createReadStream(location.filePath),
      };
    },

    async getMetadata(imageId) {
      const entry = await lookUp(imageId);
      const location = locate(entry);
      const metadata = await readMetadata(entry, location);
      return { imageId: entry.id, mimeType: mimeTypeOfFormat(entry.format), metadata, ...location };
    },

    async exists(imageId) {
      assertValidImageId(imageId);
      await beforeRead();
      return index.get(imageId) !== undefined;
    },

    delete(imageId) {
      try {
        assertValidImageId(imageId);
      } catch (error) {
        return Promise.reject(error);
      }
      return mutate(`delete image ${imageId}`, async () => {
        const entry = index.get(imageId);
        if (entry === undefined) return false;
        const location = locate(entry);
        await fileSystem.removeFile(location.metadataPath);
        let imageError: unknown;
        try {
          await fileSystem.removeFile(location.filePath);
        } catch (error) {
          imageError = error;
        }
        // Without its sidecar the image is no longer a stored image, whatever happened to the image file.
        const pruned = new Set(await pruneEmptyDirectories({ fileSystem, paths, persistentIndex }, [entry.directory]));
        await persistentIndex.commit({ remove: [imageId], touched: pruned.has(entry.directory) ? [] : [entry.directory] });
        if (imageError !== undefined) throw imageError;
        return true;
      });
    },

    async history(query = {}) {
      const { days, limit = 10, cursor, principalId } = query ?? {};
      if (days !== undefined && (typeof days !== 'number' || !Number.isFinite(days) || days <= 0)) {
        throw invalidRequest('days must be a positive number of days.');
      }
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw invalidRequest('limit must be a whole number from 1 to 1000.');
      if (cursor !== undefined && typeof cursor !== 'string')
        throw invalidRequest('cursor must be the nextCursor string of a previous page.');
      const beforeId = cursor === undefined ? undefined : decodeCursor(cursor);
      await beforeRead();
      const fromKey = imageIdKeyForTime(days === undefined ? Number.NEGATIVE_INFINITY : clock.now().getTime() - days * dayMs);
      const page = index.newestFirst({
        fromKey,
        limit,
        ...(beforeId === undefined ? {} : { beforeId }),
        ...(principalId === undefined ? {} : { principalId }),
      });
      const last = page.entries[page.entries.length - 1];
      return {
        images: page.entries.map((entry) => ({
          imageId: entry.id,
          createdAt: new Date(entry.createdAtMs).toISOString(),
          sizeBytes: entry.imageBytes,
          format: entry.format,
          mimeType: mimeTypeOfFormat(entry.format),
          model: entry.model,
          promptExcerpt: entry.promptExcerpt,
          principalId: entry.principalId,
          filePath: locate(entry).filePath,
        })),
        totalCount: index.countFrom(fromKey, principalId),
        ...(page.hasMore && last !== undefined ? { nextCursor: encodeCursor(last) } : {}),
      };
    },

    async stats(filter = {}): Promise<StorageStats> {
      await beforeRead();
      if (filter.principalId !== undefined) return principalStats(index.ofPrincipal(filter.principalId), persistentIndex.lastCleanup);
      const byFormat = Object.fromEntries(imageFormats.map((format) => [format, index.formatTotals(format)])) as Record<
        ImageFormat,
        { count: number; bytes: number }
      >;
      const all = index.all();
      const describe = (entry: IndexEntry | undefined) =>
        entry === undefined ? null : { imageId: entry.id, createdAt: new Date(entry.createdAtMs).toISOString() };
      return {
        imageCount: index.size,
        imageBytes: index.imageBytes,
        totalBytes: index.totalBytes,
        byFormat,
        oldest: describe(all[0]),
        newest: describe(all[all.length - 1]),
        lastCleanup: persistentIndex.lastCleanup,
      };
    },

    cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
      try {
        validateCleanupOptions(options);
        throwIfAborted(options.signal);
      } catch (error) {
        return Promise.reject(error);
      }
      return mutate(`clean up ${paths.imagesPath}`, () => runCleanup({ fileSystem, paths, persistentIndex, clock, logger }, options));
    },

    async listIds(prefix, limit = 20, filter = {}) {
      if (typeof prefix !== 'string' || prefix.length > 64)
        throw invalidRequest('The id prefix must be a string of at most 64 characters.');
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw invalidRequest('limit must be a whole number from 1 to 100.');
      await beforeRead();
      const ids: string[] = [];
      const all = index.all();
      for (let position = all.length - 1; position >= 0 && ids.length < limit; position -= 1) {
        const entry = all[position] as IndexEntry;
        if (entry.id.startsWith(prefix) && (filter.principalId === undefined || entry.principalId === filter.principalId))
          ids.push(entry.id);
      }
      return ids;
    },

    rebuildIndex() {
      return mutate(`rebuild the image index in ${paths.basePath}`, async () => {
        await persistentIndex.rebuild();
        return { imageCount: index.size };
      });
    },

    async close() {
      closed = true;
      await queue;
      if (refreshing !== undefined) await refreshing;
    },
  };
  return store;
}

/** Totals of one principal's entries (oldest first), counted on demand. */
function principalStats(entries: readonly IndexEntry[], lastCleanup: StorageStats['lastCleanup']): StorageStats {
  const byFormat = Object.fromEntries(imageFormats.map((format) => [format, { count: 0, bytes: 0 }])) as StorageStats['byFormat'];
  let imageBytes = 0;
  let totalBytes = 0;
  for (const entry of entries) {
    imageBytes += entry.imageBytes;
    totalBytes += entry.imageBytes + entry.sidecarBytes;
    byFormat[entry.format].count += 1;
    byFormat[entry.format].bytes += entry.imageBytes;
  }
  const describe = (entry: IndexEntry | undefined) =>
    entry === undefined ? null : { imageId: entry.id, createdAt: new Date(entry.createdAtMs).toISOString() };
  return {
    imageCount: entries.length,
    imageBytes,
    totalBytes,
    byFormat,
    oldest: describe(entries[0]),
    newest: describe(entries[entries.length - 1]),
    lastCleanup,
  };
}
