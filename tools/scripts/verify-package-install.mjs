#!/usr/bin/env node
// Proves that `@imagegen/core` is usable on its own: packs it and the workspace packages it depends on, installs the
// tarballs into an empty project outside the workspace, loads it with both `require` and `import`, and checks that no
// MCP SDK came along.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function packageFolderOf(name) {
  for (const group of ['libs', 'apps']) {
    for (const entry of fs.readdirSync(path.join(workspaceRoot, group))) {
      const manifestPath = path.join(workspaceRoot, group, entry, 'package.json');
      if (fs.existsSync(manifestPath) && JSON.parse(fs.readFileSync(manifestPath, 'utf8')).name === name) {
        return path.join(workspaceRoot, group, entry);
      }
    }
  }
  throw new Error(`No workspace package named ${name}`);
}

function workspaceClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(fs.readFileSync(path.join(packageFolderOf(name), 'package.json'), 'utf8'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (dependency.startsWith('@imagegen/')) workspaceClosure(dependency, seen);
  }
  return seen;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-pack-'));
try {
  // Build first, then pack without lifecycle scripts: each package's `prepack` build would print Nx's banner to
  // standard output, in front of the JSON that `npm pack --json` writes there.
  execFileSync('npx', ['nx', 'run', 'core:build', '--outputStyle=static'], { cwd: workspaceRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarballs = [];
  for (const name of workspaceClosure('@imagegen/core')) {
    const output = execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], {
      cwd: packageFolderOf(name),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    tarballs.push(path.join(scratch, JSON.parse(output)[0].filename));
  }
  const project = path.join(scratch, 'consumer');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  const requireCheck = execFileSync(
    process.execPath,
    ['-e', "const core = require('@imagegen/core'); console.log(typeof core.createImageEngine)"],
    { cwd: project, encoding: 'utf8' },
  ).trim();
  const importCheck = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', "const core = await import('@imagegen/core'); console.log(typeof core.createImageEngine)"],
    { cwd: project, encoding: 'utf8' },
  ).trim();
  let mcpListing = '';
  try {
    // v1 and v2 of the MCP SDK: neither may come with the engine.
    mcpListing = execFileSync(
      npm,
      // --json=false: under `npm test` npm hands its own settings (the project's json=true) down to this npm.
      [
        'ls',
        '@modelcontextprotocol/sdk',
        '@modelcontextprotocol/server',
        '@modelcontextprotocol/core',
        '--all',
        '--parseable',
        '--json=false',
      ],
      {
        cwd: project,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
  } catch (error) {
    mcpListing = String(/** @type {{ stdout?: unknown }} */ (error).stdout ?? '').trim();
  }
  const problems = [];
  if (requireCheck !== 'function') problems.push(`require('@imagegen/core').createImageEngine is ${requireCheck}`);
  if (importCheck !== 'function') problems.push(`import('@imagegen/core').createImageEngine is ${importCheck}`);
  if (mcpListing !== '') problems.push(`an MCP SDK package was installed: ${mcpListing}`);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`@imagegen/core installs from ${tarballs.length} tarballs; require and import work; no MCP SDK installed.`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
