/**
 * Every package as the registry would receive it — the tarball `npm pack` made — checked the way a registry and its
 * users see it: the files inside (LICENSE, README, built code, no sources or tests), publint's package.json checks,
 * Are the Types Wrong? for the libraries' exports (require and import, with types), and `npm publish --dry-run`.
 * The tools run up front, a few at a time (they mostly wait on the registry), and each test reads its result.
 */
import { binOf, npm, runCommand, type CommandResult } from './test-support/commands';
import { cleanEnvironment } from './test-support/clean-environment';
import { distribution, scratchFolder, tarballsOf } from './test-support/packed-packages';

const { packages } = distribution();
const tarballOf = (name: string) => tarballsOf([name])[0]!;
const publint = binOf('publint');
const attw = binOf('@arethetypeswrong/cli', 'attw');
const concurrency = 4;

type Check = 'listing' | 'publint' | 'attw' | 'publish';
const results = new Map<string, CommandResult>();
const key = (name: string, check: Check) => `${name} ${check}`;

function commandFor(name: string, check: Check): [string, string[], Parameters<typeof runCommand>[2]] {
  const tarball = tarballOf(name);
  switch (check) {
    case 'listing':
      return ['tar', ['-tzf', tarball], {}];
    case 'publint':
      return [process.execPath, [publint, 'run', tarball, '--level', 'warning', '--strict'], {}];
    case 'attw':
      return [
        process.execPath,
        [attw, tarball, '--no-definitely-typed', '--format', 'json'],
        { env: cleanEnvironment({ FORCE_COLOR: '0' }) },
      ];
    case 'publish':
      return [npm, ['publish', '--dry-run', '--no-workspaces', tarball], { cwd: scratchFolder('publish'), env: cleanEnvironment() }];
  }
}

beforeAll(async () => {
  const queue: [string, Check][] = packages.flatMap((entry) =>
    (['listing', 'publint', 'publish', ...(entry.hasExports ? (['attw'] as const) : [])] as Check[]).map((check): [string, Check] => [
      entry.name,
      check,
    ]),
  );
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, check] = next;
      const [command, args, options] = commandFor(name, check);
      results.set(key(name, check), await runCommand(command, args, options));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}, 600_000);

const resultOf = (name: string, check: Check) => {
  const result = results.get(key(name, check));
  if (!result) throw new Error(`${check} did not run for ${name}`);
  return result;
};

describe.each(packages.map((entry) => [entry.name, entry]))('%s, packed', (name, entry) => {
  it('holds its LICENSE, README, package.json and built code, and no sources or tests', () => {
    const listing = resultOf(name, 'listing').stdout.split('\n').filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']));
    expect(listing.some((file) => file.startsWith('package/dist/'))).toBe(true);
    expect(listing.filter((file) => /\.spec\.|\/src\/|tsconfig|jest\.config|project\.json/.test(file))).toEqual([]);
  });

  it('passes publint with warnings treated as errors', () => {
    const result = resultOf(name, 'publint');
    expect({ exitCode: result.exitCode, output: result.exitCode === 0 ? '' : result.stdout + result.stderr }).toEqual({
      exitCode: 0,
      output: '',
    });
  });

  if (entry.hasExports) {
    it('resolves with types from require and import (Are the Types Wrong?)', () => {
      const result = resultOf(name, 'attw');
      const report = JSON.parse(result.stdout) as { problems?: Record<string, unknown[]>; analysis?: { problems?: unknown[] } };
      const problems = [...Object.values(report.problems ?? {}).flat(), ...(report.analysis?.problems ?? [])];
      expect(problems).toEqual([]);
      expect(result.exitCode).toBe(0);
    });
  }

  it('publishes (dry run) to the npm registry with public access', () => {
    const result = resultOf(name, 'publish');
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.exitCode).toBe(0);
    expect(output).toContain(`+ ${name}@`);
    expect(output).toMatch(/with tag latest and public access \(dry-run\)/);
  });
});
