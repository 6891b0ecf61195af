/**
 * Every package as the registry would receive it — the tarball `npm pack` made — checked the way a registry and its
 * users see it: the files inside (LICENSE, README, built code, no sources or tests), publint's package.json checks,
 * Are the Types Wrong? for the libraries' exports (require and import, with types), and `npm publish --dry-run`.
 */
import * as path from 'node:path';
import { binOf, npm, runCommand } from './test-support/commands';
import { cleanEnvironment } from './test-support/clean-environment';
import { distribution, scratchFolder, tarballsOf } from './test-support/packed-packages';

const { packages } = distribution();
const tarballOf = (name: string) => tarballsOf([name])[0]!;
const publint = binOf('publint');
const attw = binOf('@arethetypeswrong/cli', 'attw');

describe.each(packages.map((entry) => [entry.name, entry]))('%s, packed', (name, entry) => {
  it('holds its LICENSE, README, package.json and built code, and no sources or tests', async () => {
    const listing = (await runCommand('tar', ['-tzf', tarballOf(name)])).stdout.split('\n').filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']));
    expect(listing.some((file) => file.startsWith('package/dist/'))).toBe(true);
    expect(listing.filter((file) => /\.spec\.|\/src\/|tsconfig|jest\.config|project\.json/.test(file))).toEqual([]);
  });

  it('passes publint with warnings treated as errors', async () => {
    const result = await runCommand(process.execPath, [publint, 'run', tarballOf(name), '--level', 'warning', '--strict']);
    expect({ exitCode: result.exitCode, output: result.exitCode === 0 ? '' : result.stdout + result.stderr }).toEqual({
      exitCode: 0,
      output: '',
    });
  });

  if (entry.hasExports) {
    it('resolves with types from require and import (Are the Types Wrong?)', async () => {
      const result = await runCommand(process.execPath, [attw, tarballOf(name), '--no-definitely-typed', '--format', 'json'], {
        env: cleanEnvironment({ FORCE_COLOR: '0' }),
      });
      const report = JSON.parse(result.stdout) as { problems?: Record<string, unknown[]>; analysis?: { problems?: unknown[] } };
      const problems = [...Object.values(report.problems ?? {}).flat(), ...(report.analysis?.problems ?? [])];
      expect(problems).toEqual([]);
      expect(result.exitCode).toBe(0);
    }, 60_000);
  }

  it('publishes (dry run) to the npm registry with public access', async () => {
    const result = await runCommand(npm, ['publish', '--dry-run', '--no-workspaces', tarballOf(name)], {
      cwd: scratchFolder('publish'),
      env: cleanEnvironment(),
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.exitCode).toBe(0);
    expect(output).toContain(`+ ${name}@`);
    expect(output).toMatch(/with tag latest and public access \(dry-run\)/);
    expect(path.basename(tarballOf(name))).toMatch(/\.tgz$/);
  }, 60_000);
});
