#!/usr/bin/env node
// Releases every @imagegen/* package in lockstep with Nx release (config: nx.json "release").
//   1. As changes land, describe each one in a version plan:  npx nx release plan patch -m "what changed for users"
//      (a file in .nx/version-plans/, committed with the change; minor or major as fits).
//   2. To release:  npm run release            (or `-- --specifier 0.2.0`; `-- --dry-run` shows what would happen)
// Steps: bump all packages to one version (from the version plans, or --specifier), updating their pins on each other
// and the lockfile; re-derive server.json and the bundle manifest for that version; write CHANGELOG.md from the
// version plans, commit, tag v<version>; publish every package to npm (each built first). --skip-publish stops
// before publishing (e.g. to publish from CI with provenance).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { serverJsonPath, bundleManifestPath, syncPackageMetadata } from './sync-package-metadata.mjs';
import { workspaceRoot } from './workspace-packages.mjs';

const { releaseChangelog, releasePublish, releaseVersion } = createRequire(import.meta.url)('nx/release');

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    specifier: { type: 'string' },
    'skip-publish': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const dryRun = values['dry-run'];

const { workspaceVersion, projectsVersionData, releaseGraph } = await releaseVersion({
  specifier: values.specifier,
  dryRun,
  verbose: values.verbose,
});
if (!workspaceVersion) {
  process.stdout.write('Nothing to release: no version plan and no --specifier.\n');
  process.exit(0);
}
if (dryRun) {
  process.stdout.write(`[dry-run] server.json and the bundle manifest would be set to version ${workspaceVersion}\n`);
} else {
  const updated = await syncPackageMetadata();
  execFileSync('git', ['add', serverJsonPath, bundleManifestPath], { cwd: workspaceRoot });
  process.stdout.write(`derived metadata updated: ${updated.join(', ') || 'none'}\n`);
}
await releaseChangelog({ versionData: projectsVersionData, version: workspaceVersion, releaseGraph, dryRun, verbose: values.verbose });
if (values['skip-publish']) {
  process.stdout.write(`Release v${workspaceVersion} prepared; publish with: npx nx release publish\n`);
  process.exit(0);
}
const results = await releasePublish({ releaseGraph, dryRun, verbose: values.verbose });
process.exit(Object.values(results).every((result) => result.code === 0) ? 0 : 1);
