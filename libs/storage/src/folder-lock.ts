import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ImageGenError, type Logger } from '@imagegen/common';
import { fileSystemErrorCode, isMissingPathError, type StorageFileSystem } from './storage-file-system';

/**
 * A short-lived writer lock on a storage folder, held only while one change (a save, a delete, a cleanup, an
 * index repair) is applied. It is what lets two stores opened on the same folder (in one process, or in two
 * processes on one machine) take turns instead of interleaving their index updates.
 *
 * The lock file holds the owner's host, pid and process start time. A lock whose owner is gone (a crashed
 * process on this host, or a lock older than {@link foreignLockStaleAfterMs} from another host) is broken.
 */
interface LockOwner {
  host: string;
  pid: number;
  processStartMs: number;
  acquiredAtMs: number;
  token: string;
}

/** A lock from another machine (shared folder) is considered abandoned after this long. */
const foreignLockStaleAfterMs = 10 * 60 * 1000;
/**
 * A lock file that cannot be parsed (empty or cut short: its owner died or ran out of disk while writing it) is
 * abandoned after this long. A live owner fills its lock within microseconds of creating it, so a second is ample.
 */
const unreadableLockStaleAfterMs = 1000;

// performance.timeOrigin is when this process started; it tells this process apart from an earlier one that had
// the same pid (containers restart with the same pid).
const thisProcess = { host: hostname(), pid: process.pid, processStartMs: Math.round(performance.timeOrigin) };

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return fileSystemErrorCode(error) === 'EPERM';
  }
}

function isAbandoned(owner: LockOwner | undefined, lockAgeMs: number): boolean {
  if (owner === undefined) return lockAgeMs > unreadableLockStaleAfterMs;
  if (owner.host !== thisProcess.host) return Date.now() - owner.acquiredAtMs > foreignLockStaleAfterMs;
  if (owner.pid === thisProcess.pid) return owner.processStartMs !== thisProcess.processStartMs;
  return !isProcessAlive(owner.pid);
}

function parseOwner(bytes: Uint8Array): LockOwner | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<LockOwner>;
    if (
      typeof value.host === 'string' &&
      typeof value.pid === 'number' &&
      typeof value.processStartMs === 'number' &&
      typeof value.token === 'string'
    ) {
      return {
        host: value.host,
        pid: value.pid,
        processStartMs: value.processStartMs,
        acquiredAtMs: Number(value.acquiredAtMs),
        token: value.token,
      };
    }
  } catch {
    // An unreadable lock is judged by its age alone.
  }
  return undefined;
}

/** Options of {@link withFolderLock}. */
export interface FolderLockOptions {
  /** The filesystem port. */
  fileSystem: StorageFileSystem;
  /** The lock file. */
  lockPath: string;
  /** Permission bits of the lock file. */
  mode: number;
  /** How long to wait for another writer before failing with `storage_failed`. */
  timeoutMs: number;
  /** Where a broken lock is reported. */
  logger: Logger;
}

/** Runs `work` while holding the folder lock; waits (polling) while another writer holds it. */
export async function withFolderLock<T>(options: FolderLockOptions, work: () => Promise<T>): Promise<T> {
  const { fileSystem, lockPath } = options;
  const token = randomBytes(8).toString('hex');
  const owner: LockOwner = { ...thisProcess, acquiredAtMs: Date.now(), token };
  const content = Buffer.from(JSON.stringify(owner));
  const deadline = Date.now() + options.timeoutMs;
  let pause = 2;
  for (;;) {
    try {
      await fileSystem.createFile(lockPath, content, { mode: options.mode, durable: false });
      break;
    } catch (error) {
      if (fileSystemErrorCode(error) !== 'EEXIST') {
        await removeOwnPartialLock(fileSystem, lockPath);
        throw error;
      }
    }
    const facts = await fileSystem.stat(lockPath);
    if (facts !== undefined) {
      let holder: LockOwner | undefined;
      try {
        holder = parseOwner(await fileSystem.readFile(lockPath));
      } catch {
        holder = undefined;
      }
      if (isAbandoned(holder, Date.now() - facts.mtimeMs)) {
        options.logger.warn('Broke an abandoned storage lock', { lockPath, holderPid: holder?.pid, holderHost: holder?.host });
        await fileSystem.removeFile(lockPath);
        continue;
      }
    }
    if (Date.now() >= deadline) {
      throw new ImageGenError({
        code: 'storage_failed',
        message: `The image folder is busy: another writer has held ${lockPath} for more than ${Math.round(options.timeoutMs / 1000)} s. Try again shortly; if no imagegen process is running, delete that file.`,
        retryable: true,
        details: { lockPath },
      });
    }
    await delay(pause);
    pause = Math.min(pause * 2, 100);
  }
  try {
    return await work();
  } finally {
    try {
      const holder = parseOwner(await fileSystem.readFile(lockPath));
      // Only our own lock is removed: a lock broken as abandoned may already belong to someone else.
      if (holder?.token === token) await fileSystem.removeFile(lockPath);
    } catch (error) {
      if (!isMissingPathError(error))
        options.logger.warn('Could not release the storage lock', { lockPath, code: fileSystemErrorCode(error) });
    }
  }
}

/**
 * After a create that failed other than by "already exists" (a full disk), the lock file, if there, is this call's
 * own half-written one: removed, so that nobody waits on it.
 */
async function removeOwnPartialLock(fileSystem: StorageFileSystem, lockPath: string): Promise<void> {
  try {
    if (parseOwner(await fileSystem.readFile(lockPath)) === undefined) await fileSystem.removeFile(lockPath);
  } catch {
    // Nothing there, or nothing that can be done: the original error is what the caller needs.
  }
}
