/**
 * `npm start` as a user types it, in the repository: whatever npm and the build print must stay off standard output,
 * which carries JSON-RPC only, so the first byte an MCP client reads is `{`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';

jest.setTimeout(240_000);

const workspaceRoot = path.join(__dirname, '..', '..', '..', '..');

describe('npm start', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-npm-start-'));
  });
  afterAll(async () => {
    // npm, the shell and the server share one process group: stop all of it.
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      } catch {
        // Already gone.
      }
    }
    await fake?.close();
    // npm (its HOME is the storage folder) may still be writing its log there as the group stops: retry the removal.
    fs.rmSync(storage, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('writes JSON-RPC only to standard output: its first byte is {', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const started = spawn(npm, ['start'], {
      cwd: workspaceRoot,
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        HOME: storage,
        STORAGE__BASE_PATH: storage,
        OPENAI_API_KEY: 'sk-npm-start',
        PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
      },
    });
    child = started;
    const firstLine = new Promise<string>((resolve, reject) => {
      let text = '';
      started.stdout?.setEncoding('utf8');
      started.stdout?.on('data', (chunk: string) => {
        text += chunk;
        const end = text.indexOf('\n');
        if (end >= 0) resolve(text.slice(0, end));
      });
      started.once('exit', (code) => reject(new Error(`npm start exited with ${code} before answering; stdout: ${JSON.stringify(text)}`)));
    });
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'npm-start-test', version: '1.0.0' } },
    };
    started.stdin?.write(`${JSON.stringify(initialize)}\n`);
    const line = await firstLine;
    expect(line.charAt(0)).toBe('{');
    expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: expect.any(Object) } });
  });
});
