#!/usr/bin/env node
// Builds every publishable package and packs it with `npm pack`, exactly the tarball `npm publish` would upload.
// Usage: node tools/distribution/scripts/pack-packages.mjs --out DIR [--only NAME] [--skip-build]
//   --only NAME  just NAME and the workspace packages it needs at run time (the container build packs the HTTP server)
// Writes DIR/<scope>-<name>-<version>.tgz for each package and DIR/index.json: { "<name>": { file, version } }.
// --skip-build is for callers that already built (Nx builds every package before the distribution tests run).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isMainModule, publishablePackages, runtimeClosure, workspaceRoot, writeJson } from './workspace-packages.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function packPackages({ out, build = true, only }) {
  const all = publishablePackages();
  const wanted = only === undefined ? undefined : new Set(runtimeClosure(only, all));
  const packages = all.filter((entry) => wanted === undefined || wanted.has(entry.name));
  fs.mkdirSync(out, { recursive: true });
  if (build) {
    const projects = packages.map((entry) => entry.project).join(',');
    execFileSync(
      process.execPath,
      [path.join(workspaceRoot, 'node_modules', 'nx', 'bin', 'nx.js'), 'run-many', '-t', 'build', '-p', projects, '--outputStyle=static'],
      {
        cwd: workspaceRoot,
        stdio: ['ignore', process.stderr, process.stderr],
        env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
      },
    );
  }
  const unbuilt = packages.filter((entry) => !fs.existsSync(path.join(entry.folder, 'dist')));
  if (unbuilt.length > 0) throw new Error(`Not built (no dist/): ${unbuilt.map((entry) => entry.name).join(', ')}`);
  // One npm call for all packages. Scripts are skipped because the build above already ran; each package's own
  // `prepack` script (the same build) is for someone packing or publishing a single package by hand.
  const output = execFileSync(
    npm,
    [
      'pack',
      '--json',
      '--ignore-scripts',
      '--pack-destination',
      out,
      ...packages.flatMap((entry) => ['--workspace', entry.relativeFolder]),
    ],
    { cwd: workspaceRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  const index = {};
  for (const packed of JSON.parse(output)) index[packed.name] = { file: packed.filename, version: packed.version };
  writeJson(path.join(out, 'index.json'), index);
  return index;
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, only: { type: 'string' }, 'skip-build': { type: 'boolean', default: false } },
  });
  if (!values.out) {
    process.stderr.write('usage: pack-packages.mjs --out DIR [--only NAME] [--skip-build]\n');
    process.exit(2);
  }
  const index = packPackages({ out: path.resolve(values.out), build: !values['skip-build'], only: values.only });
  process.stdout.write(
    `${Object.entries(index)
      .map(([name, { file }]) => `${name}\t${file}`)
      .join('\n')}\n`,
  );
}
