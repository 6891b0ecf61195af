/**
 * A Gemini-only installation over HTTP: the built `imagegen-mcp-http` with nothing but a Gemini key, against the fake
 * provider server's Gemini routes, driven by the SDK's Client over Streamable HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createFakeProviderServer, type FakeOpenAIServer } from '@imagegen/testing';

const binary = path.join(__dirname, '..', 'dist', 'main.js');

/** Starts the built server on a free port and resolves with its /mcp URL, read from its "listening" log line. */
function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [binary, '--port', '0', '--host', '127.0.0.1'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        const match = /"url":"(http:\/\/[^"]+\/mcp)"/.exec(line);
        if (match?.[1]) resolve({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${String(code)}: ${buffered}`)));
  });
}

describe('imagegen-mcp-http with only a Gemini key', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let server: { child: ChildProcess; url: string };

  beforeAll(async () => {
    fake = await createFakeProviderServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-http-gemini-'));
    server = await startServer({
      PATH: process.env['PATH'] ?? '',
      HOME: storage,
      STORAGE__BASE_PATH: storage,
      GEMINI_API_KEY: 'AIzaHttpGeminiKey0123',
      PROVIDERS__GEMINI__BASE_URL: fake.url,
    });
  }, 60_000);
  afterAll(async () => {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('generates with a Gemini model and serves the stored image', async () => {
    const client = new Client({ name: 'http-gemini-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    try {
      const result = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a kite over a beach', model: 'gemini-3-pro-image', size: '1024x1024' },
      });
      expect(result.isError).toBeFalsy();
      const structured = result.structuredContent as { image_id: string; resource_uri: string };
      const resource = await client.readResource({ uri: structured.resource_uri });
      expect(resource.contents[0]).toMatchObject({ mimeType: 'image/png' });
      expect(fake.requests.some((request) => request.path === '/v1/models/gemini-3-pro-image:generateContent')).toBe(true);
    } finally {
      await client.close();
    }
  }, 120_000);
});
