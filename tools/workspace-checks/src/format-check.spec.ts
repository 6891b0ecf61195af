/**
 * Proves that the README's test command fails on a misformatted file: runs its format step (the same step `npm test`
 * runs first) with one badly formatted file added to the workspace.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workspaceRoot } from './workspace-root';

const runChecks = path.join(workspaceRoot, 'tools', 'scripts', 'run-checks.mjs');

function formatStep() {
  return spawnSync(process.execPath, [runChecks, '--only', 'format'], { cwd: workspaceRoot, encoding: 'utf8', timeout: 240_000 });
}

describe('npm test format step', () => {
  const probe = path.join(workspaceRoot, 'tools', 'workspace-checks', `format-probe-${process.pid}.json`);

  afterEach(() => fs.rmSync(probe, { force: true }));

  it('fails and names the file when a file is not formatted with Prettier', () => {
    fs.writeFileSync(probe, '{"misformatted":   [1,2,\n3]}\n');
    const result = formatStep();
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain(`format-probe-${process.pid}.json`);
    expect(result.stdout).toContain('failed steps: format');
  }, 240_000);

  it('refuses a step name it does not know instead of running nothing', () => {
    const result = spawnSync(process.execPath, [runChecks, '--only', 'formatting'], { cwd: workspaceRoot, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown step formatting');
  });
});
