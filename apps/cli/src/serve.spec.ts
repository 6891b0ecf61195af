/** `imagegen serve`: the sibling MCP server apps run as children of the built binary. */
import * as http from 'node:http';
import * as net from 'node:net';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, waitUntil, type CliHarness } from './test-support/cli-harness';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** A port nothing listens on right now (the server is started on it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('imagegen serve', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;

  beforeAll(async () => {
    const { createFakeOpenAIServer } = await import('@imagegen/testing');
    fake = await createFakeOpenAIServer();
    cli = createCliHarness(fake.url);
  });
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('speaks MCP over stdio through the CLI and exits with the server when stdin closes', async () => {
    const live = cli.start(['serve', '--transport', 'stdio'], { stdin: 'open' });
    let answer = '';
    live.child.stdout.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cli-test', version: '1' } },
    };
    live.child.stdin.write(`${JSON.stringify(initialize)}\n`);
    await waitUntil(() => answer.includes('\n'), live.child);
    const response = JSON.parse(answer.split('\n')[0] ?? '') as { id: number; result: { serverInfo: { name: string } } };
    expect(response.id).toBe(1);
    expect(response.result.serverInfo.name).toBe('Image Gen MCP Server');
    live.child.stdin.end();
    expect((await live.done).status).toBe(0);
  });

  it('passes arguments after -- to the server', async () => {
    const result = await cli.run(['serve', '--transport', 'stdio', '--', '--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('imagegen-mcp — image generation MCP server over stdio');
  });

  it('runs the HTTP server, forwards SIGTERM to it and exits with its exit code', async () => {
    const port = await freePort();
    const { child, done } = cli.start(['serve', '--transport', 'http', '--', '--port', String(port)]);
    let healthy = false;
    const probe = () =>
      get(`http://127.0.0.1:${port}/healthz`).then(
        (response) => (healthy = response.status === 200),
        () => false,
      );
    await waitUntil(() => {
      void probe();
      return healthy;
    }, child);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.status).toBe(0);
    await expect(get(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it("exits with the server's own exit code when it refuses to start", async () => {
    const result = await cli.run(['serve', '--transport', 'http', '--', '--port', '70000']);
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('SERVER__PORT');
  });

  it('passes the global --set options on to the server', async () => {
    const result = await cli.run(['--set', 'SERVER__PORT=70001', 'serve', '--transport', 'http']);
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('70001');
  });

  it('exits 2 for an unknown transport', async () => {
    expect((await cli.run(['serve', '--transport', 'carrier-pigeon'])).status).toBe(2);
  });
});
