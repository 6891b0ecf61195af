/**
 * Every package as the registry shows it: the project's LICENSE, a README, links back to the repository, public access
 * for the scope, a build before packing; the addresses derived from the one root `repository.url`; the docs never
 * sending users to the unrelated unscoped `imagegen-mcp` package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand, workspaceRoot } from './test-support/commands';
import { distribution } from './test-support/packed-packages';

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  publishConfig?: { access?: string };
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
  mcpName?: string;
}

const readManifest = (relativeFolder: string) =>
  JSON.parse(fs.readFileSync(path.join(workspaceRoot, relativeFolder, 'package.json'), 'utf8')) as Manifest;
const rootManifest = readManifest('.');
const projectLicense = fs.readFileSync(path.join(workspaceRoot, 'LICENSE'), 'utf8');
const { packages } = distribution();

describe('published packages', () => {
  it('are the fourteen libraries and apps, and nothing private', () => {
    expect(packages.map((entry) => entry.name).sort()).toEqual(
      [
        'cache',
        'cli',
        'common',
        'config',
        'core',
        'http-server',
        'imaging',
        'mcp',
        'mcp-app-views',
        'prompt-templates',
        'providers',
        'stdio-server',
        'storage',
        'testing',
      ].map((name) => `@imagegen/${name}`),
    );
  });

  it('the project LICENSE is the MIT licence', () => {
    expect(projectLicense).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(rootManifest.license).toBe('MIT');
  });

  describe.each(packages.map((entry) => [entry.name, entry.relativeFolder]))('%s', (_name, relativeFolder) => {
    const manifest = readManifest(relativeFolder);

    it('carries the project LICENSE and a README', () => {
      expect(manifest.license).toBe('MIT');
      expect(fs.readFileSync(path.join(workspaceRoot, relativeFolder, 'LICENSE'), 'utf8')).toBe(projectLicense);
      expect(fs.readFileSync(path.join(workspaceRoot, relativeFolder, 'README.md'), 'utf8')).toMatch(/^# /);
    });

    it('links to its folder in the repository named by the root package.json, and publishes with public access', () => {
      expect(manifest.repository).toEqual({ ...rootManifest.repository, directory: relativeFolder });
      expect(manifest.homepage).toMatch(new RegExp(`/tree/main/${relativeFolder}#readme$`));
      expect(manifest.bugs).toEqual(rootManifest.bugs);
      expect(manifest.publishConfig).toEqual({ access: 'public' });
    });

    it('builds itself before `npm pack` or `npm publish`', () => {
      const project = JSON.parse(fs.readFileSync(path.join(workspaceRoot, relativeFolder, 'project.json'), 'utf8')) as { name: string };
      expect(manifest.scripts?.['prepack']).toBe(`nx run ${project.name}:build --outputStyle=static`);
    });
  });

  it('every address and name derived from the root repository URL is up to date (npm run sync:metadata)', async () => {
    const result = await runCommand(process.execPath, ['tools/distribution/scripts/sync-package-metadata.mjs', '--check'], {
      cwd: workspaceRoot,
    });
    expect(`${result.stdout}${result.stderr}`).toContain('package metadata is up to date');
    expect(result.exitCode).toBe(0);
  });

  it('the root repository URL is a GitHub address, the one place it is written', () => {
    expect(rootManifest.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    expect(rootManifest.homepage).toBe(`${rootManifest.repository?.url.replace(/^git\+/, '').replace(/\.git$/, '')}#readme`);
  });
});

describe('the stdio server package', () => {
  const manifest = readManifest('apps/stdio-server');

  it('has exactly one bin, which `npx -y @imagegen/stdio-server` runs whatever its name', () => {
    expect(Object.keys(manifest.bin ?? {})).toEqual(['imagegen-mcp']);
  });

  it('names its MCP Registry entry (mcpName) under the repository owner’s GitHub namespace', () => {
    const owner = /github\.com\/([\w.-]+)\//.exec(rootManifest.repository?.url ?? '')?.[1];
    expect(manifest.mcpName).toMatch(new RegExp(`^io\\.github\\.${owner}/[\\w.-]+$`));
  });
});

describe('install instructions', () => {
  const documents = ['README.md', ...packages.map((entry) => `${entry.relativeFolder}/README.md`)];

  it.each(documents)('%s never installs the unscoped imagegen-mcp package (an unrelated npm package)', (document) => {
    const text = fs.readFileSync(path.join(workspaceRoot, document), 'utf8');
    const unscoped =
      /\b(?:npx(?:\s+-y|\s+--yes)?|npm\s+(?:i|install|exec)(?:\s+-g|\s+--global)?|pnpm\s+dlx|yarn\s+dlx|bunx)\s+imagegen-mcp(?:-http)?\b/g;
    expect(text.match(unscoped) ?? []).toEqual([]);
  });

  it('the README starts with the two commands from a clone, then tells users how to install', () => {
    const readme = fs.readFileSync(path.join(workspaceRoot, 'README.md'), 'utf8');
    const [, firstBlock] = /^# .+\n\n```bash\n([\s\S]*?)```/.exec(readme) ?? [];
    expect(firstBlock?.split('\n')[0]).toMatch(/^npm ci && npm start\b/);
    expect(firstBlock?.split('\n')[1]).toMatch(/^npm ci && npm test\b/);
    const claudeCodeLines = readme
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('claude mcp add'));
    expect(claudeCodeLines).toContain('claude mcp add imagegen -- npx -y @imagegen/stdio-server');
  });
});
