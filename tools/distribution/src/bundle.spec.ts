/**
 * The Claude Desktop bundle: built with @anthropic-ai/mcpb from the packed tarballs for this machine's platform
 * (linux-x64 here), validated, unpacked and started the way a bundle host starts it, answering MCP with the tools its
 * manifest lists; the API keys and the image folder entered in `user_config` reach the server.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveMcpConfig, type BundleManifest } from './test-support/bundle-host';
import { cleanEnvironment } from './test-support/clean-environment';
import { binOf, runCommand, runCommandOrThrow, runScript, workspaceRoot } from './test-support/commands';
import { handshakeOverStdio } from './test-support/mcp-handshake';
import { distribution, scratchFolder } from './test-support/packed-packages';

const mcpb = binOf('@anthropic-ai/mcpb');
const committedManifestPath = path.join(workspaceRoot, 'apps', 'stdio-server', 'mcpb', 'manifest.json');
const committedManifest = JSON.parse(fs.readFileSync(committedManifestPath, 'utf8')) as BundleManifest;

describe('the bundle manifest', () => {
  it('passes `mcpb validate`', async () => {
    const result = await runCommand(process.execPath, [mcpb, 'validate', committedManifestPath]);
    expect(`${result.stdout}${result.stderr}`).toMatch(/validation passes/i);
    expect(result.exitCode).toBe(0);
  });

  it('asks for both API keys as sensitive values and for the image folder as a directory', () => {
    expect(committedManifest.user_config).toMatchObject({
      openai_api_key: { type: 'string', sensitive: true },
      gemini_api_key: { type: 'string', sensitive: true },
      storage_folder: { type: 'directory' },
    });
    expect(committedManifest.server.mcp_config.env).toEqual({
      OPENAI_API_KEY: '${user_config.openai_api_key}',
      GEMINI_API_KEY: '${user_config.gemini_api_key}',
      STORAGE__BASE_PATH: '${user_config.storage_folder}',
    });
  });

  it('leaves no ${user_config.…} placeholder for the server when every optional field is left blank', () => {
    const resolved = resolveMcpConfig(committedManifest, '/bundle', {});
    expect(JSON.stringify(resolved)).not.toContain('${');
    // Blank is unset for the config loader: an empty key is no key, an empty folder the per-user data folder.
    expect(Object.values(resolved.env)).toEqual(['', '', '']);
  });

  it('requires the Node versions the stdio server supports', () => {
    const stdio = JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'apps', 'stdio-server', 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(committedManifest.compatibility?.runtimes?.node).toBe(stdio.engines.node);
  });
});

describe(`the ${process.platform}-${process.arch} bundle`, () => {
  let bundleFile: string;
  let unpacked: string;
  let manifest: BundleManifest;

  beforeAll(async () => {
    const folder = scratchFolder('bundle');
    bundleFile = path.join(folder, 'imagegen.mcpb');
    await runScript('tools/distribution/scripts/build-bundle.mjs', ['--packs', distribution().packs, '--out', bundleFile], {
      env: cleanEnvironment(),
    });
    unpacked = path.join(folder, 'unpacked');
    await runCommandOrThrow(process.execPath, [mcpb, 'unpack', bundleFile, unpacked]);
    manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'manifest.json'), 'utf8')) as BundleManifest;
  }, 600_000);

  it('says which platform it is for and carries sharp’s native code for exactly that platform', () => {
    expect(manifest.compatibility?.platforms).toEqual([process.platform]);
    const nativePackages = fs
      .readdirSync(path.join(unpacked, 'server', 'node_modules', '@img'))
      .filter((name) => name.startsWith('sharp-'));
    expect(nativePackages.length).toBeGreaterThan(0);
    expect(nativePackages.every((name) => name.includes(`-${process.platform}`) && name.endsWith(`-${process.arch}`))).toBe(true);
  });

  it('holds no development dependencies', () => {
    const modules = fs.readdirSync(path.join(unpacked, 'server', 'node_modules'));
    expect(modules).not.toEqual(expect.arrayContaining(['jest', 'typescript', 'nx', 'nock']));
    expect(fs.readdirSync(path.join(unpacked, 'server', 'node_modules', '@imagegen')).sort()).toEqual(
      distribution().closures['@imagegen/stdio-server'].map((name) => name.replace('@imagegen/', '')),
    );
  });

  it('starts as the host starts it, answers MCP with the tools its manifest lists, and uses the entered settings', async () => {
    const home = scratchFolder('bundle-home');
    const imageFolder = path.join(home, 'Pictures', 'imagegen');
    const resolved = resolveMcpConfig(manifest, unpacked, {
      openai_api_key: 'sk-distribution-check-not-a-real-key',
      storage_folder: imageFolder,
    });
    expect(resolved.command).toBe('node');
    const server = spawn(process.execPath, resolved.args, {
      cwd: home,
      env: cleanEnvironment({ ...resolved.env, HOME: home }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let standardError = '';
    server.stderr.on('data', (chunk: Buffer) => (standardError += chunk.toString('utf8')));
    try {
      const handshake = await handshakeOverStdio(server, 60_000);
      expect(handshake.initialize.serverInfo.version).toBe(manifest.version);
      expect([...handshake.toolNames].sort()).toEqual((manifest.tools ?? []).map((tool) => tool.name).sort());
      // The engine opens right after the first answer; its start-up line names the providers it configured.
      await waitUntil(() => /"providers":\[/.test(standardError), 60_000);
      // The entered folder is where the engine opened its storage, and the entered key configured OpenAI.
      expect(fs.existsSync(imageFolder)).toBe(true);
      expect(standardError).toMatch(/"providers":\[[^\]]*"openai"/);
      expect(standardError).not.toContain('sk-distribution-check-not-a-real-key');
    } finally {
      server.stdin.end();
      server.kill();
    }
  }, 120_000);
});

/** Resolves once `condition` holds, checking every 50 ms; rejects after `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
