/**
 * A Gemini-only installation end to end: the built `imagegen-mcp` with nothing but a Gemini key, against the fake
 * provider server's Gemini routes, driven by the SDK's own Client over stdio.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createFakeProviderServer, type FakeOpenAIServer } from '@imagegen/testing';

const binary = path.join(__dirname, '..', 'dist', 'main.js');

describe('imagegen-mcp with only a Gemini key', () => {
  let fake: FakeOpenAIServer;
  let storage: string;

  beforeAll(async () => {
    fake = await createFakeProviderServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-stdio-gemini-'));
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('lists the Gemini models as configured and generates with the Gemini default model', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binary],
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: storage,
        STORAGE__BASE_PATH: storage,
        GEMINI_API_KEY: 'AIzaStdioGeminiKey0123',
        PROVIDERS__GEMINI__BASE_URL: fake.url,
      },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-gemini-e2e', version: '1.0.0' });
    await client.connect(transport);
    try {
      const listing = await client.callTool({ name: 'list_available_models', arguments: {} });
      expect(listing.isError).toBeFalsy();
      const text = JSON.stringify(listing.structuredContent);
      expect(text).toContain('gemini-nano-banana-2.1');
      const result = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a paper boat on a pond', size: '1536x1024' } });
      expect(result.isError).toBeFalsy();
      const structured = result.structuredContent as { image_id: string; resource_uri: string; metadata: Record<string, unknown> };
      expect(structured.metadata).toMatchObject({ dimensions: '1536x1024' });
      expect(JSON.stringify(structured)).toContain('gemini-nano-banana-2.1');
      expect(fake.requests.some((request) => request.path === '/v1/models/gemini-nano-banana-2.1:generateContent')).toBe(true);
      const openai = await client.callTool({ name: 'generate_image', arguments: { prompt: 'x', model: 'gpt-image-2' } });
      expect(openai.isError).toBe(true);
      expect(JSON.stringify(openai.content)).toContain('PROVIDERS__OPENAI__API_KEY');
    } finally {
      await client.close();
    }
  }, 120_000);
});
