// The publishable packages of the workspace (every non-private package under libs/ and apps/), read from their
// manifests, and the set of workspace packages one of them needs at run time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const publishableGroups = ['libs', 'apps'];

export function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Writes JSON the way the repository formats it: two spaces, a final newline. */
export function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** @returns {{ name: string, folder: string, relativeFolder: string, project: string, manifest: Record<string, any> }[]} */
export function publishablePackages() {
  const packages = [];
  for (const group of publishableGroups) {
    for (const entry of fs.readdirSync(path.join(workspaceRoot, group)).sort()) {
      const folder = path.join(workspaceRoot, group, entry);
      const manifestPath = path.join(folder, 'package.json');
      if (!fs.existsSync(manifestPath)) continue;
      const manifest = readJson(manifestPath);
      if (manifest.private) continue;
      const project = readJson(path.join(folder, 'project.json')).name;
      packages.push({ name: manifest.name, folder, relativeFolder: `${group}/${entry}`, project, manifest });
    }
  }
  return packages;
}

/** The workspace packages `name` needs when installed (its production dependencies, transitively), itself included. */
export function runtimeClosure(name, packages = publishablePackages()) {
  const byName = new Map(packages.map((entry) => [entry.name, entry]));
  const seen = new Set();
  const visit = (current) => {
    if (seen.has(current)) return;
    const entry = byName.get(current);
    if (entry === undefined) throw new Error(`No publishable workspace package named ${current}`);
    seen.add(current);
    for (const dependency of Object.keys(entry.manifest.dependencies ?? {})) {
      if (byName.has(dependency)) visit(dependency);
    }
  };
  visit(name);
  return [...seen].sort();
}

/** True when the module at `moduleUrl` is the script node was started with (not imported by another one). */
export function isMainModule(moduleUrl) {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === path.resolve(process.argv[1]);
}
