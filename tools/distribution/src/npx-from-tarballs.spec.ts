/**
 * `npx -y @imagegen/stdio-server`, before anything is published: in an empty folder outside the workspace, npm
 * installs the stdio server and the workspace packages it needs from their packed tarballs alone (third-party
 * dependencies from the registry, as for a user), runs its bin, and the server answers MCP. npx runs a package's only
 * bin whatever its name, which package-metadata.spec.ts guarantees, so this is the command users type.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnvironment } from './test-support/clean-environment';
import { npm, runCommand } from './test-support/commands';
import { handshakeOverStdio } from './test-support/mcp-handshake';
import { distribution, scratchFolder, tarballsOf } from './test-support/packed-packages';

const tarballs = tarballsOf(distribution().closures['@imagegen/stdio-server']);

/** npm keeps what `npm exec` installed under <cache>/_npx/<hash>; remove the entries of these tarballs. */
async function removeNpxInstalls() {
  const cache = (await runCommand(npm, ['config', 'get', 'cache'], { env: cleanEnvironment() })).stdout.trim();
  const npxFolder = path.join(cache, '_npx');
  if (!cache || !fs.existsSync(npxFolder)) return;
  for (const entry of fs.readdirSync(npxFolder)) {
    const manifest = path.join(npxFolder, entry, 'package.json');
    if (fs.existsSync(manifest) && fs.readFileSync(manifest, 'utf8').includes(distribution().packs)) {
      fs.rmSync(path.join(npxFolder, entry), { recursive: true, force: true });
    }
  }
}

afterAll(removeNpxInstalls);

describe('npx -y @imagegen/stdio-server from the packed tarballs', () => {
  it('starts in an empty folder with no workspace and answers initialize and tools/list over stdio', async () => {
    const folder = scratchFolder('npx');
    const storage = path.join(folder, 'images');
    expect(fs.readdirSync(folder)).toEqual([]);
    const server = spawn(
      npm,
      [
        'exec',
        '--yes',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...tarballs.map((file) => `--package=${file}`),
        '--',
        'imagegen-mcp',
      ],
      { cwd: folder, env: cleanEnvironment({ STORAGE__BASE_PATH: storage }), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    try {
      const handshake = await handshakeOverStdio(server, 420_000);
      expect(handshake.initialize.protocolVersion).toEqual(expect.any(String));
      expect(handshake.initialize.serverInfo).toMatchObject({ name: expect.any(String), version: expect.any(String) });
      expect(handshake.toolNames).toEqual(expect.arrayContaining(['generate_image', 'edit_image', 'list_available_models']));
      expect(fs.existsSync(path.join(folder, 'node_modules'))).toBe(false);
    } finally {
      server.stdin.end();
      server.kill();
    }
  }, 480_000);
});
