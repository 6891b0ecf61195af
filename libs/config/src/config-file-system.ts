/**
 * The file-system port of the loader: only the two questions it asks, so tests can answer them from memory.
 */
import * as fs from 'node:fs';

/** What `loadConfig` needs from a file system. Synchronous: configuration is read once at start. */
export interface ConfigFileSystem {
  /**
   * The file's text (UTF-8), or `undefined` when no file exists at `path`. Any other failure (permission
   * denied, a folder at that path) throws.
   */
  readTextFile(path: string): string | undefined;
  /** The file's mode bits (`stat.mode`), or `undefined` when unknown (missing file, no POSIX modes). */
  fileMode(path: string): number | undefined;
}

const missingFileCodes = new Set(['ENOENT', 'ENOTDIR']);

function isMissingFileError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && missingFileCodes.has(String((error as { code?: unknown }).code));
}

/** The real file system, through `node:fs`. */
export const nodeConfigFileSystem: ConfigFileSystem = {
  readTextFile(path) {
    try {
      return fs.readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissingFileError(error)) return undefined;
      throw error;
    }
  },
  fileMode(path) {
    try {
      return fs.statSync(path).mode;
    } catch (error) {
      if (isMissingFileError(error)) return undefined;
      throw error;
    }
  },
};
