import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Logger } from '@imagegen/common';
import { reconcile, scanTree, type Reconciliation, type TreeScan } from './directory-scan';
import { ImageIndex, type IndexEntry } from './image-index';
import {
  decodeAppendedOperations,
  decodeIndex,
  decodeState,
  encodeEntry,
  encodeHeader,
  encodeState,
  encodeTombstone,
  IndexFormatError,
  indexText,
  type DecodedIndex,
  type IndexOperation,
  type IndexState,
} from './index-file';
import type { CleanupSummary } from './image-store';
import { isMissingPathError, type StorageFileSystem } from './storage-file-system';
import { absoluteDirectory, temporaryFilePrefix, type StoragePaths } from './storage-paths';

/** What {@link PersistentIndex} needs. */
export interface PersistentIndexDependencies {
  /** The filesystem port. */
  fileSystem: StorageFileSystem;
  /** The store's paths. */
  paths: StoragePaths;
  /** Permission bits for the index and state files. */
  filePermissions: number;
  /** Where repairs are reported. */
  logger: Logger;
}

/** How an open found the index. */
export type IndexOpenOutcome =
  /** Index and state agreed and no folder had changed. */
  | 'loaded'
  /** The index was usable but some folders (or the state) disagreed; only the differences were read. */
  | 'reconciled'
  /** The index was missing (as on the first open of a new folder) or corrupt and was rebuilt from every sidecar. */
  | 'rebuilt';

/** A change to the index: entries to add (or replace) and ids to remove. */
export interface IndexChange {
  /** Entries to add or replace. */
  add?: readonly IndexEntry[];
  /** Ids to remove. */
  remove?: readonly string[];
  /** Folders (relative to `images/`) whose content was changed; they are re-listed on the next open. */
  touched?: readonly string[];
  /** Rewrite the index instead of appending (cleanup compacts whenever it removed something). */
  compact?: boolean;
}

const emptyState = (): IndexState => ({ version: 1, epoch: '', generation: 0, indexBytes: 0, directories: {}, lastCleanup: null });
const newEpoch = () => randomBytes(8).toString('hex');
const utf8 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/**
 * The index on disk and in memory, kept in step. Every method that writes must run under the folder lock
 * (see `withFolderLock`); {@link PersistentIndex.refresh} is the only one meant to run without it.
 */
export class PersistentIndex {
  /** The in-memory index; read freely, change only through this class. */
  readonly index = new ImageIndex();
  private state: IndexState = emptyState();
  private deadLines = 0;
  private needsRewrite = false;

  private constructor(private readonly dependencies: PersistentIndexDependencies) {}

  /** The last real cleanup, as recorded in the state file. */
  get lastCleanup(): CleanupSummary | null {
    return this.state.lastCleanup;
  }

  /**
   * Loads the index, checks it against the state file and the folders' modification times, and repairs it:
   * folders that changed are re-listed, and a missing, corrupt or out-of-step index is rebuilt from the sidecars.
   */
  static async open(dependencies: PersistentIndexDependencies): Promise<{ persistentIndex: PersistentIndex; outcome: IndexOpenOutcome }> {
    const persistentIndex = new PersistentIndex(dependencies);
    const outcome = await persistentIndex.load();
    return { persistentIndex, outcome };
  }

  private async load(): Promise<IndexOpenOutcome> {
    const { logger, paths, fileSystem } = this.dependencies;
    const state = await this.readState();
    const file = await this.readIndexFile();
    if (state !== undefined && 'decoded' in file && this.matches(file.decoded, file.byteLength, state)) {
      this.state = state;
      this.index.adopt(file.decoded.entries);
      this.deadLines = file.decoded.deadLines;
      const recordedFingerprints = JSON.stringify(state.directories);
      const scan = await scanTree(fileSystem, paths.imagesPath, state.directories);
      const reconciliation = await this.reconcile(scan);
      const changed = this.apply(scan, reconciliation);
      if (changed || this.deadLines > Math.max(1000, this.index.size)) await this.rewrite();
      else if (JSON.stringify(this.state.directories) !== recordedFingerprints) await this.writeState();
      if (changed) {
        logger.info('Updated the image index from folders changed since it was written', {
          added: reconciliation.added.length,
          removed: reconciliation.dropped.length,
        });
      }
      return changed ? 'reconciled' : 'loaded';
    }
    const reason =
      'error' in file
        ? file.error
        : state === undefined
          ? 'the state file is missing or unreadable'
          : 'the index and its state file are out of step';
    if ('decoded' in file) this.index.adopt(file.decoded.entries);
    const scan = await scanTree(fileSystem, paths.imagesPath, undefined);
    const reconciliation = await this.reconcile(scan);
    this.apply(scan, reconciliation);
    await this.rewrite();
    const outcome = 'decoded' in file ? 'reconciled' : 'rebuilt';
    if (outcome === 'rebuilt' && reason === 'the index file is missing' && this.index.size === 0) return outcome;
    logger.warn(
      outcome === 'rebuilt' ? 'Rebuilt the image index from the metadata files' : 'Checked the image index against every folder',
      {
        reason,
        images: this.index.size,
      },
    );
    return outcome;
  }

