/**
 * The real SDK Client against the real server over an in-memory transport, with a real engine against the fake
 * OpenAI server: what an MCP client would see.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, InMemoryTransport } from '@modelcontextprotocol/server';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createFakeOpenAIServer, createTestImage, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageGenMcpServer, imageGenToolNames } from './image-gen-mcp-server';
import type { McpServerSettings } from './server-settings';

const settings: McpServerSettings = {
  name: 'imagegen-test',
  version: '0.0.0',
  responseByteBudget: 300_000,
  includeDataUrl: false,
  allowLocalFiles: false,
  retentionDays: 30,
};

interface Harness {
  client: Client;
  engine: ImageEngine;
  fake: FakeOpenAIServer;
  storage: string;
  close(): Promise<void>;
}

async function connect(env: Record<string, string> = {}, latencyMs?: number): Promise<Harness> {
  const fake = await createFakeOpenAIServer(latencyMs ? { latencyMs } : {});
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-mcp-'));
  const { config } = loadConfig({
    env: { OPENAI_API_KEY: 'sk-mcp-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage, ...env },
    cwd: storage,
    homeDirectory: storage,
    platform: 'linux',
  });
  const engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
  const server = createImageGenMcpServer({ engine, settings });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return {
    client,
    engine,
    fake,
    storage,
    async close() {
      await client.close();
      await server.close();
      await engine.close();
      await fake.close();
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}

const textOf = (result: Record<string, unknown>) => JSON.stringify(result['content']);

describe('imagegen MCP server', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await connect();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('lists its tools with annotations and output schemas', async () => {
    const { tools } = await harness.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'delete_image',
      'edit_image',
      'generate_image',
      'get_generation',
      'get_image_history',
      'get_storage_stats',
      'list_available_models',
      'open_gallery',
    ]);
    expect([...imageGenToolNames].sort()).toEqual(tools.map((tool) => tool.name).sort());
    for (const tool of tools) expect(tool.annotations).toBeDefined();
    expect(tools.find((tool) => tool.name === 'generate_image')?.outputSchema).toBeDefined();
  });

  it('generates an image: the result stays under the byte budget and says where the image is', async () => {
    const result = await harness.client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a lighthouse', size: '1536x1024', quality: 'low' },
    });
    expect(result.isError).toBeFalsy();
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(settings.responseByteBudget);
    const structured = result.structuredContent as {
      image_id: string;
      resource_uri: string;
      file_path: string;
      metadata: { dimensions: string; format: string };
    };
    expect(structured.metadata).toMatchObject({ dimensions: '1536x1024', format: 'PNG' });
    const content = result.content as Array<{ type: string; text?: string; uri?: string; mimeType?: string }>;
    expect(content[0]?.text).toContain(structured.resource_uri);
    expect(content[0]?.text).toContain(structured.file_path);
    expect(content[0]?.text).toContain('preview');
    expect(content.some((block) => block.type === 'image')).toBe(true);
    expect(content.find((block) => block.type === 'resource_link')).toMatchObject({ uri: structured.resource_uri, mimeType: 'image/png' });
  });

  it('serves the stored image as a blob resource with its real MIME type', async () => {
    const result = await harness.client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a resource', size: '1024x1024', quality: 'low', output_format: 'webp' },
    });
    const uri = (result.structuredContent as { resource_uri: string }).resource_uri;
    const resource = await harness.client.readResource({ uri });
    const contents = resource.contents[0] as { mimeType: string; blob: string };
    expect(contents.mimeType).toBe('image/webp');
    expect(Buffer.from(contents.blob, 'base64').subarray(8, 12).toString('latin1')).toBe('WEBP');
    const listed = await harness.client.listResources();
    expect(listed.resources.map((entry) => entry.uri)).toContain(uri);
  });

  it('edits a stored image given by its resource URI', async () => {
    const source = await harness.client.callTool({ name: 'generate_image', arguments: { prompt: 'an empty table', size: '1024x1024' } });
    const uri = (source.structuredContent as { resource_uri: string }).resource_uri;
    const edited = await harness.client.callTool({ name: 'edit_image', arguments: { prompt: 'add a vase', image: uri } });
    expect(edited.isError).toBeFalsy();
  });

  it('edits an image given as base64', async () => {
    const image = (await createTestImage({ width: 256, height: 256 })).toString('base64');
    const edited = await harness.client.callTool({ name: 'edit_image', arguments: { prompt: 'make it blue', image } });
    expect(edited.isError).toBeFalsy();
  });

  it.each([
    ['a retired model, naming the replacement', 'generate_image', { prompt: 'x', model: 'dall-e-3' }, /gpt-image-2/],
    ['an unknown model', 'generate_image', { prompt: 'x', model: 'imaginary-9' }, /imaginary-9/],
    ['invalid base64', 'edit_image', { prompt: 'x', image: '%%%not-base64%%%' }, /base64/i],
    ['a path-like image id', 'edit_image', { prompt: 'x', image: '../../etc/passwd' }, /file path|image id/],
    ['a local path when local files are off', 'edit_image', { prompt: 'x', image: '/etc/passwd' }, /does not read local files/],
  ])('answers %s with an isError result a person can act on', async (_case, name, args, message) => {
    const result = await harness.client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(textOf(result)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('lists models by provider with status and which is the default', async () => {
    const result = await harness.client.callTool({ name: 'list_available_models', arguments: {} });
    const structured = result.structuredContent as {
      default_model: string;
      providers: Record<string, { enabled: boolean; models: Record<string, Record<string, unknown>> }>;
    };
    expect(structured.default_model).toBe('gpt-image-2');
    expect(structured.providers['openai']?.enabled).toBe(true);
    expect(structured.providers['openai']?.models['dall-e-3']).toMatchObject({ status: 'retired', replacement: 'gpt-image-2' });
    expect(structured.providers['openai']?.models['gpt-image-2']).toMatchObject({
      available_for_key: true,
      capabilities: {
        generation: true,
        editing: true,
        preview_backgrounds: ['transparent'],
        backgrounds: ['opaque', 'auto', 'transparent'],
      },
    });
    expect(structured.providers['openai']?.models['gpt-image-2']?.['capabilities']).not.toHaveProperty('complexities');
    expect(structured.providers['openai']?.models['gpt-image-2.6-sunburst']?.['capabilities']).toMatchObject({
      complexities: ['low', 'medium', 'high'],
      supported_formats: ['png', 'jpeg', 'webp', 'gif', 'svg'],
      gif: { frame_count: { min: 2, max: 16, default: 9 } },
      svg: expect.any(Object),
      markup_edits: true,
      partial_images: 3,
    });
    expect(structured.providers['openai']?.models['gpt-image-2.5-flare']?.['capabilities']).toMatchObject({ markup_edits: true });
    expect(structured.providers['openai']?.models['gpt-image-2.5-flare']?.['capabilities']).not.toHaveProperty('gif');
  });

  it('reads history and stats as resources and as tools', async () => {
    const history = await harness.client.readResource({ uri: 'image-history://recent?limit=2&days=1' });
    const parsed = JSON.parse((history.contents[0] as { text: string }).text) as { images: unknown[]; total_count: number };
    expect(parsed.images.length).toBeLessThanOrEqual(2);
    expect(parsed.total_count).toBeGreaterThan(0);
    // The listed URI itself, and any one of the optional query parameters, read too.
    for (const uri of ['image-history://recent', 'image-history://recent?limit=1']) {
      const read = await harness.client.readResource({ uri });
      expect((JSON.parse((read.contents[0] as { text: string }).text) as { total_count: number }).total_count).toBe(parsed.total_count);
    }
    const stats = await harness.client.callTool({ name: 'get_storage_stats', arguments: {} });
    expect(stats.structuredContent).toMatchObject({ total_images: expect.any(Number), retention_policy_days: 30 });
    const toolHistory = await harness.client.callTool({ name: 'get_image_history', arguments: { limit: 1 } });
    expect((toolHistory.structuredContent as { images: unknown[] }).images).toHaveLength(1);
  });

  it('describes every model as a model-info resource', async () => {
    const { resources } = await harness.client.listResources();
    expect(resources.map((entry) => entry.uri)).toContain('model-info://gpt-image-2');
    const info = await harness.client.readResource({ uri: 'model-info://gpt-image-2.5-flare' });
    expect(JSON.parse((info.contents[0] as { text: string }).text)).toMatchObject({ id: 'gpt-image-2.5-flare', provider: 'openai' });
  });

  it('offers the ten templates as prompts that return messages and call nothing', async () => {
    const { prompts } = await harness.client.listPrompts();
    expect(prompts).toHaveLength(10);
    const before = harness.fake.requests.length;
    const prompt = await harness.client.getPrompt({ name: 'og-image-prompt', arguments: { title: 'Ship faster' } });
    expect(JSON.stringify(prompt.messages)).toContain('1200x630');
    expect(harness.fake.requests.length).toBe(before);
    const completion = await harness.client.complete({
      ref: { type: 'ref/prompt', name: 'og-image-prompt' },
      argument: { name: 'background_style', value: 'gr' },
    });
    expect(completion.completion.values).toEqual(['gradient']);
  });
});

describe('imagegen MCP server during long calls', () => {
  it('sends progress while a slow generation runs', async () => {
    const harness = await connect({}, 1_500);
    try {
      const messages: string[] = [];
      const result = await harness.client.callTool(
        { name: 'generate_image', arguments: { prompt: 'slow', size: '1024x1024', quality: 'low' } },
        { onprogress: (progress) => messages.push(progress.message ?? ''), timeout: 30_000 },
      );
      expect(result.isError).toBeFalsy();
      expect(messages.length).toBeGreaterThan(0);
    } finally {
      await harness.close();
    }
  });

  it('keeps a generation the client cancelled once it reached the provider, and answers the same request from it', async () => {
    const harness = await connect({}, 3_000);
    try {
      const controller = new AbortController();
      const call = harness.client.callTool({ name: 'generate_image', arguments: { prompt: 'cancel me' } }, { signal: controller.signal });
      const deadline = Date.now() + 20_000;
      while (harness.fake.requests.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      await expect(call).rejects.toThrow();
      const again = await harness.client.callTool({ name: 'generate_image', arguments: { prompt: 'cancel me' } });
      expect(again.structuredContent).toMatchObject({ shared_call: true });
      expect((await harness.engine.history()).totalCount).toBe(1);
      expect(harness.fake.requests).toHaveLength(1);
    } finally {
      await harness.close();
    }
  }, 60_000);

  it('stores nothing when the client cancels with IMAGES__CONTINUE_ON_CANCEL=false', async () => {
    const harness = await connect({ IMAGES__CONTINUE_ON_CANCEL: 'false' }, 3_000);
    try {
      const controller = new AbortController();
      const call = harness.client.callTool({ name: 'generate_image', arguments: { prompt: 'cancel me' } }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await expect(call).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      expect((await harness.engine.history()).totalCount).toBe(0);
    } finally {
      await harness.close();
    }
  });
});

describe('imagegen MCP server without a provider key', () => {
  it('starts, shows providers as not configured, and names the setting to add', async () => {
    const harness = await connect({ OPENAI_API_KEY: '' });
    try {
      const models = await harness.client.callTool({ name: 'list_available_models', arguments: {} });
      expect((models.structuredContent as { providers: Record<string, { enabled: boolean }> }).providers['openai']?.enabled).toBe(false);
      const result = await harness.client.callTool({ name: 'generate_image', arguments: { prompt: 'x' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('PROVIDERS__OPENAI__API_KEY');
    } finally {
      await harness.close();
    }
  });
});

describe('imagegen MCP server on protocol 2026-07-28', () => {
  // The SDK's per-request handler, driven in process through its fetch face (no socket).
  it('serves a pinned client: tools, a generation read back, cache hints and the era-specific capabilities', async () => {
    const fake = await createFakeOpenAIServer();
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-mcp-modern-'));
    const { config } = loadConfig({
      env: { OPENAI_API_KEY: 'sk-mcp-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    const engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
    const handler = createMcpHandler(({ era }) => createImageGenMcpServer({ engine, settings, era }), { legacy: 'reject' });
    const wire: Array<Record<string, unknown>> = [];
    const client = new Client({ name: 'modern-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('http://imagegen.test/mcp'), {
        fetch: async (url, init) => {
          const response = await handler.fetch(new Request(url, init));
          if (response.headers.get('content-type')?.includes('application/json'))
            wire.push((await response.clone().json()) as Record<string, unknown>);
          return response;
        },
      }),
    );
    try {
      expect(client.getProtocolEra()).toBe('modern');
      // MCP logging is offered to 2025 clients only.
      expect(client.getServerCapabilities()?.logging).toBeUndefined();
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('generate_image');
      const result = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a modern lighthouse', size: '1024x1024', quality: 'low' },
      });
      expect(result.isError).toBeFalsy();
      const uri = (result.structuredContent as { resource_uri: string }).resource_uri;
      const read = await client.readResource({ uri });
      expect((read.contents[0] as { mimeType: string }).mimeType).toBe('image/png');
      const readOnWire = wire.find((message) => JSON.stringify(message).includes('"blob"')) as { result: Record<string, unknown> };
      // A stored image never changes under its id: clients may keep it.
      expect(readOnWire.result).toMatchObject({ ttlMs: 24 * 60 * 60 * 1000, cacheScope: 'private' });
      expect(JSON.stringify(readOnWire.result['_meta'])).toContain('imagegen-test');
      await expect(client.readResource({ uri: 'generated-images://img_20200101000000_000000000000' })).rejects.toMatchObject({
        code: -32602,
      });
      const completion = await client.complete({
        ref: { type: 'ref/prompt', name: 'og-image-prompt' },
        argument: { name: 'background_style', value: 'gr' },
      });
      expect(completion.completion.values).toEqual(['gradient']);
    } finally {
      await client.close();
      await handler.close();
      await engine.close();
      await fake.close();
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });
});
