/**
 * Every publishable package must declare what its published code imports: a missing `@imagegen/*` dependency
 * makes tsup inline a second copy of that library, and a missing npm dependency breaks `npm install` for users.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';
import { workspaceRoot } from './workspace-root';

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? specifier);
}

function productionSources(folder: string): string[] {
  return (fs.readdirSync(folder, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.split(path.sep).includes('test-support'))
    .map((file) => path.join(folder, file));
}

const projects = ['libs', 'apps'].flatMap((group) =>
  fs.readdirSync(path.join(workspaceRoot, group)).map((name) => path.join(workspaceRoot, group, name)),
);

describe.each(projects.map((folder) => [path.relative(workspaceRoot, folder), folder]))('%s/package.json', (_name, folder) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };

  it('declares every package its published code imports', () => {
    const imported = new Set<string>();
    for (const file of productionSources(path.join(folder, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'([^'.][^']*)'/g)) {
        const specifier = match[1] ?? '';
        if (!builtins.has(specifier) && !builtins.has(packageNameOf(specifier))) imported.add(packageNameOf(specifier));
      }
    }
    imported.delete(manifest.name);
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
    expect([...imported].filter((name) => !declared.has(name)).sort()).toEqual([]);
  });

  it('pins exact versions', () => {
    const loose = Object.entries(manifest.dependencies ?? {}).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version));
    expect(loose).toEqual([]);
  });
});