  private matches(decoded: DecodedIndex, byteLength: number, state: IndexState): boolean {
    return decoded.epoch === state.epoch && decoded.generation === state.generation && byteLength === state.indexBytes;
  }

  private async readState(): Promise<IndexState | undefined> {
    try {
      return decodeState(utf8(await this.dependencies.fileSystem.readFile(this.dependencies.paths.statePath)));
    } catch (error) {
      if (isMissingPathError(error)) return undefined;
      throw error;
    }
  }

  private async readIndexFile(): Promise<{ decoded: DecodedIndex; byteLength: number } | { error: string }> {
    let bytes: Uint8Array;
    try {
      bytes = await this.dependencies.fileSystem.readFile(this.dependencies.paths.indexPath);
    } catch (error) {
      if (isMissingPathError(error)) return { error: 'the index file is missing' };
      throw error;
    }
    try {
      return { decoded: decodeIndex(indexText(bytes)), byteLength: bytes.length };
    } catch (error) {
      if (error instanceof IndexFormatError) return { error: `the index file is corrupt (${error.message})` };
      throw error;
    }
  }

  /** Lists the given folders (or all) and compares them with the index, without changing anything. */
  async inspect(known?: Readonly<Record<string, number | null>>): Promise<{ scan: TreeScan; reconciliation: Reconciliation }> {
    const scan = await scanTree(this.dependencies.fileSystem, this.dependencies.paths.imagesPath, known);
    return { scan, reconciliation: await this.reconcile(scan) };
  }

  private reconcile(scan: TreeScan): Promise<Reconciliation> {
    const { fileSystem, paths, logger } = this.dependencies;
    return reconcile({ fileSystem, imagesPath: paths.imagesPath, index: this.index, scan, logger });
  }

  /** Applies a reconciliation to memory and takes the scan's folder fingerprints; true when entries changed. */
  private apply(scan: TreeScan, reconciliation: Reconciliation): boolean {
    this.index.removeMany(new Set(reconciliation.dropped.map((entry) => entry.id)));
    for (const entry of reconciliation.added) this.index.add(entry);
    const fingerprints = { ...this.state.directories };
    for (const directory of scan.vanished) delete fingerprints[directory];
    Object.assign(fingerprints, scan.fingerprints);
    this.state.directories = fingerprints;
    return reconciliation.added.length > 0 || reconciliation.dropped.length > 0;
  }

  /** Applies an {@link inspect} result and rewrites the index (used by repairs). */
  async applyAndRewrite(scan: TreeScan, reconciliation: Reconciliation): Promise<void> {
    this.apply(scan, reconciliation);
    await this.rewrite();
  }

  /**
   * Applies an {@link inspect} result to memory only; the next {@link commit} rewrites the index file when
   * entries changed (cleanup uses this to write the index once, after deleting).
   */
  applyPending(scan: TreeScan, reconciliation: Reconciliation): void {
    if (this.apply(scan, reconciliation)) this.needsRewrite = true;
  }

  /** Forgets the whole index and reads every sidecar again. */
  async rebuild(): Promise<void> {
    this.index.replaceAll([]);
    const { scan, reconciliation } = await this.inspect(undefined);
    await this.applyAndRewrite(scan, reconciliation);
  }

  /**
   * Re-lists one folder and brings its entries in line (called when a read finds an indexed file missing).
   * Returns how many entries changed.
   */
  async repairDirectory(directory: string): Promise<number> {
    const { fileSystem, paths } = this.dependencies;
    const scan: TreeScan = { listed: [], fingerprints: {}, vanished: new Set() };
    try {
      scan.listed.push({ directory, entries: await fileSystem.readDirectory(absoluteDirectory(paths.imagesPath, directory)) });
    } catch (error) {
      if (!isMissingPathError(error)) throw error;
      scan.vanished.add(directory);
    }
    const reconciliation = await this.reconcile(scan);
    await this.commit({ add: reconciliation.added, remove: reconciliation.dropped.map((entry) => entry.id), touched: [directory] });
    return reconciliation.added.length + reconciliation.dropped.length;
  }

