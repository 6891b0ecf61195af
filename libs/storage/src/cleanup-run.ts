import * as path from 'node:path';
import { ImageGenError, type Clock, type Logger } from '@imagegen/common';
import { mapWithConcurrency, type StrayFile } from './directory-scan';
import { imageIdKeyForTime, imageIdTimestamp } from './image-id';
import { compareEntries, type IndexEntry } from './image-index';
import type { CleanupOptions, CleanupReport, RemovedImage, RemovedStrayFile } from './image-store';
import type { PersistentIndex } from './persistent-index';
import { storageFailure, invalidRequest } from './storage-errors';
import { fileSystemErrorCode, type StorageFileSystem } from './storage-file-system';
import { absoluteDirectory, imageFileName, relativeToBase, sidecarFileName, temporaryFilePrefix, type StoragePaths } from './storage-paths';

const dayMs = 24 * 60 * 60 * 1000;
/** A temporary file this old belongs to a write that was interrupted (a save takes seconds at most). */
export const staleTemporaryFileAgeMs = 60 * 60 * 1000;
const deleteConcurrency = 32;

/** Throws `invalid_request` for retention settings that make no sense. */
export function validateCleanupOptions(options: CleanupOptions): void {
  const { retentionDays, maxSizeBytes, dryRun } = options;
  if (dryRun !== undefined && typeof dryRun !== 'boolean') throw invalidRequest('dryRun must be true or false.');
  if (retentionDays !== undefined && (typeof retentionDays !== 'number' || !Number.isFinite(retentionDays) || retentionDays < 0)) {
    throw invalidRequest('retentionDays must be a number of days, 0 or more (0 keeps images forever).');
  }
  if (maxSizeBytes !== undefined && (!Number.isSafeInteger(maxSizeBytes) || maxSizeBytes < 0)) {
    throw invalidRequest('maxSizeBytes must be a whole number of bytes, 0 or more (0 means no size cap).');
  }
}

/** What a cleanup needs from the store. */
export interface CleanupContext {
  /** The filesystem port. */
  fileSystem: StorageFileSystem;
  /** The store's paths. */
  paths: StoragePaths;
  /** The index (the caller holds the folder lock). */
  persistentIndex: PersistentIndex;
  /** Time source for ages. */
  clock: Clock;
  /** Where failures are reported. */
  logger: Logger;
}

interface StrayCandidate extends RemovedStrayFile {
  absolutePath: string;
  directory: string | undefined;
}

/**
 * One cleanup run, under the folder lock: lists every folder (bringing the index in line with the files), picks
 * expired images, then the oldest until the size cap holds, then stray files; deletes them unless `dryRun`, and
 * records the run. A dry run changes nothing on disk, not even the index.
 */
