/**
 * The MCP App side of the server, as a host with Apps sees it (tool `_meta`, `ui://` resources, the gallery tools)
 * and as a host without Apps sees it (the same text, preview and resource_link results as before).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageGenMcpServer } from './image-gen-mcp-server';

describe('MCP App views', () => {
  let client: Client;
  let engine: ImageEngine;
  let fake: FakeOpenAIServer;
  let storage: string;
  const listChanges: string[] = [];

  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-mcp-apps-'));
    const { config } = loadConfig({
      env: { OPENAI_API_KEY: 'sk-mcp-apps', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
    const server = createImageGenMcpServer({
      engine,
      settings: {
        name: 'imagegen-test',
        version: '0.0.0',
        responseByteBudget: 300_000,
        includeDataUrl: false,
        allowLocalFiles: false,
        retentionDays: 30,
      },
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: 'apps-host', version: '1.0.0' });
    client.fallbackNotificationHandler = async (notification) => {
      listChanges.push(notification.method);
    };
    await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  });

  afterAll(async () => {
    await client.close();
    await engine.close();
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('names the image view on generate_image and edit_image and the gallery view on open_gallery', async () => {
    const { tools } = await client.listTools();
    const meta = (name: string) => tools.find((tool) => tool.name === name)?._meta as Record<string, unknown> | undefined;
    expect(meta('generate_image')).toMatchObject({ ui: { resourceUri: 'ui://imagegen/image-view.html' } });
    expect(meta('edit_image')).toMatchObject({ ui: { resourceUri: 'ui://imagegen/image-view.html' } });
    expect(meta('open_gallery')).toMatchObject({ ui: { resourceUri: 'ui://imagegen/gallery.html' } });
    expect(tools.find((tool) => tool.name === 'delete_image')?.annotations?.destructiveHint).toBe(true);
  });

  it.each(['ui://imagegen/image-view.html', 'ui://imagegen/gallery.html'])('serves %s as one self-contained MCP App file', async (uri) => {
    const { contents } = await client.readResource({ uri });
    const [view] = contents as Array<{ mimeType: string; text: string }>;
    expect(view?.mimeType).toBe('text/html;profile=mcp-app');
    expect(view?.text).toMatch(/^<!doctype html>/i);
    // Everything inlined: no script, stylesheet or image fetched from anywhere.
    expect(view?.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http/i);
    const { resources } = await client.listResources();
    expect(resources.find((resource) => resource.uri === uri)?.mimeType).toBe('text/html;profile=mcp-app');
  });

  it('keeps the text, preview and resource_link result for hosts without Apps', async () => {
    const result = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a red kite', size: '1536x1024', quality: 'low' },
    });
    const content = result.content as Array<{ type: string; text?: string; uri?: string }>;
    expect(content.map((block) => block.type)).toEqual(['text', 'image', 'resource_link']);
    expect(content[0]?.text).toContain('resource: generated-images://');
    expect(content[2]?.uri).toMatch(/^generated-images:\/\/img_/);
  });

  it('lists the gallery filtered by prompt text, model and date, and deletes an image for good', async () => {
    await client.callTool({ name: 'generate_image', arguments: { prompt: 'a blue heron', size: '1024x1024', quality: 'low' } });
    const all = (await client.callTool({ name: 'open_gallery', arguments: {} })).structuredContent as {
      images: Array<{ image_id: string; prompt: string }>;
      total_count: number;
      models: string[];
    };
    expect(all.total_count).toBe(2);
    expect(all.models).toEqual(['gpt-image-2']);
    const heron = (await client.callTool({ name: 'open_gallery', arguments: { text: 'HERON' } })).structuredContent as typeof all;
    expect(heron.images.map((image) => image.prompt)).toEqual(['a blue heron']);
    const today = new Date().toISOString().slice(0, 10);
    expect(
      ((await client.callTool({ name: 'open_gallery', arguments: { from: today, to: today } })).structuredContent as typeof all)
        .total_count,
    ).toBe(2);
    expect(
      ((await client.callTool({ name: 'open_gallery', arguments: { to: '2020-01-01' } })).structuredContent as typeof all).total_count,
    ).toBe(0);
    expect(
      ((await client.callTool({ name: 'open_gallery', arguments: { model: 'gemini-3-pro-image' } })).structuredContent as typeof all)
        .total_count,
    ).toBe(0);
    const badDate = await client.callTool({ name: 'open_gallery', arguments: { from: 'yesterday' } });
    expect(badDate.isError).toBe(true);

    const imageId = heron.images[0]?.image_id ?? '';
    listChanges.length = 0;
    const deleted = await client.callTool({ name: 'delete_image', arguments: { image_id: imageId } });
    expect(deleted.structuredContent).toEqual({ image_id: imageId, deleted: true, cache_entry_removed: true });
    expect(listChanges).toContain('notifications/resources/list_changed');
    const again = await client.callTool({ name: 'delete_image', arguments: { image_id: imageId } });
    expect(again.isError).toBe(true);
    expect(JSON.stringify(again.content)).toContain(imageId);
    const hostile = await client.callTool({ name: 'delete_image', arguments: { image_id: '../../etc/passwd' } });
    expect(hostile.isError).toBe(true);
    expect(((await client.callTool({ name: 'open_gallery', arguments: {} })).structuredContent as typeof all).total_count).toBe(1);
  });
});
