import * as fs from 'node:fs/promises';

/** One entry of a folder listing. */
export interface DirectoryEntry {
  /** The entry's name (no folder part). */
  name: string;
  /** What the entry is; links and devices are `other` and are never followed. */
  kind: 'file' | 'directory' | 'other';
}

/** Facts about a path. */
export interface PathFacts {
  /** What the path is. */
  kind: 'file' | 'directory' | 'other';
  /** Size in bytes. */
  size: number;
  /** Last modification time, milliseconds since the epoch, as the filesystem reports it. */
  mtimeMs: number;
}

/**
 * The filesystem operations the image store performs, as a small port so tests can inject a failure at any
 * single step (or count calls) and so the store never touches `node:fs` directly. Errors are Node-style errors
 * with a `code` (`ENOENT`, `EEXIST`, `ENOSPC`, …); only `stat` and `removeFile` report a missing path as a value.
 */
export interface StorageFileSystem {
  /** Creates a folder and any missing parents; succeeds when it already exists. */
  makeDirectory(path: string): Promise<void>;
  /** Removes a folder if it is empty; resolves `false` when it is missing or not empty. */
  removeEmptyDirectory(path: string): Promise<boolean>;
  /** Lists a folder. Rejects with `ENOENT` when it does not exist. */
  readDirectory(path: string): Promise<DirectoryEntry[]>;
  /** Facts about a path without following a final symbolic link, or `undefined` when nothing is there. */
  stat(path: string): Promise<PathFacts | undefined>;
  /** Reads a whole file, or its bytes from offset `start` to the end. Rejects with `ENOENT` when missing. */
  readFile(path: string, start?: number): Promise<Uint8Array>;
  /**
   * Creates a NEW file (rejects with `EEXIST` when one is there), writes `data`, sets its permission bits to
   * exactly `mode` (regardless of the umask) and, when `durable`, flushes it to disk (fsync) before resolving. A
   * failure may leave a partial file behind; the caller removes it.
   */
  createFile(path: string, data: Uint8Array, options: { mode: number; durable: boolean }): Promise<void>;
  /** Appends `data` to a file (creating it with `mode`) and flushes it to disk before resolving. */
  appendFile(path: string, data: Uint8Array, options: { mode: number }): Promise<void>;
  /** Renames atomically, replacing `to` if it exists. Both paths are in the same folder or filesystem. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; resolves `false` when it did not exist. */
  removeFile(path: string): Promise<boolean>;
  /** Flushes a folder's entries to disk so a rename in it survives a power cut; best effort, never rejects. */
  syncDirectory(path: string): Promise<void>;
  /** Bytes available to this (unprivileged) process on the filesystem holding `path` (`statfs`). */
  availableBytes(path: string): Promise<number>;
  /** Resolves when this process may create files in the folder `path`; rejects with `EACCES`, `EROFS`, … otherwise. */
  canWrite(path: string): Promise<void>;
}

const kindOf = (facts: { isFile(): boolean; isDirectory(): boolean }): PathFacts['kind'] =>
  facts.isFile() ? 'file' : facts.isDirectory() ? 'directory' : 'other';

/** True for the error codes that mean "nothing at that path". */
export function isMissingPathError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The error code of a Node filesystem error, if it has one. */
export function fileSystemErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Creates the {@link StorageFileSystem} backed by `node:fs/promises`. */
export function createNodeStorageFileSystem(): StorageFileSystem {
  return {
    async makeDirectory(path) {
      await fs.mkdir(path, { recursive: true });
    },
    async removeEmptyDirectory(path) {
      try {
        await fs.rmdir(path);
        return true;
      } catch (error) {
        const code = fileSystemErrorCode(error);
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || isMissingPathError(error)) return false;
        throw error;
      }
    },
    async readDirectory(path) {
      const entries = await fs.readdir(path, { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
    },
    async stat(path) {
      try {
        const facts = await fs.lstat(path);
        return { kind: kindOf(facts), size: facts.size, mtimeMs: facts.mtimeMs };
      } catch (error) {
        if (isMissingPathError(error)) return undefined;
        throw error;
      }
    },
    async readFile(path, start = 0) {
      if (start === 0) return fs.readFile(path);
      const handle = await fs.open(path, 'r');
      try {
        const { size } = await handle.stat();
        const length = Math.max(0, size - start);
        const buffer = Buffer.alloc(length);
        let offset = 0;
        while (offset < length) {
          const { bytesRead } = await handle.read(buffer, offset, length - offset, start + offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
        }
        return buffer.subarray(0, offset);
      } finally {
        await handle.close();
      }
    },
    async createFile(path, data, options) {
      const handle = await fs.open(path, 'wx', options.mode);
      try {
        await writeWhole(handle, data);
        // The mode given to open() is filtered by the umask; the configured permissions must hold exactly.
        await handle.chmod(options.mode);
        if (options.durable) await handle.sync();
      } catch (error) {
        // The file is this call's own (created exclusively above): a failed write (a full disk) must not leave it
        // empty or partial for a reader, or a lock file that others would wait on.
        await handle.close().catch(() => undefined);
        await fs.rm(path, { force: true }).catch(() => undefined);
        throw error;
      }
      await handle.close();
    },
    async appendFile(path, data, options) {
      const handle = await fs.open(path, 'a', options.mode);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async rename(from, to) {
      await fs.rename(from, to);
    },
    async removeFile(path) {
      try {
        await fs.unlink(path);
        return true;
      } catch (error) {
        if (isMissingPathError(error)) return false;
        throw error;
      }
    },
    async syncDirectory(path) {
      try {
        const handle = await fs.open(path, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch {
        // Some platforms (Windows) cannot open or fsync a folder; the rename is still atomic there.
      }
    },
    async availableBytes(path) {
      const facts = await fs.statfs(path);
      return facts.bavail * facts.bsize;
    },
    async canWrite(path) {
      await fs.access(path, fs.constants.W_OK);
    },
  };
}

/**
 * Writes all of `data` at the handle's position with as few system calls as the kernel allows (usually one):
 * `FileHandle.writeFile` cuts a multi-megabyte image into 512 KB writes, each a round trip through libuv's pool.
 */
async function writeWhole(handle: fs.FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.byteLength;) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}
