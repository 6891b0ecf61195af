/**
 * An in-memory {@link ConfigFileSystem} for tests: files are text with a mode, or a read error.
 */
import type { ConfigFileSystem } from '../config-file-system';

/** A stored file: its text and mode bits (default 0o100600, a private regular file), or the error reading it throws. */
export type MemoryFile = string | { text: string; mode?: number } | { errorCode: string };

/** A file system holding exactly the given files, by absolute path. */
export function createMemoryFileSystem(files: Record<string, MemoryFile> = {}): ConfigFileSystem {
  const find = (path: string) => files[path];
  return {
    readTextFile(path) {
      const file = find(path);
      if (file === undefined) return undefined;
      if (typeof file === 'string') return file;
      if ('errorCode' in file) throw Object.assign(new Error(`${file.errorCode}: cannot read ${path}`), { code: file.errorCode });
      return file.text;
    },
    fileMode(path) {
      const file = find(path);
      if (file === undefined || (typeof file === 'object' && 'errorCode' in file)) return undefined;
      return typeof file === 'string' ? 0o100600 : (file.mode ?? 0o100600);
    },
  };
}