export async function runCleanup(context: CleanupContext, options: CleanupOptions): Promise<CleanupReport> {
  const { fileSystem, paths, persistentIndex, clock, logger } = context;
  const dryRun = options.dryRun ?? false;
  const startedAt = clock.now();
  const nowMs = startedAt.getTime();
  const retentionDays = options.retentionDays ?? 0;
  const maxSizeBytes = options.maxSizeBytes ?? 0;
  const cutoffMs = retentionDays > 0 ? nowMs - retentionDays * dayMs : Number.NEGATIVE_INFINITY;

  const { scan, reconciliation } = await persistentIndex.inspect(undefined);
  let view: readonly IndexEntry[];
  if (dryRun) {
    const dropped = new Set(reconciliation.dropped.map((entry) => entry.id));
    const added = new Set(reconciliation.added.map((entry) => entry.id));
    view = [...persistentIndex.index.all().filter((entry) => !dropped.has(entry.id) && !added.has(entry.id)), ...reconciliation.added].sort(
      compareEntries,
    );
  } else {
    persistentIndex.applyPending(scan, reconciliation);
    view = persistentIndex.index.all();
  }

  const removedImages: RemovedImage[] = [];
  let remainingBytes = 0;
  for (const entry of view) remainingBytes += entry.imageBytes + entry.sidecarBytes;
  let position = 0;
  const take = (entry: IndexEntry, reason: RemovedImage['reason']) => {
    removedImages.push({
      imageId: entry.id,
      createdAt: new Date(entry.createdAtMs).toISOString(),
      bytes: entry.imageBytes + entry.sidecarBytes,
      reason,
    });
    remainingBytes -= entry.imageBytes + entry.sidecarBytes;
  };
  // Ids start with their save second, so "saved before the cutoff" is "id sorts before the cutoff's key".
  const cutoffKey = imageIdKeyForTime(cutoffMs);
  while (position < view.length && (view[position] as IndexEntry).id < cutoffKey) {
    take(view[position] as IndexEntry, 'expired');
    position += 1;
  }
  while (maxSizeBytes > 0 && remainingBytes > maxSizeBytes && position < view.length) {
    take(view[position] as IndexEntry, 'over_size');
    position += 1;
  }
  const removedEntries = view.slice(0, position);

  const strays = await collectStrays(context, reconciliation.strays, nowMs, cutoffMs);
  const report: CleanupReport = {
    dryRun,
    at: startedAt.toISOString(),
    removedImages,
    removedFiles: strays.map(({ path: relativePath, bytes, reason }) => ({ path: relativePath, bytes, reason })),
    removedBytes: removedImages.reduce((sum, image) => sum + image.bytes, 0) + strays.reduce((sum, stray) => sum + stray.bytes, 0),
    remainingImages: view.length - position,
    remainingBytes,
    failures: [],
  };
  if (dryRun) return report;

  const touched = new Set<string>();
  const removedIds: string[] = [];
  const failedIds = new Set<string>();
  let cancelled = false;
  await mapWithConcurrency(removedEntries, deleteConcurrency, async (entry) => {
    if (options.signal?.aborted) {
      cancelled = true;
      failedIds.add(entry.id);
      return;
    }
    const folder = absoluteDirectory(paths.imagesPath, entry.directory);
    touched.add(entry.directory);
    // The sidecar goes first: an image without its sidecar is never indexed again, only swept as an orphan.
    try {
      await fileSystem.removeFile(path.join(folder, sidecarFileName(entry.id)));
    } catch (error) {
      failedIds.add(entry.id);
      report.failures.push({
        path: relativeToBase(entry.directory, sidecarFileName(entry.id)),
        reason: storageFailure('delete', error).message,
      });
      return;
    }
    removedIds.push(entry.id);
    try {
      await fileSystem.removeFile(path.join(folder, imageFileName(entry.id, entry.format)));
    } catch (error) {
      report.failures.push({
        path: relativeToBase(entry.directory, imageFileName(entry.id, entry.format)),
        reason: storageFailure('delete', error).message,
      });
    }
  });
  const removedStrays: StrayCandidate[] = [];
  await mapWithConcurrency(strays, deleteConcurrency, async (stray) => {
    if (options.signal?.aborted) {
      cancelled = true;
      return;
    }
    try {
      await fileSystem.removeFile(stray.absolutePath);
      removedStrays.push(stray);
      if (stray.directory !== undefined) touched.add(stray.directory);
    } catch (error) {
      report.failures.push({ path: stray.path, reason: storageFailure('delete', error).message });
    }
  });

  if (failedIds.size > 0) {
    report.removedImages = report.removedImages.filter((image) => !failedIds.has(image.imageId));
    for (const entry of removedEntries) if (failedIds.has(entry.id)) report.remainingBytes += entry.imageBytes + entry.sidecarBytes;
    report.remainingImages += failedIds.size;
  }
  report.removedFiles = removedStrays.map(({ path: relativePath, bytes, reason }) => ({ path: relativePath, bytes, reason }));
  report.removedBytes =
    report.removedImages.reduce((sum, image) => sum + image.bytes, 0) + report.removedFiles.reduce((sum, file) => sum + file.bytes, 0);

  const pruned = new Set(await pruneEmptyDirectories(context, [...touched]));
  await persistentIndex.commit({
    remove: removedIds,
    touched: [...touched].filter((directory) => !pruned.has(directory)),
    compact: removedIds.length > 0,
  });
  const summary = {
    at: report.at,
    removedImages: report.removedImages.length,
    removedFiles: report.removedImages.length * 2 + report.removedFiles.length,
    removedBytes: report.removedBytes,
  };
  await persistentIndex.recordCleanup(summary);
  if (report.failures.length > 0) logger.warn('Cleanup could not remove some files', { failures: report.failures.length });
  logger.info('Cleanup finished', summary);
  if (cancelled) throw new ImageGenError({ code: 'cancelled', message: 'Cleanup was cancelled; what it removed so far is recorded.' });
  return report;
}

