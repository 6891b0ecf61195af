/**
 * Nx release, dry run: one version for every published package (lockstep), their pins on each other moved with it,
 * the derived metadata following, and a CHANGELOG.md entry with the release tag. Nothing is written or committed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { cleanEnvironment } from './test-support/clean-environment';
import { runScript, workspaceRoot } from './test-support/commands';
import { distribution } from './test-support/packed-packages';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const readVersion = (relativeFolder: string) =>
  (JSON.parse(fs.readFileSync(path.join(workspaceRoot, relativeFolder, 'package.json'), 'utf8')) as { version: string }).version;

describe('npm run release -- --dry-run', () => {
  const { packages } = distribution();
  const current = readVersion('apps/stdio-server');
  const [major, minor, patch] = current.split('.').map(Number) as [number, number, number];
  const next = `${major}.${minor}.${patch + 1}`;
  let output = '';

  beforeAll(async () => {
    const result = await runScript('tools/distribution/scripts/release.mjs', ['--dry-run', '--skip-publish', '--specifier', next], {
      env: cleanEnvironment({ NX_DAEMON: 'false', NX_TUI: 'false', FORCE_COLOR: '0' }),
    });
    // Nx colours its output whatever FORCE_COLOR says; the assertions read plain text.
    output = stripVTControlCharacters(result.stdout + result.stderr);
  }, 180_000);

  it('all published packages start at one version', () => {
    expect(new Set(packages.map((entry) => readVersion(entry.relativeFolder)))).toEqual(new Set([current]));
  });

  it.each(packages.map((entry) => [entry.name, entry.relativeFolder]))('bumps %s to the one new version', (_name, relativeFolder) => {
    expect(output).toContain(`New version ${next} written to manifest: ${relativeFolder}/package.json`);
  });

  it('moves the packages’ exact pins on each other with them', () => {
    expect(output).toMatch(new RegExp(`^-\\s+"@imagegen/core": "${escape(current)}",$`, 'm'));
    expect(output).toMatch(new RegExp(`^\\+\\s+"@imagegen/core": "${escape(next)}",$`, 'm'));
  });

  it('keeps server.json and the bundle manifest at the released version, and previews the changelog entry', () => {
    expect(output).toContain(`server.json and the bundle manifest would be set to version ${next}`);
    expect(output).toMatch(new RegExp(`^\\+ ## ${escape(next)} \\(\\d{4}-\\d{2}-\\d{2}\\)$`, 'm'));
  });

  it('changes nothing on disk', () => {
    expect(readVersion('libs/core')).toBe(current);
  });
});
