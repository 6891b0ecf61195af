#!/usr/bin/env node
// The README's test command: check formatting, lint, typecheck and build every project, run every test suite, check that the
// published engine installs on its own, then print one closing line with the test counts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const reportsFolder = path.join(workspaceRoot, 'reports', 'jest');
const requireHere = createRequire(import.meta.url);
const nx = requireHere.resolve('nx/bin/nx');
const prettier = requireHere.resolve('prettier/bin/prettier.cjs');
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

/** The steps, in order. `--only NAME,…` runs some of them (e.g. `--only format`); the default is all. */
const steps = [
  // Formatting first: a misformatted file fails the run (`npm run format` fixes it).
  { name: 'format', title: 'format (prettier --check)', command: [prettier, '--check', '.'] },
  {
    name: 'lint-typecheck-build',
    title: 'lint, typecheck, build',
    command: [nx, 'run-many', '-t', 'lint', 'typecheck', 'build', '--outputStyle=static', '--parallel=2'],
  },
  { name: 'tests', title: 'tests', command: [nx, 'run-many', '-t', 'test', '--outputStyle=static', '--parallel=2'], countsTests: true },
  ...['verify-package-install.mjs', 'run-readme-examples.mjs'].map((script) => ({
    name: script.replace(/\.mjs$/, ''),
    title: script,
    command: [path.join(workspaceRoot, 'tools', 'scripts', script)],
  })),
  // Quick benchmark pass (results in a temp folder): fails only when a scenario crashes, never on timings.
  { name: 'bench', title: 'benchmarks, quick', command: [path.join(workspaceRoot, 'tools', 'bench', 'src', 'run-all.mjs'), '--quick'] },
];

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : (process.argv[onlyIndex + 1] ?? '').split(',').filter(Boolean);
const unknown = (only ?? []).filter((name) => !steps.some((step) => step.name === name));
if (unknown.length > 0) {
  process.stderr.write(`unknown step ${unknown.join(', ')}; steps: ${steps.map((step) => step.name).join(', ')}\n`);
  process.exit(2);
}
const selected = only ? steps.filter((step) => only.includes(step.name)) : steps;

fs.rmSync(reportsFolder, { recursive: true, force: true });
const failures = [];
for (const step of selected) {
  if (!run(step.title, process.execPath, step.command)) failures.push(step.name);
}

const totals = collectCounts();
process.stdout.write('\n');
if (failures.length > 0) process.stdout.write(`failed steps: ${failures.join(', ')}\n`);
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
const testsRan = selected.some((step) => step.countsTests);
process.exit(failures.length > 0 || totals.failed > 0 || (testsRan && totals.passed === 0) ? 1 : 0);
