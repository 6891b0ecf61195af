import * as path from 'node:path';
import type { Logger } from '@imagegen/common';
import { formatOfExtension, type ImageFormat } from './image-format';
import { isValidImageId } from './image-id';
import type { ImageIndex, IndexEntry } from './image-index';
import { parseImageMetadata } from './image-metadata';
import { promptExcerpt } from './index-file';
import { absoluteDirectory, imageFileName, isStoreDirectory, relativeToBase, sidecarFileName, temporaryFilePrefix } from './storage-paths';
import type { DirectoryEntry, StorageFileSystem } from './storage-file-system';

/**
 * Comparing the folders under `images/` with the index. A folder's modification time changes whenever a file in
 * it is added, removed or renamed, so a folder whose time still matches the recorded one needs no listing; only
 * changed (or never recorded) folders are listed. This is what makes staleness detection cheap: opening a store
 * costs one `stat` per folder plus a listing of the few folders written since.
 */

/**
 * Folder times this close to "now" are not trusted: on filesystems with coarse timestamps a file added in the
 * same tick would leave the time unchanged (the "racy timestamp" problem git also has).
 */
const racyWindowMs = 2000;

/** A folder whose entries were read. */
export interface ListedDirectory {
  /** Folder relative to `images/`. */
  directory: string;
  /** Its entries. */
  entries: DirectoryEntry[];
}

/** The outcome of {@link scanTree}. */
export interface TreeScan {
  /** Folders that were listed because they changed or were not known. */
  listed: ListedDirectory[];
  /** The fingerprint of every store folder found (`null` when its time was too recent to trust). */
  fingerprints: Record<string, number | null>;
  /** Known folders that no longer exist. */
  vanished: Set<string>;
}

const parentOf = (directory: string) => (directory.includes('/') ? directory.slice(0, directory.lastIndexOf('/')) : '');
const childOf = (directory: string, name: string) => (directory === '' ? name : `${directory}/${name}`);

/**
 * Walks `images/`, listing the folders whose modification time differs from `known` (all of them when `known`
 * is undefined). Only the store's own folder shapes (`YYYY/MM/DD`) are entered; anything else is left alone.
 */
export async function scanTree(
  fileSystem: StorageFileSystem,
  imagesPath: string,
  known: Readonly<Record<string, number | null>> | undefined,
): Promise<TreeScan> {
  const nowMs = Date.now();
  const knownChildren = new Map<string, string[]>();
  for (const directory of Object.keys(known ?? {})) {
    if (directory === '') continue;
    const parent = parentOf(directory);
    knownChildren.set(parent, [...(knownChildren.get(parent) ?? []), directory]);
  }
  const scan: TreeScan = { listed: [], fingerprints: {}, vanished: new Set() };
  const vanish = (directory: string) => {
    scan.vanished.add(directory);
    for (const child of knownChildren.get(directory) ?? []) vanish(child);
  };
  const visit = async (directory: string): Promise<void> => {
    const facts = await fileSystem.stat(absoluteDirectory(imagesPath, directory));
    if (facts === undefined || facts.kind !== 'directory') {
      vanish(directory);
      return;
    }
    scan.fingerprints[directory] = facts.mtimeMs > nowMs - racyWindowMs ? null : facts.mtimeMs;
    const recorded = known?.[directory];
    if (typeof recorded === 'number' && recorded === facts.mtimeMs) {
      await Promise.all((knownChildren.get(directory) ?? []).map(visit));
      return;
    }
    let entries: DirectoryEntry[];
    try {
      entries = await fileSystem.readDirectory(absoluteDirectory(imagesPath, directory));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') {
        delete scan.fingerprints[directory];
        vanish(directory);
        return;
      }
      throw error;
    }
    scan.listed.push({ directory, entries });
    const present = new Set<string>();
    const children = entries
      .filter((entry) => entry.kind === 'directory')
      .map((entry) => childOf(directory, entry.name))
      .filter((child) => isStoreDirectory(child));
    for (const child of children) present.add(child);
    for (const child of knownChildren.get(directory) ?? []) if (!present.has(child)) vanish(child);
    await Promise.all(children.map(visit));
  };
  await visit('');
  return scan;
}

/** A file that belongs to no complete image. */
export interface StrayFile {
  /** Folder relative to `images/`. */
  directory: string;
  /** File name. */
  name: string;
  /** Why it is stray. */
  reason: 'orphaned_sidecar' | 'orphaned_image' | 'temporary' | 'unreadable';
  /** For `unreadable`: the image id whose sidecar could not be read. */
  imageId?: string;
}

/** What differs between the listed folders and the index. */
export interface Reconciliation {
  /** Indexed images whose image or sidecar file is gone. */
  dropped: IndexEntry[];
  /** Complete images on disk the index did not know (their sidecars were read). */
  added: IndexEntry[];
  /** Files that belong to no complete, readable image. */
  strays: StrayFile[];
}

const storedFilePattern = /^(img_\d{14}_[0-9a-f]{12})\.(png|jpg|webp|json)$/;

