/**
 * Where images go by default, and how path settings are resolved.
 *
 * The per-user data folder is computed here rather than with the `env-paths` package: `env-paths` reads
 * `process.env` and `os.homedir()` itself, which would make `loadConfig` depend on the process instead of on
 * its arguments (and untestable for other platforms). These few lines follow the same conventions.
 */
import * as path from 'node:path';

/** Folder name used inside the per-user data folder. */
export const dataFolderName = 'imagegen-mcp';

/** The platform facts a path computation needs, all injected. */
export interface PathContext {
  /** `process.platform` of the machine the paths are for. */
  platform: NodeJS.Platform;
  /** The user's home folder. */
  homeDirectory: string;
}

/** Path functions of the given platform, so Windows paths can be computed (and tested) anywhere. */
export function pathModuleFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/**
 * The per-user data folder for imagegen:
 * - Windows: `%LOCALAPPDATA%\imagegen-mcp`, else `~\AppData\Local\imagegen-mcp`;
 * - macOS: `~/Library/Application Support/imagegen-mcp`;
 * - Linux and others: `$XDG_DATA_HOME/imagegen-mcp` (only when absolute, as the XDG spec requires), else
 *   `~/.local/share/imagegen-mcp`.
 */
export function defaultDataDirectory(context: PathContext & { env: Readonly<Record<string, string | undefined>> }): string {
  const paths = pathModuleFor(context.platform);
  if (context.platform === 'win32') {
    const localAppData = context.env['LOCALAPPDATA'];
    return localAppData ? paths.join(localAppData, dataFolderName) : paths.join(context.homeDirectory, 'AppData', 'Local', dataFolderName);
  }
  if (context.platform === 'darwin') {
    return paths.join(context.homeDirectory, 'Library', 'Application Support', dataFolderName);
  }
  const xdgDataHome = context.env['XDG_DATA_HOME'];
  return xdgDataHome && paths.isAbsolute(xdgDataHome)
    ? paths.join(xdgDataHome, dataFolderName)
    : paths.join(context.homeDirectory, '.local', 'share', dataFolderName);
}

/**
 * Resolves a path setting: `~` and `~/…` (also `~\…` on Windows) expand to the home folder, absolute paths are
 * normalised, relative paths are resolved against `baseDirectory`.
 */
export function resolveSettingPath(value: string, context: PathContext & { baseDirectory: string }): string {
  const paths = pathModuleFor(context.platform);
  const homePrefix = context.platform === 'win32' ? /^~(?:[/\\]|$)/ : /^~(?:\/|$)/;
  if (homePrefix.test(value)) return paths.join(context.homeDirectory, value.slice(1));
  return paths.resolve(context.baseDirectory, value);
}
