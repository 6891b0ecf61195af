#!/usr/bin/env node
// Builds the Claude Desktop bundle (.mcpb) of the stdio server for one platform: the manifest from
// apps/stdio-server/mcpb/manifest.json, and a production install of @imagegen/stdio-server from the packed tarballs
// under server/. sharp ships its native code as per-platform npm packages, so a bundle for another platform is built
// here by asking npm for that platform's packages (`--os darwin --cpu arm64`); only starting it needs that machine.
// Usage: node tools/distribution/scripts/build-bundle.mjs [--packs DIR] [--os linux] [--cpu x64] [--out FILE]
//   --packs  tarballs from pack-packages.mjs (default: build and pack now, into a temporary folder)
//   --out    default dist/bundles/imagegen-<version>-<os>-<cpu>.mcpb
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { packPackages } from './pack-packages.mjs';
import { stageInstall } from './stage-install.mjs';
import { bundleManifestPath } from './sync-package-metadata.mjs';
import { isMainModule, readJson, workspaceRoot, writeJson } from './workspace-packages.mjs';

const bundlePlatforms = ['darwin', 'linux', 'win32'];

function mcpbCommand() {
  const folder = path.join(workspaceRoot, 'node_modules', '@anthropic-ai', 'mcpb');
  const { bin } = readJson(path.join(folder, 'package.json'));
  return path.join(folder, typeof bin === 'string' ? bin : Object.values(bin)[0]);
}

export function runMcpb(args) {
  return execFileSync(process.execPath, [mcpbCommand(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function buildBundle({ packs, targetOs = process.platform, cpu = process.arch, out }) {
  if (!bundlePlatforms.includes(targetOs)) throw new Error(`--os must be one of ${bundlePlatforms.join(', ')}`);
  const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-bundle-'));
  try {
    const packFolder = packs ?? path.join(temporary, 'packs');
    if (!packs) packPackages({ out: packFolder, build: true });
    const manifest = readJson(bundleManifestPath);
    const staging = path.join(temporary, 'bundle');
    fs.mkdirSync(staging);
    // This bundle carries one platform's sharp binaries, so it says which platform it is for.
    writeJson(path.join(staging, 'manifest.json'), {
      ...manifest,
      compatibility: { ...manifest.compatibility, platforms: [targetOs] },
    });
    fs.copyFileSync(path.join(workspaceRoot, 'LICENSE'), path.join(staging, 'LICENSE'));
    stageInstall({ packs: packFolder, packageName: '@imagegen/stdio-server', out: path.join(staging, 'server'), os: targetOs, cpu });
    const output = out ?? path.join(workspaceRoot, 'dist', 'bundles', `${manifest.name}-${manifest.version}-${targetOs}-${cpu}.mcpb`);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.rmSync(output, { force: true });
    runMcpb(['validate', path.join(staging, 'manifest.json')]);
    runMcpb(['pack', staging, output]);
    return { output, bytes: fs.statSync(output).size };
  } finally {
    fs.rmSync(temporary, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: { packs: { type: 'string' }, os: { type: 'string' }, cpu: { type: 'string' }, out: { type: 'string' } },
  });
  const { output, bytes } = buildBundle({
    packs: values.packs && path.resolve(values.packs),
    targetOs: values.os,
    cpu: values.cpu,
    out: values.out && path.resolve(values.out),
  });
  process.stdout.write(`${output} (${(bytes / 1024 / 1024).toFixed(1)} MiB)\n`);
}
