#!/usr/bin/env node
// The repository's public address is written in ONE place, the root package.json's `repository.url`; every other
// copy is derived from it here: each publishable package's repository/homepage/bugs/publishConfig/prepack, its LICENSE
// file, the stdio server's `mcpName`, and the MCP Registry `server.json` and Claude Desktop bundle manifest (name,
// version, links). Versions come from the packages (Nx release bumps them in lockstep).
// Usage: node tools/distribution/scripts/sync-package-metadata.mjs [--check]
//   --check  write nothing; list what is out of date and exit 1 if anything is (CI runs this).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { isMainModule, publishablePackages, readJson, workspaceRoot } from './workspace-packages.mjs';

export const serverJsonPath = path.join(workspaceRoot, 'server.json');
export const bundleManifestPath = path.join(workspaceRoot, 'apps', 'stdio-server', 'mcpb', 'manifest.json');
export const stdioPackageName = '@imagegen/stdio-server';

/** The GitHub owner and repository named by the root package.json, and the addresses derived from them. */
export function repositoryCoordinates() {
  const root = readJson(path.join(workspaceRoot, 'package.json'));
  const url = typeof root.repository === 'string' ? root.repository : root.repository?.url;
  const match = /^(?:git\+)?https:\/\/github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(url ?? '');
  if (!match) throw new Error(`package.json repository.url must be a https://github.com/OWNER/REPO address, got ${url}`);
  const [, owner, repo] = match;
  const web = `https://github.com/${owner}/${repo}`;
  return {
    owner,
    repo,
    web,
    gitUrl: `git+${web}.git`,
    issues: `${web}/issues`,
    // The MCP Registry authenticates `io.github.<owner>/…` names with GitHub, so the name follows the owner.
    mcpName: `io.github.${owner}/${repo}`,
  };
}

/** Returns `object` with `entries` placed right after `anchorKey` (replacing earlier copies), other keys in order. */
function withKeysAfter(object, anchorKey, entries) {
  const result = {};
  for (const [key, value] of Object.entries(object)) {
    if (key in entries) continue;
    result[key] = value;
    if (key === anchorKey) Object.assign(result, entries);
  }
  if (!(anchorKey in object)) Object.assign(result, entries);
  return result;
}

function packageManifestFor(entry, coordinates) {
  const derived = {
    repository: { type: 'git', url: coordinates.gitUrl, directory: entry.relativeFolder },
    homepage: `${coordinates.web}/tree/main/${entry.relativeFolder}#readme`,
    bugs: { url: coordinates.issues },
    publishConfig: { access: 'public' },
    ...(entry.name === stdioPackageName ? { mcpName: coordinates.mcpName } : {}),
  };
  const manifest = withKeysAfter(entry.manifest, 'license', derived);
  // `npm pack` / `npm publish` in the package folder builds first (packing the workspace at once builds once instead).
  manifest.scripts = { ...entry.manifest.scripts, prepack: `nx run ${entry.project}:build --outputStyle=static` };
  return manifest;
}

function rootManifestFor(root, coordinates) {
  return withKeysAfter(root, 'license', {
    repository: { type: 'git', url: coordinates.gitUrl },
    homepage: `${coordinates.web}#readme`,
    bugs: { url: coordinates.issues },
  });
}

function serverJsonFor(serverJson, coordinates, stdioVersion) {
  return {
    ...serverJson,
    name: coordinates.mcpName,
    version: stdioVersion,
    websiteUrl: `${coordinates.web}#readme`,
    repository: { url: coordinates.web, source: 'github', subfolder: 'apps/stdio-server' },
    packages: serverJson.packages.map((entry) =>
      entry.registryType === 'npm' ? { ...entry, identifier: stdioPackageName, version: stdioVersion } : entry,
    ),
  };
}

function bundleManifestFor(manifest, coordinates, stdioManifest) {
  return {
    ...manifest,
    version: stdioManifest.version,
    repository: { type: 'git', url: coordinates.gitUrl },
    homepage: `${coordinates.web}#readme`,
    support: coordinates.issues,
    license: stdioManifest.license,
    compatibility: {
      ...manifest.compatibility,
      runtimes: { ...manifest.compatibility?.runtimes, node: stdioManifest.engines.node },
    },
  };
}

/** Every file this script owns, with the text it should have (formatted as Prettier formats it). */
export async function desiredFiles() {
  const coordinates = repositoryCoordinates();
  const files = new Map();
  const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
  const license = fs.readFileSync(path.join(workspaceRoot, 'LICENSE'), 'utf8');
  const rootPath = path.join(workspaceRoot, 'package.json');
  files.set(rootPath, json(rootManifestFor(readJson(rootPath), coordinates)));
  const packages = publishablePackages();
  for (const entry of packages) {
    files.set(path.join(entry.folder, 'package.json'), json(packageManifestFor(entry, coordinates)));
    files.set(path.join(entry.folder, 'LICENSE'), license);
  }
  const stdio = packages.find((entry) => entry.name === stdioPackageName);
  files.set(serverJsonPath, json(serverJsonFor(readJson(serverJsonPath), coordinates, stdio.manifest.version)));
  files.set(bundleManifestPath, json(bundleManifestFor(readJson(bundleManifestPath), coordinates, stdio.manifest)));
  for (const [file, text] of files) {
    if (!file.endsWith('.json')) continue;
    const options = (await prettier.resolveConfig(file)) ?? {};
    files.set(file, await prettier.format(text, { ...options, filepath: file }));
  }
  return files;
}

/** Writes (or, with `check`, only compares) every derived file; returns the repository-relative paths that differ. */
export async function syncPackageMetadata({ check = false } = {}) {
  const stale = [];
  for (const [file, text] of await desiredFiles()) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    stale.push(path.relative(workspaceRoot, file));
    if (!check) fs.writeFileSync(file, text);
  }
  return stale;
}

if (isMainModule(import.meta.url)) {
  const check = process.argv.includes('--check');
  const stale = await syncPackageMetadata({ check });
  if (stale.length === 0) process.stdout.write('package metadata is up to date\n');
  else if (check) {
    process.stderr.write(`out of date (run \`npm run sync:metadata\`):\n  ${stale.join('\n  ')}\n`);
    process.exit(1);
  } else process.stdout.write(`updated:\n  ${stale.join('\n  ')}\n`);
}
