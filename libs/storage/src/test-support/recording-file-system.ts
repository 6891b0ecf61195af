import { createNodeStorageFileSystem, type StorageFileSystem } from '../storage-file-system';

/** One call made through the port. */
export interface RecordedCall {
  method: keyof StorageFileSystem;
  path: string;
  to?: string;
}

/** A rule that makes one matching call fail. */
export interface InjectedFailure {
  /** Which call fails. */
  matches: (call: RecordedCall) => boolean;
  /** Perform the real operation first, then fail (a write that died after putting bytes on disk). */
  afterRealCall?: boolean;
  /** Error code to fail with; default `EIO`. */
  code?: string;
}

/**
 * The real Node filesystem port, wrapped: records every call, can fail the next call matching a rule, and can
 * pretend the disk has a given amount of free space.
 */
export function createRecordingFileSystem(inner: StorageFileSystem = createNodeStorageFileSystem()): StorageFileSystem & {
  calls: RecordedCall[];
  failures: InjectedFailure[];
  freeBytes: number | undefined;
} {
  const calls: RecordedCall[] = [];
  const failures: InjectedFailure[] = [];
  const wrapper = {
    calls,
    failures,
    freeBytes: undefined as number | undefined,
  };
  const wrap = <K extends keyof StorageFileSystem>(method: K) =>
    (async (...args: unknown[]) => {
      const call: RecordedCall = { method, path: String(args[0]), ...(method === 'rename' ? { to: String(args[1]) } : {}) };
      calls.push(call);
      const failureIndex = failures.findIndex((failure) => failure.matches(call));
      const failure = failureIndex === -1 ? undefined : failures.splice(failureIndex, 1)[0];
      const fail = () => {
        throw Object.assign(new Error(`injected failure of ${method}`), { code: failure?.code ?? 'EIO' });
      };
      if (failure !== undefined && !failure.afterRealCall) fail();
      if (method === 'availableBytes' && wrapper.freeBytes !== undefined) return wrapper.freeBytes;
      const result = await (inner[method] as (...parameters: unknown[]) => Promise<unknown>)(...args);
      if (failure !== undefined) fail();
      return result;
    }) as StorageFileSystem[K];
  return Object.assign(wrapper, {
    makeDirectory: wrap('makeDirectory'),
    removeEmptyDirectory: wrap('removeEmptyDirectory'),
    readDirectory: wrap('readDirectory'),
    stat: wrap('stat'),
    readFile: wrap('readFile'),
    createFile: wrap('createFile'),
    appendFile: wrap('appendFile'),
    rename: wrap('rename'),
    removeFile: wrap('removeFile'),
    syncDirectory: wrap('syncDirectory'),
    availableBytes: wrap('availableBytes'),
    canWrite: wrap('canWrite'),
  });
}
