/**
 * The late-2026 OpenAI abilities through the real MCP client and server, a real engine and the fake OpenAI server:
 * complexity, GIF and SVG output, markup edits, partial images and their listing, as an MCP client sees them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createFakeOpenAIServer, createTestImage, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageGenMcpServer } from './image-gen-mcp-server';
import type { McpServerSettings } from './server-settings';

const settings: McpServerSettings = {
  name: 'imagegen-test',
  version: '0.0.0',
  responseByteBudget: 300_000,
  includeDataUrl: false,
  allowLocalFiles: false,
  retentionDays: 30,
};

type Structured = Record<string, unknown> & { images?: Array<Record<string, unknown>>; metadata?: Record<string, unknown> };

describe('MCP: late-2026 OpenAI abilities', () => {
  let client: Client;
  let engine: ImageEngine;
  let fake: FakeOpenAIServer;
  let storage: string;
  let closeServer: () => Promise<void>;

  beforeAll(async () => {
    fake = await createFakeOpenAIServer({ partialDelayMs: 300 });
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-mcp-late-'));
    const { config } = loadConfig({
      env: {
        OPENAI_API_KEY: 'sk-mcp-test',
        PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
        PROVIDERS__OPENAI__SAFETY_IDENTIFIER: 'hashed-user-1',
        STORAGE__BASE_PATH: storage,
      },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
    const server = createImageGenMcpServer({ engine, settings });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: 'test-client', version: '1.0.0' });
    await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
    closeServer = () => server.close();
  });

  afterAll(async () => {
    await client.close();
    await closeServer();
    await engine.close();
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  const lastImageRequest = () => fake.requests.filter((request) => request.path.startsWith('/v1/images/')).at(-1);
  const textOf = (result: { content: unknown }) =>
    (result.content as Array<{ type: string; text?: string }>).map((block) => block.text ?? '').join('\n');

  it('generates an animated GIF, served as image/gif, with complexity and the configured safety identifier sent', async () => {
    const result = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a spinning coin', model: 'gpt-image-2.6-sunburst', output_format: 'gif', frame_count: 4, complexity: 'low' },
    });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as Structured;
    expect(structured.metadata?.['format']).toBe('GIF');
    expect(lastImageRequest()?.body).toMatchObject({ frame_count: 4, complexity: 'low', safety_identifier: 'hashed-user-1' });
    const resource = await client.readResource({ uri: String(structured['resource_uri']) });
    const content = resource.contents[0] as { mimeType: string; blob: string };
    expect(content.mimeType).toBe('image/gif');
    expect((await sharp(Buffer.from(content.blob, 'base64')).metadata()).pages).toBe(4);
  });

  it('generates an SVG, served as image/svg+xml, and shows it inline as a raster preview', async () => {
    const result = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a flat logo', model: 'gpt-image-2.6-flare', output_format: 'svg', size: '1024x1024' },
    });
    expect(result.isError).toBeFalsy();
    const inline = (result.content as Array<{ type: string; mimeType?: string }>).filter((block) => block.type === 'image');
    expect(inline.length).toBe(1);
    expect(inline[0]?.mimeType).not.toBe('image/svg+xml');
    const structured = result.structuredContent as Structured;
    const resource = await client.readResource({ uri: String(structured['resource_uri']) });
    expect((resource.contents[0] as { mimeType: string }).mimeType).toBe('image/svg+xml');
  });

  it.each([
    [{ prompt: 'x', complexity: 'high' }, /gpt-image-2 takes no complexity/],
    [{ prompt: 'x', output_format: 'gif' }, /cannot make animated GIF/],
    [{ prompt: 'x', model: 'gpt-image-2.6-sunburst', output_format: 'svg', n: 2 }, /one drawing per request/],
    [{ prompt: 'x', model: 'gpt-image-2.6-sunburst', output_format: 'gif', partial_images: 1 }, /cannot be streamed/],
  ])('refuses %j with a clear message and no provider call', async (args, message) => {
    const before = fake.requests.length;
    const result = await client.callTool({ name: 'generate_image', arguments: args });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(fake.requests.length).toBe(before);
  });

  it('edits with a markup overlay, and refuses markup with a mask', async () => {
    const source = (await createTestImage({ width: 256, height: 256, grain: 64 })).toString('base64');
    const markup = (await createTestImage({ width: 256, height: 256, alpha: true, grain: 64 })).toString('base64');
    const edited = await client.callTool({
      name: 'edit_image',
      arguments: { prompt: 'a hat where the overlay is', image: source, markup, model: 'gpt-image-2.6-sunburst' },
    });
    expect(edited.isError).toBeFalsy();
    expect(lastImageRequest()?.files?.some((file) => file.field === 'markup')).toBe(true);
    const refused = await client.callTool({
      name: 'edit_image',
      arguments: { prompt: 'x', image: source, markup, mask: markup, model: 'gpt-image-2.6-sunburst' },
    });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/markup cannot be combined with a mask/);
  });

  it('streams partial images to a poller while the job runs, and prices them in the estimate', async () => {
    const started = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a lighthouse at dusk', partial_images: 2, wait_seconds: 0, fresh: true },
    });
    const jobId = String((started.structuredContent as Structured)['job_id']);
    expect(jobId).toMatch(/^job_/);
    const polled = await client.callTool({
      name: 'get_generation',
      arguments: { job_id: jobId, return_on_partial: true, wait_seconds: 30 },
    });
    expect(polled.structuredContent).toMatchObject({ status: 'running', partial_image: { received: 1, mime_type: 'image/png' } });
    expect((polled.content as Array<{ type: string }>).some((block) => block.type === 'image')).toBe(true);
    const done = await client.callTool({ name: 'get_generation', arguments: { job_id: jobId, wait_seconds: 30 } });
    const streamedEstimate = Number((done.structuredContent as Structured).metadata?.['cost_estimate']);
    const plain = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a lighthouse at dusk', fresh: true } });
    const plainEstimate = Number((plain.structuredContent as Structured).metadata?.['cost_estimate']);
    expect(streamedEstimate).toBeGreaterThan(plainEstimate);
  });

  it('makes a gpt-image-2 transparent background with a preview warning, and takes quality max on 2.6', async () => {
    const transparent = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a sticker', background: 'transparent' } });
    expect(transparent.isError).toBeFalsy();
    expect(lastImageRequest()?.body).toMatchObject({ model: 'gpt-image-2', background: 'transparent' });
    expect((transparent.structuredContent as Structured)['warnings']).toEqual(
      expect.arrayContaining([expect.stringMatching(/in preview/)]),
    );
    const best = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a vase', model: 'gpt-image-2.6-sunburst', quality: 'max' },
    });
    expect(best.isError).toBeFalsy();
    expect(lastImageRequest()?.body).toMatchObject({ quality: 'max' });
  });

  it('lists each ability for the models that have it, in list_available_models and model-info://', async () => {
    const info = await client.readResource({ uri: 'model-info://gpt-image-2.6-sunburst' });
    const described = JSON.parse((info.contents[0] as { text: string }).text) as { capabilities: Record<string, unknown> };
    expect(described.capabilities).toMatchObject({
      complexities: ['low', 'medium', 'high'],
      markup_edits: true,
      partial_images: 3,
      gif: expect.any(Object),
      svg: expect.any(Object),
    });
    const older = JSON.parse(((await client.readResource({ uri: 'model-info://gpt-image-2' })).contents[0] as { text: string }).text) as {
      capabilities: Record<string, unknown>;
    };
    expect(older.capabilities).toMatchObject({ preview_backgrounds: ['transparent'] });
    expect(older.capabilities).not.toHaveProperty('markup_edits');
  });
});
