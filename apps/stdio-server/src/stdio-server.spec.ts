/**
 * End to end: spawns the built `imagegen-mcp` exactly as an MCP client would, against the fake OpenAI server, and
 * talks to it over stdio with the SDK v1 client (protocol 2025, `initialize`) and the v2 client in auto mode.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';

const binary = path.join(__dirname, '..', 'dist', 'main.js');

function baseEnvironment(storage: string): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', HOME: storage, STORAGE__BASE_PATH: storage, SERVER__LOG_LEVEL: 'info' };
}

describe('imagegen-mcp (stdio)', () => {
  let fake: FakeOpenAIServer;
  let storage: string;

  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-stdio-'));
  });
  afterEach(() => {
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('generates an image over stdio and keeps stdout for JSON-RPC only', async () => {
    const stderrLines: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binary],
      env: { ...baseEnvironment(storage), OPENAI_API_KEY: 'sk-stdio-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => stderrLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['generate_image', 'edit_image', 'list_available_models']),
      );
      const result = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a paper boat', size: '1024x1024', quality: 'low' },
      });
      expect(result.isError).toBeFalsy();
      const structured = result.structuredContent as { image_id: string; resource_uri: string };
      expect(structured.image_id).toMatch(/^img_\d{14}_[0-9a-f]{12}$/);
      const resource = await client.readResource({ uri: structured.resource_uri });
      expect(resource.contents[0]).toMatchObject({ mimeType: 'image/png' });
      // 2025 clients are offered MCP logging, with a session level.
      expect(client.getServerCapabilities()?.logging).toBeDefined();
      await expect(client.setLoggingLevel('warning')).resolves.toEqual({});
      // Resource not found answers with the 2025 code.
      await expect(client.readResource({ uri: 'generated-images://img_20200101000000_000000000000' })).rejects.toMatchObject({
        code: -32002,
      });
    } finally {
      await client.close();
    }
    // Every line on stderr is a JSON log line; nothing but JSON-RPC reached stdout (the client would have failed).
    expect(stderrLines.length).toBeGreaterThan(0);
    for (const line of stderrLines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('lands a v2 client in auto mode on protocol 2026-07-28', async () => {
    const client = new ModernClient({ name: 'stdio-auto', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(
      new ModernStdioClientTransport({ command: process.execPath, args: [binary], env: baseEnvironment(storage), stderr: 'ignore' }),
    );
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getServerCapabilities()?.logging).toBeUndefined();
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('generate_image');
    } finally {
      await client.close();
    }
  });

  it('starts with no provider key and names the setting to add', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binary],
      env: baseEnvironment(storage),
      stderr: 'ignore',
    });
    const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'generate_image', arguments: { prompt: 'anything' } });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain('PROVIDERS__OPENAI__API_KEY');
    } finally {
      await client.close();
    }
  });

  it('refuses an invalid configuration before starting, one line per problem', async () => {
    const child = spawn(process.execPath, [binary], {
      env: { ...baseEnvironment(storage), STORAGE__RETENTION_DAYS: 'forever', SERVER__PORT: '99999' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain('STORAGE__RETENTION_DAYS');
    expect(stderr).toContain('SERVER__PORT');
    expect(stdout).toBe('');
  });

  it('answers initialize while the engine opens; when it cannot open, a tool call says why and the process exits 1', async () => {
    // A file where the image folder should be: the configuration is valid, opening the store is not.
    const blocker = path.join(storage, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const child = spawn(process.execPath, [binary], {
      env: { ...baseEnvironment(storage), OPENAI_API_KEY: 'sk-stdio-test', STORAGE__BASE_PATH: path.join(blocker, 'images') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const messages = [
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'generate_image', arguments: { prompt: 'a paper boat' } } },
    ];
    child.stdin.write(messages.map((message) => `${JSON.stringify(message)}\n`).join(''));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    const answers = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: number; result: { serverInfo?: unknown; isError?: boolean; content?: unknown } });
    expect(answers.find((answer) => answer.id === 1)?.result.serverInfo).toBeDefined();
    const toolCall = answers.find((answer) => answer.id === 2)?.result;
    expect(toolCall?.isError).toBe(true);
    expect(JSON.stringify(toolCall?.content)).toContain('could not start');
    expect(JSON.stringify(toolCall?.content)).toContain('a file is where a folder should be');
    expect(stderr).toContain('imagegen-mcp: Could not open the image storage folder');
  });

  it('exits cleanly when the client closes stdin', async () => {
    const child = spawn(process.execPath, [binary], { env: baseEnvironment(storage), stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });
});
