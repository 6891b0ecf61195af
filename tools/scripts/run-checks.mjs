#!/usr/bin/env node
// The README's test command: lint, typecheck and build every project, run every test suite, check that the
// published engine installs on its own, then print one closing line with the test counts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const reportsFolder = path.join(workspaceRoot, 'reports', 'jest');
const nx = createRequire(import.meta.url).resolve('nx/bin/nx');
const environment = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };

function run(title, command, args) {
  process.stdout.write(`\n=== ${title}\n`);
  const result = spawnSync(command, args, { cwd: workspaceRoot, stdio: 'inherit', env: environment });
  return result.status === 0;
}

function collectCounts() {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  if (!fs.existsSync(reportsFolder)) return totals;
  const visit = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const entryPath = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(entryPath);
      else if (entry.name.endsWith('.json')) {
        const summary = JSON.parse(fs.readFileSync(entryPath, 'utf8'));
        totals.passed += summary.passed;
        totals.failed += summary.failed;
        totals.skipped += summary.skipped;
      }
    }
  };
  visit(reportsFolder);
  return totals;
}

fs.rmSync(reportsFolder, { recursive: true, force: true });
const failures = [];
if (
  !run('lint, typecheck, build', process.execPath, [
    nx,
    'run-many',
    '-t',
    'lint',
    'typecheck',
    'build',
    '--outputStyle=static',
    '--parallel=2',
  ])
) {
  failures.push('lint/typecheck/build');
}
if (!run('tests', process.execPath, [nx, 'run-many', '-t', 'test', '--outputStyle=static', '--parallel=2'])) {
  failures.push('tests');
}
for (const script of ['verify-package-install.mjs', 'run-readme-examples.mjs']) {
  const scriptPath = path.join(workspaceRoot, 'tools', 'scripts', script);
  if (fs.existsSync(scriptPath) && !run(script, process.execPath, [scriptPath])) failures.push(script);
}
// Quick benchmark pass (results in a temp folder): fails only when a scenario crashes, never on timings.
if (!run('benchmarks, quick', process.execPath, [path.join(workspaceRoot, 'tools', 'bench', 'src', 'run-all.mjs'), '--quick']))
  failures.push('bench --quick');

const totals = collectCounts();
process.stdout.write('\n');
if (failures.length > 0) process.stdout.write(`failed steps: ${failures.join(', ')}\n`);
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(failures.length > 0 || totals.failed > 0 || totals.passed === 0 ? 1 : 0);