  /**
   * Makes memory match the files on disk before a change, under the folder lock: adopts what another store
   * appended, reloads after another store's rewrite, and repairs anything else by checking every folder.
   */
  async synchronize(): Promise<void> {
    const fresh = await this.readState();
    const indexFacts = await this.dependencies.fileSystem.stat(this.dependencies.paths.indexPath);
    const size = indexFacts?.size;
    const sameEpoch = fresh !== undefined && fresh.epoch === this.state.epoch;
    if (sameEpoch && fresh.generation === this.state.generation && fresh.indexBytes === this.state.indexBytes) {
      if (size === this.state.indexBytes && !this.needsRewrite) {
        this.state = fresh;
        return;
      }
      // Our own failed append may have left a partial line: write the index again from memory.
      this.state.directories = fresh.directories;
      this.state.lastCleanup = fresh.lastCleanup;
      await this.rewrite();
      return;
    }
    if (sameEpoch && !this.needsRewrite && fresh.generation < this.state.generation && size === this.state.indexBytes) {
      // Our last state write failed after a successful append.
      await this.writeState();
      return;
    }
    if (fresh !== undefined && !this.needsRewrite && (await this.adopt(fresh))) return;
    this.dependencies.logger.warn('The image index changed outside this store; checking every folder', {});
    const { scan, reconciliation } = await this.inspect(undefined);
    await this.applyAndRewrite(scan, reconciliation);
  }

  /**
   * Best-effort catch-up without the lock, before a read: picks up what other stores wrote. Leaves memory as it
   * is when the files are mid-change; the next write repairs under the lock.
   */
  async refresh(): Promise<void> {
    let fresh: IndexState | undefined;
    try {
      fresh = await this.readState();
    } catch {
      return;
    }
    if (fresh === undefined || this.needsRewrite) return;
    if (fresh.epoch === this.state.epoch && fresh.generation === this.state.generation) {
      this.state.lastCleanup = fresh.lastCleanup;
      return;
    }
    try {
      await this.adopt(fresh);
    } catch {
      // A concurrent rewrite can make the read fail; memory stays as it was.
    }
  }

  private async adopt(fresh: IndexState): Promise<boolean> {
    const { fileSystem, paths } = this.dependencies;
    if (fresh.epoch === this.state.epoch && fresh.generation > this.state.generation && fresh.indexBytes > this.state.indexBytes) {
      const tail = await fileSystem.readFile(paths.indexPath, this.state.indexBytes);
      const wanted = fresh.indexBytes - this.state.indexBytes;
      if (tail.length < wanted) return false;
      let operations: IndexOperation[];
      try {
        operations = decodeAppendedOperations(indexText(tail.subarray(0, wanted)), this.state.generation);
      } catch (error) {
        if (error instanceof IndexFormatError) return false;
        throw error;
      }
      if ((operations[operations.length - 1]?.generation ?? -1) !== fresh.generation) return false;
      this.applyOperations(operations);
      this.state = fresh;
      return true;
    }
    if (fresh.epoch !== this.state.epoch) {
      const bytes = await fileSystem.readFile(paths.indexPath);
      if (bytes.length < fresh.indexBytes) return false;
      let decoded: DecodedIndex;
      try {
        decoded = decodeIndex(indexText(bytes.subarray(0, fresh.indexBytes)));
      } catch (error) {
        if (error instanceof IndexFormatError) return false;
        throw error;
      }
      if (!this.matches(decoded, fresh.indexBytes, fresh)) return false;
      this.index.adopt(decoded.entries);
      this.deadLines = decoded.deadLines;
      this.state = fresh;
      return true;
    }
    return false;
  }

  private applyOperations(operations: readonly IndexOperation[]): void {
    for (const operation of operations) {
      if (operation.kind === 'add') {
        if (this.index.get(operation.entry.id) !== undefined) this.deadLines += 1;
        this.index.add(operation.entry);
      } else {
        this.deadLines += this.index.remove(operation.id) === undefined ? 1 : 2;
      }
    }
  }

