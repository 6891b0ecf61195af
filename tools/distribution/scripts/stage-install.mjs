#!/usr/bin/env node
// A production install of one published package, from the packed tarballs alone: the layout the container image
// runs and the Claude Desktop bundle ships. Writes OUT/package.json naming the package and the workspace packages it
// needs (all at 0.1.0-style exact versions, so each must come from its tarball), resolves a lockfile, then runs
// `npm ci --omit=dev` — optionally for another platform (`--os darwin --cpu arm64`), which picks sharp's prebuilt
// binaries for that platform from the registry.
// Usage: node tools/distribution/scripts/stage-install.mjs --packs DIR --package NAME --out DIR [--os OS --cpu CPU [--libc glibc|musl]]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isMainModule, readJson, runtimeClosure, writeJson } from './workspace-packages.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function stageInstall({ packs, packageName, out, os, cpu, libc }) {
  const index = readJson(path.join(packs, 'index.json'));
  const dependencies = {};
  for (const name of runtimeClosure(packageName)) {
    const packed = index[name];
    if (packed === undefined) throw new Error(`${name} is not packed in ${packs} (run pack-packages.mjs first)`);
    // A relative file: reference keeps the lockfile free of this machine's paths.
    dependencies[name] = `file:${path.relative(out, path.join(packs, packed.file)).split(path.sep).join('/')}`;
  }
  fs.mkdirSync(out, { recursive: true });
  const folderName = packageName.replace(/^@[^/]+\//, '');
  writeJson(path.join(out, 'package.json'), {
    name: `${folderName}-deployment`,
    version: index[packageName].version,
    private: true,
    description: `Production install of ${packageName} from its packed tarballs.`,
    dependencies,
  });
  const platform = [...(os ? ['--os', os] : []), ...(cpu ? ['--cpu', cpu] : []), ...(libc ? ['--libc', libc] : [])];
  const quiet = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  const run = (args) => execFileSync(npm, args, { cwd: out, stdio: ['ignore', process.stderr, process.stderr] });
  run(['install', '--package-lock-only', '--omit=dev', ...quiet]);
  run(['ci', '--omit=dev', ...platform, ...quiet]);
  return { dependencies };
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      packs: { type: 'string' },
      package: { type: 'string' },
      out: { type: 'string' },
      os: { type: 'string' },
      cpu: { type: 'string' },
      libc: { type: 'string' },
    },
  });
  if (!values.packs || !values.package || !values.out) {
    process.stderr.write('usage: stage-install.mjs --packs DIR --package NAME --out DIR [--os OS --cpu CPU [--libc LIBC]]\n');
    process.exit(2);
  }
  stageInstall({
    packs: path.resolve(values.packs),
    packageName: values.package,
    out: path.resolve(values.out),
    os: values.os,
    cpu: values.cpu,
    libc: values.libc,
  });
  process.stdout.write(`${values.package} installed for production in ${values.out}\n`);
}
