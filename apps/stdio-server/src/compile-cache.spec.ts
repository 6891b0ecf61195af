/**
 * The built server turns on Node's module compile cache in the user's cache folder, and leaves it off when the user
 * says so with Node's own switch (NODE_DISABLE_COMPILE_CACHE=1).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const binary = path.join(__dirname, '..', 'dist', 'main.js');

function startVersion(extraEnv: Record<string, string>) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-compile-cache-'));
  // `--version` loads the configuration and engine modules, then ends.
  const result = spawnSync(process.execPath, [binary, '--version'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), ...extraEnv },
    encoding: 'utf8',
  });
  return { home, result, cacheFolder: path.join(home, 'cache', 'imagegen', 'node-compile-cache') };
}

describe('module compile cache', () => {
  it('is written to the user cache folder on a start', () => {
    const { home, result, cacheFolder } = startVersion({});
    try {
      expect(result.status).toBe(0);
      const versionFolders = fs.readdirSync(cacheFolder);
      expect(versionFolders).toHaveLength(1);
      expect(fs.readdirSync(path.join(cacheFolder, versionFolders[0] as string)).length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('stays off with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const { home, result, cacheFolder } = startVersion({ NODE_DISABLE_COMPILE_CACHE: '1' });
    try {
      expect(result.status).toBe(0);
      expect(fs.existsSync(cacheFolder)).toBe(false);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