/** Runs `work` on every item with at most `limit` running at once; results keep the items' order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const position = next;
      next += 1;
      results[position] = await work(items[position] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Compares the listed folders with the index (without changing it): indexed images with a missing file are
 * dropped, unknown complete pairs are read and added, and everything else is reported as stray. An unreadable
 * sidecar is logged and reported, never thrown.
 */
export async function reconcile(options: {
  fileSystem: StorageFileSystem;
  imagesPath: string;
  index: ImageIndex;
  scan: TreeScan;
  logger: Logger;
}): Promise<Reconciliation> {
  const { fileSystem, imagesPath, index, scan, logger } = options;
  const outcome: Reconciliation = { dropped: [], added: [], strays: [] };
  const listedDirectories = new Set(scan.listed.map((listed) => listed.directory));
  const indexedByDirectory = new Map<string, IndexEntry[]>();
  for (const entry of index.all()) {
    if (scan.vanished.has(entry.directory)) outcome.dropped.push(entry);
    else if (listedDirectories.has(entry.directory)) {
      const group = indexedByDirectory.get(entry.directory);
      if (group === undefined) indexedByDirectory.set(entry.directory, [entry]);
      else group.push(entry);
    }
  }
  const toRead: Array<{ directory: string; id: string; formats: Set<ImageFormat> }> = [];
  for (const { directory, entries } of scan.listed) {
    const images = new Map<string, Set<ImageFormat>>();
    const sidecars = new Set<string>();
    for (const entry of entries) {
      if (entry.kind !== 'file') continue;
      if (entry.name.startsWith(temporaryFilePrefix)) {
        outcome.strays.push({ directory, name: entry.name, reason: 'temporary' });
        continue;
      }
      const match = storedFilePattern.exec(entry.name);
      if (match === null || !isValidImageId(match[1])) continue;
      const id = match[1] as string;
      const extension = match[2] as string;
      if (extension === 'json') sidecars.add(id);
      else {
        const format = formatOfExtension(extension) as ImageFormat;
        const formats = images.get(id);
        if (formats === undefined) images.set(id, new Set([format]));
        else formats.add(format);
      }
    }
    const kept = new Set<string>();
    for (const entry of indexedByDirectory.get(directory) ?? []) {
      if (sidecars.has(entry.id) && images.get(entry.id)?.has(entry.format)) kept.add(entry.id);
      else outcome.dropped.push(entry);
    }
    for (const id of sidecars) {
      const formats = images.get(id);
      if (formats === undefined) outcome.strays.push({ directory, name: sidecarFileName(id), reason: 'orphaned_sidecar' });
      else if (!kept.has(id)) {
        const elsewhere = index.get(id);
        // The same id complete in another folder (a copy made by hand) keeps the location the index knows.
        if (elsewhere === undefined || elsewhere.directory === directory) toRead.push({ directory, id, formats });
      }
    }
    for (const [id, formats] of images) {
      if (sidecars.has(id)) continue;
      for (const format of formats) outcome.strays.push({ directory, name: imageFileName(id, format), reason: 'orphaned_image' });
    }
  }

  const read = await mapWithConcurrency(toRead, 32, async ({ directory, id, formats }) => {
    const folder = absoluteDirectory(imagesPath, directory);
    let problems: string[];
    try {
      const bytes = await fileSystem.readFile(path.join(folder, sidecarFileName(id)));
      const parsed = parseImageMetadata(JSON.parse(Buffer.from(bytes).toString('utf8')));
      if (parsed.ok && parsed.metadata.image_id === id && formats.has(parsed.metadata.file_info.format)) {
        const { metadata } = parsed;
        const imageFacts = await fileSystem.stat(path.join(folder, imageFileName(id, metadata.file_info.format)));
        if (imageFacts !== undefined) {
          const entry: IndexEntry = {
            id,
            createdAtMs: Date.parse(metadata.created_at),
            imageBytes: imageFacts.size,
            sidecarBytes: bytes.length,
            format: metadata.file_info.format,
            directory,
            promptExcerpt: promptExcerpt(metadata.prompt),
            model: metadata.model_used,
            principalId: metadata.principal_id,
          };
          return { entry };
        }
        problems = ['the image file vanished while it was being indexed'];
      } else {
        problems = parsed.ok ? ['image_id or format does not match the file names'] : parsed.problems;
      }
    } catch (error) {
      problems = [
        error instanceof SyntaxError
          ? 'the file is not valid JSON'
          : `the file could not be read (${String((error as { code?: unknown }).code ?? 'unknown error')})`,
      ];
    }
    logger.warn('Skipped an image whose metadata file is unreadable', { path: relativeToBase(directory, sidecarFileName(id)), problems });
    return { unreadable: { directory, id, formats } };
  });
  for (const result of read) {
    if ('entry' in result && result.entry !== undefined) outcome.added.push(result.entry);
    else if ('unreadable' in result && result.unreadable !== undefined) {
      const { directory, id, formats } = result.unreadable;
      outcome.strays.push({ directory, name: sidecarFileName(id), reason: 'unreadable', imageId: id });
      for (const format of formats) outcome.strays.push({ directory, name: imageFileName(id, format), reason: 'unreadable', imageId: id });
    }
  }
  return outcome;
}
