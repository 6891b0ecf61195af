/**
 * End to end: the BUILT `imagegen-mcp` spawned by the SDK's StdioClientTransport, exactly as an MCP client launches
 * it, against the fake provider server in this process, with a client pinned to MCP 2026-07-28. Every tool, resource
 * and prompt; the byte budget; progress; cancellation; bad arguments; local files inside and outside the allowed
 * folders; messages too large to read. (A 2025 client, the SDK's v1, is in stdio-server.spec.ts.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { createFakeOpenAIServer, createTestImage, type FakeOpenAIServer } from '@imagegen/testing';

jest.setTimeout(120_000);

const binary = path.join(__dirname, '..', '..', 'dist', 'main.js');
const byteBudget = 150_000;

const textOf = (result: Record<string, unknown>) => JSON.stringify(result['content'] ?? []);

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('imagegen-mcp (built) over stdio, end to end', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let allowed: string;
  let outside: string;
  let client: Client;

  beforeAll(async () => {
    if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: build stdio-server first (nx run stdio-server:build).`);
    fake = await createFakeOpenAIServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-stdio-e2e-'));
    allowed = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-stdio-allowed-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-stdio-outside-'));
    const picture = await createTestImage({ width: 512, height: 512, seed: 7 });
    fs.writeFileSync(path.join(allowed, 'photo.png'), picture);
    fs.writeFileSync(path.join(outside, 'photo.png'), picture);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binary],
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: storage,
        STORAGE__BASE_PATH: storage,
        OPENAI_API_KEY: 'sk-stdio-e2e',
        PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
        SERVER__RESPONSE_BYTE_BUDGET: String(byteBudget),
        SERVER__ALLOWED_FOLDERS: allowed,
      },
      stderr: 'ignore',
    });
    client = new Client({ name: 'stdio-e2e', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(transport);
    expect(client.getProtocolEra()).toBe('modern');
  });
  afterAll(async () => {
    await client?.close();
    await fake?.close();
    for (const folder of [storage, allowed, outside]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  const countImages = async () =>
    ((await client.callTool({ name: 'get_storage_stats', arguments: {} })).structuredContent as { total_images: number }).total_images;

  it('runs every tool, each image result within the byte budget', async () => {
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name).sort()).toEqual([
      'delete_image',
      'edit_image',
      'generate_image',
      'get_generation',
      'get_image_history',
      'get_storage_stats',
      'list_available_models',
      'open_gallery',
    ]);

    const models = await client.callTool({ name: 'list_available_models', arguments: {} });
    expect(models.isError).toBeFalsy();
    expect(textOf(models)).toContain('gpt-image-2 (default)');

    const generated = (await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a tram in the rain', size: '1536x1024', quality: 'high' },
    })) as CallToolResult;
    expect(generated.isError).toBeFalsy();
    expect(Buffer.byteLength(JSON.stringify(generated))).toBeLessThanOrEqual(byteBudget);
    expect(generated.content.some((block) => block.type === 'image')).toBe(true);
    const structured = generated.structuredContent as { image_id: string; resource_uri: string; file_path: string };
    // Over stdio the image is on the client's own machine: the path is the useful link.
    expect(fs.existsSync(structured.file_path)).toBe(true);
    expect(structured.file_path.startsWith(storage)).toBe(true);

    const edited = (await client.callTool({
      name: 'edit_image',
      arguments: { prompt: 'make it snow', image: structured.image_id, size: '1024x1024', quality: 'low' },
    })) as CallToolResult;
    expect(edited.isError).toBeFalsy();
    expect(Buffer.byteLength(JSON.stringify(edited))).toBeLessThanOrEqual(byteBudget);

    const history = await client.callTool({ name: 'get_image_history', arguments: { limit: 5 } });
    expect(history.isError).toBeFalsy();
    expect(textOf(history)).toContain(structured.image_id);
    expect(await countImages()).toBeGreaterThanOrEqual(2);
  });

  it('edits a local file inside SERVER__ALLOWED_FOLDERS and refuses one outside', async () => {
    const inside = await client.callTool({
      name: 'edit_image',
      arguments: { prompt: 'add a hat', image: path.join(allowed, 'photo.png'), size: '1024x1024', quality: 'low' },
    });
    expect(inside.isError).toBeFalsy();
    const refused = await client.callTool({
      name: 'edit_image',
      arguments: { prompt: 'add a hat', image: path.join(outside, 'photo.png') },
    });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toBeUndefined();
    // Names the folders it may read, so the user knows where to put the file (or what to allow).
    expect(textOf(refused)).toContain('outside the folders');
    expect(textOf(refused)).toContain('SERVER__ALLOWED_FOLDERS');
    expect(textOf(refused)).toContain(allowed);
  });

  it('lists and reads every kind of resource, and renders every prompt', async () => {
    const generated = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'resources over stdio', size: '1024x1024', quality: 'low' },
    });
    const imageUri = (generated.structuredContent as { resource_uri: string }).resource_uri;
    const resources = await client.listResources();
    expect(resources.resources.map((resource) => resource.uri)).toEqual(
      expect.arrayContaining([imageUri, 'image-history://recent', 'storage-stats://overview', 'model-info://gpt-image-2']),
    );
    const image = await client.readResource({ uri: imageUri });
    expect(image.contents[0]).toMatchObject({ mimeType: 'image/png' });
    // Resource not found answers with the 2026-07-28 code, naming the URI.
    await expect(client.readResource({ uri: 'generated-images://img_20200101000000_000000000000' })).rejects.toMatchObject({
      code: -32602,
      data: { uri: 'generated-images://img_20200101000000_000000000000' },
    });
    for (const uri of ['image-history://recent', 'image-history://recent?days=1', 'storage-stats://overview', 'model-info://gpt-image-2']) {
      const read = await client.readResource({ uri });
      expect(() => JSON.parse((read.contents[0] as { text: string }).text)).not.toThrow();
    }
    const completion = await client.complete({
      ref: { type: 'ref/resource', uri: 'generated-images://{image_id}' },
      argument: { name: 'image_id', value: 'img_' },
    });
    expect(completion.completion.values).toContain(imageUri.replace('generated-images://', ''));

    const prompts = await client.listPrompts();
    expect(prompts.prompts.length).toBeGreaterThanOrEqual(10);
    for (const prompt of prompts.prompts) {
      const values: Record<string, string> = {};
      for (const argument of prompt.arguments ?? []) {
        if (!argument.required) continue;
        const offered = await client.complete({
          ref: { type: 'ref/prompt', name: prompt.name },
          argument: { name: argument.name, value: '' },
        });
        values[argument.name] = offered.completion.values[0] ?? 'a lighthouse';
      }
      const rendered = await client.getPrompt({ name: prompt.name, arguments: values });
      expect(JSON.stringify(rendered.messages)).toContain('generate_image');
    }
  });

  it('sends progress during a slow generation', async () => {
    fake.injectFault({ kind: 'delay', delayMs: 1_500 });
    const messages: string[] = [];
    const result = await client.callTool(
      { name: 'generate_image', arguments: { prompt: 'slow over stdio', size: '1024x1024', quality: 'low', fresh: true } },
      {
        onprogress: (progress) => messages.push(progress.message ?? ''),
        timeout: 60_000,
      },
    );
    expect(result.isError).toBeFalsy();
    expect(messages.length).toBeGreaterThan(0);
  });

  it('keeps a generation the client cancelled after it reached the provider, and answers the same request from it', async () => {
    const before = await countImages();
    fake.injectFault({ kind: 'delay', delayMs: 3_000 });
    const controller = new AbortController();
    let progressed = false;
    const prompt = `cancel me over stdio ${Date.now()}`;
    const requestsAtStart = fake.requests.length;
    const call = client.callTool(
      { name: 'generate_image', arguments: { prompt } },
      {
        signal: controller.signal,
        onprogress: () => (progressed = true),
      },
    );
    await waitFor(() => progressed && fake.requests.length > requestsAtStart, 'the request to reach the provider');
    controller.abort();
    await expect(call).rejects.toThrow();
    // The paid generation goes on: asking again waits for it (or finds it in the cache) without a second call.
    const again = await client.callTool({ name: 'generate_image', arguments: { prompt } });
    expect(again.isError).toBeFalsy();
    expect(again.structuredContent).toMatchObject({ image_id: expect.stringMatching(/^img_/) });
    expect(fake.requests.length).toBe(requestsAtStart + 1);
    expect(await countImages()).toBe(before + 1);
  }, 60_000);

  it('answers bad arguments with isError results a person can act on', async () => {
    const cases: Array<{ name: string; arguments: Record<string, unknown>; says: RegExp }> = [
      { name: 'generate_image', arguments: {}, says: /prompt/ },
      { name: 'generate_image', arguments: { prompt: 'x', output_format: 'gif' }, says: /png.*jpeg.*webp/ },
      { name: 'generate_image', arguments: { prompt: 'x', model: 'dall-e-3' }, says: /Use gpt-image-2/ },
      { name: 'edit_image', arguments: { prompt: 'x', image: 'not base64 !!' }, says: /image/ },
    ];
    for (const bad of cases) {
      const result = await client.callTool({ name: bad.name, arguments: bad.arguments });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toBeUndefined();
      expect(textOf(result)).toMatch(bad.says);
    }
  });
});

describe('imagegen-mcp (built) over stdio: large messages', () => {
  let storage: string;
  const spawnClient = async (env: Record<string, string>) => {
    const client = new Client({ name: 'stdio-large', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [binary],
        env: { PATH: process.env['PATH'] ?? '', HOME: storage, STORAGE__BASE_PATH: storage, OPENAI_API_KEY: 'sk-large', ...env },
        stderr: 'ignore',
      }),
    );
    return client;
  };
  beforeAll(() => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-stdio-large-'));
  });
  afterAll(() => {
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('answers a 12 MB message over its limit with an error naming the setting, and the session goes on', async () => {
    // 6 MB of input image allows messages of about 9 MB.
    const client = await spawnClient({ IMAGES__MAX_INPUT_BYTES: String(6_000_000) });
    try {
      const oversized = client.callTool({ name: 'edit_image', arguments: { prompt: 'too big', image: 'A'.repeat(12 * 1024 * 1024) } });
      await expect(oversized).rejects.toThrow(/IMAGES__MAX_INPUT_BYTES/);
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('edit_image');
    } finally {
      await client.close();
    }
  });

  it('reads an 11 MB edit_image request at the default limits and answers it', async () => {
    const client = await spawnClient({});
    try {
      // Not a real picture: the point is that the message is read and answered (the SDK's own 10 MiB cap would
      // have closed the connection without a word).
      const result = await client.callTool({ name: 'edit_image', arguments: { prompt: 'large', image: 'iVBORw0K'.repeat(1_400_000) } });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/image/i);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});
