/**
 * The container image, tested without a Docker engine (these machines have none): the Dockerfile is linted and holds
 * the promised shape (multi-stage, Node 24 slim, a non-root user, a health check on /healthz, a storage volume), and
 * its runtime layout is rebuilt here by the same script the image build runs — `npm ci --omit=dev` of the packed
 * packages into a folder — and started from the Dockerfile's own CMD, ENV and HEALTHCHECK as an unprivileged user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { cleanEnvironment } from './test-support/clean-environment';
import { runCommand, runCommandOrThrow, runScript, workspaceRoot } from './test-support/commands';
import { environmentOf, execForm, parseDockerfile, type Instruction } from './test-support/dockerfile';
import { handshakeOverHttp } from './test-support/mcp-handshake';
import { distribution, scratchFolder } from './test-support/packed-packages';
import { unprivilegedRunner, userIdOf } from './test-support/unprivileged-user';

const dockerfileText = fs.readFileSync(path.join(workspaceRoot, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfileText);
const [globalArguments = [], ...buildStages] = stages[0]?.[0]?.keyword === 'FROM' ? [[], ...stages] : stages;
const runtime = buildStages[buildStages.length - 1] ?? [];
const only = (instructions: Instruction[], keyword: string) => instructions.filter((instruction) => instruction.keyword === keyword);
const installFolder = '/srv/imagegen';

describe('the Dockerfile', () => {
  it('passes the Dockerfile linter (dockerfile-utils) with no diagnostics', () => {
    expect(
      lintDockerfile(dockerfileText, {}).map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`),
    ).toEqual([]);
  });

  it('builds in one stage and runs from a Node 24 slim image in another', () => {
    expect(buildStages.length).toBeGreaterThanOrEqual(2);
    const imageArgument = only(globalArguments, 'ARG').find((instruction) => instruction.argument.startsWith('NODE_IMAGE='));
    expect(imageArgument?.argument).toMatch(/^NODE_IMAGE=node:24(\.\d+)*-[a-z]*-?slim$/);
    expect(only(runtime, 'FROM')[0]?.argument).toMatch(/^\$\{NODE_IMAGE\}/);
    expect(only(runtime, 'COPY').every((copy) => copy.argument.startsWith('--from=build'))).toBe(true);
  });

  it('runs as a non-root user, keeps storage on a volume and checks /healthz', () => {
    const users = only(runtime, 'USER').map((instruction) => instruction.argument);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    const storage = environmentOf(runtime)['STORAGE__BASE_PATH'];
    expect(
      only(runtime, 'VOLUME')
        .map((instruction) => instruction.argument)
        .join(' '),
    ).toContain(`"${storage}"`);
    expect(only(runtime, 'HEALTHCHECK')[0]?.argument).toContain('/healthz');
  });

  it('installs the same layout this test runs (the staging script), started by CMD from it', () => {
    expect(dockerfileText).toContain(`stage-install.mjs --packs /packs --package @imagegen/http-server --out ${installFolder}`);
    expect(execForm(only(runtime, 'CMD')[0]?.argument ?? '')).toEqual([
      'node',
      `${installFolder}/node_modules/@imagegen/http-server/dist/main.js`,
    ]);
  });
});

describe('compose.yaml', () => {
  const compose = parseYaml(fs.readFileSync(path.join(workspaceRoot, 'compose.yaml'), 'utf8')) as {
    services: Record<string, { build?: string; profiles?: string[]; volumes?: string[]; environment?: Record<string, string> }>;
  };

  it('runs the image built from the Dockerfile with its storage on a named volume, and Redis as the shared cache', () => {
    const server = compose.services['imagegen'];
    expect(server?.build).toBe('.');
    expect(server?.volumes).toContain(`imagegen-data:${environmentOf(runtime)['STORAGE__BASE_PATH']}`);
    expect(server?.environment).toMatchObject({ CACHE__BACKEND: 'redis', CACHE__REDIS_URL: 'redis://redis:6379' });
    expect(server?.environment?.['SERVER__AUTH_TOKEN']).toMatch(/^\$\{IMAGEGEN_AUTH_TOKEN:\?/);
  });

  it('starts PostgreSQL and the object store only with the scale-out profile (that work is not built yet)', () => {
    expect(compose.services['postgres']?.profiles).toEqual(['scale-out']);
    expect(compose.services['object-store']?.profiles).toEqual(['scale-out']);
    expect(compose.services['redis']?.profiles).toBeUndefined();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, server: ChildProcess, output: () => string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${output()}`);
}

describe('the container’s production layout, without Docker', () => {
  const authToken = 'distribution-check-token';
  let root: string;
  let installed: string;
  let data: string;

  beforeAll(async () => {
    root = scratchFolder('container');
    installed = path.join(root, 'srv-imagegen');
    await runScript(
      'tools/distribution/scripts/stage-install.mjs',
      ['--packs', distribution().packs, '--package', '@imagegen/http-server', '--out', installed],
      { env: cleanEnvironment() },
    );
    // As in the image: the install is readable by everyone and owned by root; the volume belongs to the server's user.
    await runCommandOrThrow('chmod', ['-R', 'a+rX', installed]);
    data = path.join(root, 'data');
    fs.mkdirSync(data);
  }, 600_000);

  it('holds the HTTP server and its runtime dependencies only', () => {
    expect(fs.readdirSync(path.join(installed, 'node_modules', '@imagegen')).sort()).toEqual(
      distribution().closures['@imagegen/http-server'].map((name) => name.replace('@imagegen/', '')),
    );
    expect(fs.readdirSync(path.join(installed, 'node_modules'))).not.toEqual(expect.arrayContaining(['jest', 'typescript', 'nx']));
  });

  it('runs as a non-root user, answers /healthz and the HEALTHCHECK command, serves MCP, and stops cleanly', async () => {
    const runner = unprivilegedRunner(root);
    if (runner.uid !== undefined) fs.chownSync(data, runner.uid, runner.gid!);
    const port = await freePort();
    const [command, ...args] = execForm(only(runtime, 'CMD')[0]!.argument).map((part) => part.replace(installFolder, installed));
    expect(command).toBe('node');
    const environment = cleanEnvironment({
      ...environmentOf(runtime),
      // Loopback only on this machine; the image listens on 0.0.0.0, which requires the token set here too.
      SERVER__HOST: '127.0.0.1',
      SERVER__PORT: String(port),
      SERVER__AUTH_TOKEN: authToken,
      STORAGE__BASE_PATH: data,
      HOME: data,
    });
    const server = spawn(runner.nodePath, args, {
      cwd: installed,
      env: environment,
      uid: runner.uid,
      gid: runner.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`, server, () => output, 90_000);
      expect(userIdOf(server.pid!)).not.toBe(0);

      const [healthCommand, ...healthArgs] = execForm(only(runtime, 'HEALTHCHECK')[0]!.argument);
      expect(healthCommand).toBe('node');
      const health = await runCommand(runner.nodePath, healthArgs, { env: environment, uid: runner.uid, gid: runner.gid });
      expect(health.exitCode).toBe(0);

      const handshake = await handshakeOverHttp(`http://127.0.0.1:${port}/mcp`, { authorization: `Bearer ${authToken}` });
      expect(handshake.toolNames).toEqual(expect.arrayContaining(['generate_image', 'edit_image']));
      const unauthenticated = await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(unauthenticated.status).toBe(401);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});