async function collectStrays(
  context: CleanupContext,
  strays: readonly StrayFile[],
  nowMs: number,
  cutoffMs: number,
): Promise<StrayCandidate[]> {
  const { fileSystem, paths } = context;
  const candidates: Array<Omit<StrayCandidate, 'bytes'> & { mustBeOlderThanMs?: number }> = [];
  for (const stray of strays) {
    if (stray.reason === 'unreadable') {
      const savedAt = imageIdTimestamp(stray.imageId)?.getTime();
      if (savedAt === undefined || savedAt >= cutoffMs) continue;
    }
    candidates.push({
      path: relativeToBase(stray.directory, stray.name),
      reason: stray.reason,
      absolutePath: path.join(absoluteDirectory(paths.imagesPath, stray.directory), stray.name),
      directory: stray.directory,
      ...(stray.reason === 'temporary' ? { mustBeOlderThanMs: staleTemporaryFileAgeMs } : {}),
    });
  }
  // Index and state files are replaced through temporaries in the base folder too.
  try {
    for (const entry of await fileSystem.readDirectory(paths.basePath)) {
      if (entry.kind === 'file' && entry.name.startsWith(`${temporaryFilePrefix}images.`)) {
        candidates.push({
          path: entry.name,
          reason: 'temporary',
          absolutePath: path.join(paths.basePath, entry.name),
          directory: undefined,
          mustBeOlderThanMs: staleTemporaryFileAgeMs,
        });
      }
    }
  } catch (error) {
    if (fileSystemErrorCode(error) !== 'ENOENT') throw error;
  }
  const measured = await mapWithConcurrency(candidates, deleteConcurrency, async (candidate) => {
    const facts = await fileSystem.stat(candidate.absolutePath);
    if (facts === undefined || facts.kind !== 'file') return undefined;
    // Ages are measured against the store's clock, so the rule follows the same time as retention.
    if (candidate.mustBeOlderThanMs !== undefined && nowMs - facts.mtimeMs <= candidate.mustBeOlderThanMs) return undefined;
    const { mustBeOlderThanMs: _ignored, ...stray } = candidate;
    return { ...stray, bytes: facts.size };
  });
  return measured.filter((stray): stray is StrayCandidate => stray !== undefined);
}

/**
 * Removes the given folders (and then their parents) when they are empty, forgets their fingerprints, and
 * returns the folders removed.
 */
export async function pruneEmptyDirectories(
  context: Pick<CleanupContext, 'fileSystem' | 'paths' | 'persistentIndex'>,
  directories: readonly string[],
): Promise<string[]> {
  const candidates = new Set<string>();
  for (const directory of directories) {
    let current = directory;
    while (current !== '') {
      candidates.add(current);
      current = current.includes('/') ? current.slice(0, current.lastIndexOf('/')) : '';
    }
  }
  const deepestFirst = [...candidates].sort((left, right) => right.length - left.length);
  const removed: string[] = [];
  for (const directory of deepestFirst) {
    if (await context.fileSystem.removeEmptyDirectory(absoluteDirectory(context.paths.imagesPath, directory))) removed.push(directory);
  }
  context.persistentIndex.touch(
    removed.map((directory) => (directory.includes('/') ? directory.slice(0, directory.lastIndexOf('/')) : '')),
  );
  context.persistentIndex.forgetDirectories(removed);
  return removed;
}
