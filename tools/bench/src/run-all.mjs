#!/usr/bin/env node
// The benchmark suite (`npm run bench`): runs every scenario as its own process, one after the other, then writes
// summary.md. Each scenario writes <name>.json in the results folder. Timings are compared with targets in the
// summary but never asserted: the run fails only when a scenario crashes.
//
// Usage: node tools/bench/src/run-all.mjs [--quick] [--only a,b] [--skip a,b] [--out-dir DIR]
//   --quick     few iterations and small sizes (under about a minute); results go to a temp folder unless --out-dir
//   --only      run only these scenarios (the summary still shows the other result files present in the folder)
//   --skip      do not run these scenarios; an existing result file for them is kept and marked as reused
// Scenarios: overhead, cache-hit, storage-scale, startup, memory, http.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  argument,
  benchSource,
  httpServerBinary,
  requireBuiltApp,
  scenarioOptions,
  stdioServerBinary,
  workspaceRoot,
} from './lib/bench-kit.mjs';
import { scenarioNames, writeSummary } from './summary.mjs';

const { quick, outDir } = scenarioOptions();
const list = (name) =>
  (argument(name, '') ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
const only = list('--only');
const skip = list('--skip');
for (const name of [...only, ...skip]) {
  if (!scenarioNames.includes(name)) {
    process.stderr.write(`unknown scenario "${name}"; known: ${scenarioNames.join(', ')}\n`);
    process.exit(2);
  }
}

function scenarioArguments(name) {
  const common = [...(quick ? ['--quick'] : []), '--out-dir', outDir];
  if (name === 'storage-scale') return [...(quick ? ['--sizes', '1000'] : []), '--out', path.join(outDir, 'storage-scale.json')];
  return common;
}

function runScenarioProcess(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stdout.write(`\n--- bench: ${name}${quick ? ' (quick)' : ''}\n`);
    const child = spawn(process.execPath, [path.join(benchSource, `${name}.mjs`), ...scenarioArguments(name)], {
      cwd: workspaceRoot,
      stdio: 'inherit',
    });
    child.on('error', (error) => resolve({ name, status: `crashed (${error.message})`, seconds: (Date.now() - started) / 1000 }));
    child.on('exit', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      resolve({ name, status: code === 0 ? 'ok' : `crashed (${signal ?? `exit ${code}`})`, seconds });
    });
  });
}

try {
  requireBuiltApp(stdioServerBinary, 'stdio-server');
  requireBuiltApp(httpServerBinary, 'http-server');
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });

const started = Date.now();
const scenarios = [];
for (const name of scenarioNames) {
  if (skip.includes(name) || (only.length > 0 && !only.includes(name))) {
    if (skip.includes(name) && fs.existsSync(path.join(outDir, `${name}.json`))) scenarios.push({ name, status: 'reused' });
    continue;
  }
  scenarios.push(await runScenarioProcess(name));
}

const run = {
  command: ['node', 'tools/bench/src/run-all.mjs', ...process.argv.slice(2)].join(' '),
  quick,
  scenarios,
  reused: scenarios.filter((entry) => entry.status === 'reused').map((entry) => entry.name),
};
// Kept beside the results so `summary.mjs` can rebuild the summary with the run table later.
fs.writeFileSync(path.join(outDir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
const summary = writeSummary(outDir, run);
const crashed = scenarios.filter((entry) => entry.status.startsWith('crashed'));
process.stdout.write(
  `\n--- bench: ${scenarios.map((entry) => `${entry.name} ${entry.status}${entry.seconds === undefined ? '' : ` (${Math.round(entry.seconds)} s)`}`).join(', ')} in ${Math.round((Date.now() - started) / 1000)} s\n`,
);
process.stdout.write(
  `summary: ${path.relative(workspaceRoot, summary).startsWith('..') ? summary : path.relative(workspaceRoot, summary)}\n`,
);
if (crashed.length > 0) {
  process.stderr.write(`bench: ${crashed.length} scenario(s) crashed: ${crashed.map((entry) => entry.name).join(', ')}\n`);
  process.exit(1);
}
