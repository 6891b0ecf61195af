import * as fs from 'node:fs';
import * as path from 'node:path';

/** What the global setup packed: the tarball folder, the publishable packages and each server's runtime closure. */
export interface Distribution {
  folder: string;
  packs: string;
  packages: { name: string; relativeFolder: string; project: string; hasExports: boolean }[];
  closures: Record<'@imagegen/stdio-server' | '@imagegen/http-server', string[]>;
}

export function distribution(): Distribution {
  const folder = process.env['IMAGEGEN_DISTRIBUTION_FOLDER'];
  if (!folder) throw new Error('IMAGEGEN_DISTRIBUTION_FOLDER is unset: run these tests through their Jest config');
  return JSON.parse(fs.readFileSync(path.join(folder, 'distribution.json'), 'utf8')) as Distribution;
}

/** The absolute path of each named package's tarball. */
export function tarballsOf(names: string[]): string[] {
  const { packs } = distribution();
  const index = JSON.parse(fs.readFileSync(path.join(packs, 'index.json'), 'utf8')) as Record<string, { file: string }>;
  return names.map((name) => {
    const packed = index[name];
    if (!packed) throw new Error(`${name} was not packed`);
    return path.join(packs, packed.file);
  });
}

/** A new empty folder inside the distribution folder (removed with it), readable by every user. */
export function scratchFolder(prefix: string): string {
  const created = fs.mkdtempSync(path.join(distribution().folder, `${prefix}-`));
  fs.chmodSync(created, 0o755);
  return created;
}
