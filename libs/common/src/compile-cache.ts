import * as nodeModule from 'node:module';
import * as path from 'node:path';

/** What the per-user folder lookup needs; apps pass `process.env`, `process.platform` and `os.homedir()`. */
export interface UserFolderContext {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  homeDirectory: string;
}

/**
 * The per-user cache folder of `name`: `%LOCALAPPDATA%\name\Cache` on Windows, `~/Library/Caches/name` on macOS,
 * `$XDG_CACHE_HOME/name` (else `~/.cache/name`) elsewhere. Caches are what the OS or the user may delete at any time.
 */
export function userCacheFolder(context: UserFolderContext, name: string): string {
  const paths = context.platform === 'win32' ? path.win32 : path.posix;
  if (context.platform === 'win32') {
    const localAppData = context.env['LOCALAPPDATA'] || paths.join(context.homeDirectory, 'AppData', 'Local');
    return paths.join(localAppData, name, 'Cache');
  }
  if (context.platform === 'darwin') return paths.join(context.homeDirectory, 'Library', 'Caches', name);
  const xdgCacheHome = context.env['XDG_CACHE_HOME'];
  // The XDG specification says a relative XDG_CACHE_HOME is invalid and must be ignored.
  return paths.join(xdgCacheHome && paths.isAbsolute(xdgCacheHome) ? xdgCacheHome : paths.join(context.homeDirectory, '.cache'), name);
}

/** The outcome of turning the compile cache on: Node's status name and the folder in use, if any. */
export interface CompileCacheOutcome {
  status: 'enabled' | 'already-enabled' | 'disabled' | 'failed';
  directory?: string;
}

/**
 * Turns on Node's module compile cache (`module.enableCompileCache`) in the user's cache folder, so later starts
 * load the compiled code of the dependencies instead of compiling it again. Call it before the heavy modules load.
 * `NODE_COMPILE_CACHE` (another folder) and `NODE_DISABLE_COMPILE_CACHE=1` keep working, as Node documents them.
 * Never throws: a cache that cannot be written only means a slower start.
 */
export function enableModuleCompileCache(context: UserFolderContext, name = 'imagegen'): CompileCacheOutcome {
  const directory = path.join(userCacheFolder(context, name), 'node-compile-cache');
  try {
    const result = nodeModule.enableCompileCache(directory);
    const { constants } = nodeModule;
    switch (result.status) {
      case constants.compileCacheStatus.ENABLED:
        return { status: 'enabled', ...(result.directory ? { directory: result.directory } : {}) };
      case constants.compileCacheStatus.ALREADY_ENABLED:
        return { status: 'already-enabled', ...(result.directory ? { directory: result.directory } : {}) };
      case constants.compileCacheStatus.DISABLED:
        return { status: 'disabled' };
      default:
        return { status: 'failed' };
    }
  } catch {
    return { status: 'failed' };
  }
}
