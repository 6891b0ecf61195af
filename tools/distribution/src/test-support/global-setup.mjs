// Packs every publishable package once for all distribution tests (Nx built them before this target runs) and
// records where the tarballs are and which workspace packages each server needs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packPackages } from '../../scripts/pack-packages.mjs';
import { publishablePackages, runtimeClosure } from '../../scripts/workspace-packages.mjs';

export default async function globalSetup() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-distribution-'));
  // Readable by the unprivileged user the container-layout test runs the server as.
  fs.chmodSync(folder, 0o755);
  const packs = path.join(folder, 'packs');
  packPackages({ out: packs, build: false });
  const packages = publishablePackages().map(({ name, relativeFolder, project, manifest }) => ({
    name,
    relativeFolder,
    project,
    hasExports: manifest.exports !== undefined,
  }));
  const closures = {
    '@imagegen/stdio-server': runtimeClosure('@imagegen/stdio-server'),
    '@imagegen/http-server': runtimeClosure('@imagegen/http-server'),
  };
  fs.writeFileSync(path.join(folder, 'distribution.json'), JSON.stringify({ folder, packs, packages, closures }, null, 2));
  process.env.IMAGEGEN_DISTRIBUTION_FOLDER = folder;
}