  /**
   * Records a change: appends it to the index file (or rewrites the file when the change is large or dead
   * lines have piled up), then the state. Memory changes only once the index file holds the change.
   */
  async commit(change: IndexChange): Promise<void> {
    const removals = (change.remove ?? []).filter((id) => this.index.get(id) !== undefined);
    const additions = change.add ?? [];
    this.touch(change.touched ?? []);
    if (additions.length === 0 && removals.length === 0) {
      if (this.needsRewrite) await this.rewrite();
      else if ((change.touched ?? []).length > 0) await this.writeState();
      return;
    }
    const large = additions.length + removals.length > Math.max(1000, this.index.size / 4);
    if (large || this.needsRewrite || change.compact === true) {
      this.index.removeMany(new Set(removals));
      for (const entry of additions) this.index.add(entry);
      await this.rewrite();
      return;
    }
    let generation = this.state.generation;
    const operations: IndexOperation[] = [
      ...removals.map((id): IndexOperation => ({ kind: 'delete', id, generation: (generation += 1) })),
      ...additions.map((entry): IndexOperation => ({ kind: 'add', entry, generation: (generation += 1) })),
    ];
    const text = operations
      .map((operation) =>
        operation.kind === 'add' ? encodeEntry(operation.entry, operation.generation) : encodeTombstone(operation.id, operation.generation),
      )
      .join('');
    const bytes = Buffer.from(text, 'latin1');
    try {
      await this.dependencies.fileSystem.appendFile(this.dependencies.paths.indexPath, bytes, { mode: this.dependencies.filePermissions });
    } catch (error) {
      this.needsRewrite = true;
      throw error;
    }
    this.applyOperations(operations);
    this.state.generation = generation;
    this.state.indexBytes += bytes.length;
    try {
      await this.writeState();
    } catch (error) {
      // The index already holds the change; a stale state file only costs a check on the next open.
      this.dependencies.logger.warn('Could not update the image index state file', { code: (error as { code?: unknown }).code });
    }
    if (this.deadLines > Math.max(1000, this.index.size)) {
      try {
        await this.rewrite();
      } catch (error) {
        // The change is already durable in the appended lines; compaction is retried on the next change.
        this.needsRewrite = true;
        this.dependencies.logger.warn('Could not compact the image index', { code: (error as { code?: unknown }).code });
      }
    }
  }

  /** Writes the state file now (after {@link touch} or {@link forgetDirectories}). */
  async saveState(): Promise<void> {
    await this.writeState();
  }

  /** Records a finished cleanup in the state file. */
  async recordCleanup(summary: CleanupSummary): Promise<void> {
    this.state.lastCleanup = summary;
    await this.writeState();
  }

  /** Marks folders (and their parents) as changed, so the next open re-lists them. */
  touch(directories: readonly string[]): void {
    for (const directory of directories) {
      let current = directory;
      for (;;) {
        this.state.directories[current] = null;
        if (current === '') break;
        current = current.includes('/') ? current.slice(0, current.lastIndexOf('/')) : '';
      }
    }
  }

  /** Forgets folders that were removed. */
  forgetDirectories(directories: readonly string[]): void {
    for (const directory of directories) delete this.state.directories[directory];
  }

  /** Writes the whole index afresh (new epoch, no dead lines), then the state. */
  async rewrite(): Promise<void> {
    const epoch = newEpoch();
    const generation = this.state.generation + 1;
    const parts = [encodeHeader(epoch, generation)];
    for (const entry of this.index.all()) parts.push(encodeEntry(entry));
    const bytes = Buffer.from(parts.join(''), 'latin1');
    await this.replaceFile(this.dependencies.paths.indexPath, bytes);
    this.state.epoch = epoch;
    this.state.generation = generation;
    this.state.indexBytes = bytes.length;
    this.deadLines = 0;
    this.needsRewrite = false;
    await this.writeState();
  }

  private async writeState(): Promise<void> {
    await this.replaceFile(this.dependencies.paths.statePath, Buffer.from(encodeState(this.state), 'utf8'));
  }

  private async replaceFile(target: string, bytes: Uint8Array): Promise<void> {
    const { fileSystem, filePermissions } = this.dependencies;
    const temporary = path.join(path.dirname(target), `${temporaryFilePrefix}${path.basename(target)}.${randomBytes(4).toString('hex')}`);
    try {
      await fileSystem.createFile(temporary, bytes, { mode: filePermissions, durable: true });
      await fileSystem.rename(temporary, target);
    } catch (error) {
      await fileSystem.removeFile(temporary).catch(() => false);
      throw error;
    }
  }
}
