/**
 * Calls `loadConfig` with fixed, machine-independent defaults: a Linux user "ada" working in /work/project.
 */
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from '../load-config';
import { createMemoryFileSystem, type MemoryFile } from './memory-file-system';

/** The working directory the test loads use. */
export const testCwd = '/work/project';
/** The home folder the test loads use. */
export const testHome = '/home/ada';

/** Options of {@link loadTestConfig}: any `loadConfig` option, plus in-memory files. */
export type TestLoadOptions = Partial<Omit<LoadConfigOptions, 'fileSystem'>> & { files?: Record<string, MemoryFile> };

/** `loadConfig` against in-memory files, an empty environment and the test user's folders unless overridden. */
export function loadTestConfig(options: TestLoadOptions = {}): LoadedConfig {
  const { files, ...rest } = options;
  return loadConfig({
    env: {},
    cwd: testCwd,
    homeDirectory: testHome,
    platform: 'linux',
    fileSystem: createMemoryFileSystem(files),
    ...rest,
  });
}

/** The `invalid_config` error `loadTestConfig` throws for these options; fails the test when none is thrown. */
export function loadTestConfigError(options: TestLoadOptions): Error & { code: string; details: Record<string, unknown> } {
  try {
    loadTestConfig(options);
  } catch (error) {
    return error as Error & { code: string; details: Record<string, unknown> };
  }
  throw new Error('expected loadConfig to throw');
}
