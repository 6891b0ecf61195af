/**
 * Gemini's multi-turn editing, Google Search grounding and thinking level as an MCP client sees them: the real SDK
 * Client against the real server over an in-memory transport, a real engine, and the fake provider's Gemini routes
 * (which refuse a follow-up turn without its thought signatures, as Google does).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createFakeProviderServer, type FakeOpenAIServer } from '@imagegen/testing';
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

type ToolAnswer = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };

describe('MCP tools: Gemini multi-turn editing, grounding and thinking level', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let engine: ImageEngine;
  let client: Client;
  let closeServer: () => Promise<void>;

  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
  const text = (answer: ToolAnswer) => answer.content.find((block) => block.type === 'text')?.text ?? '';
  const generateCalls = () => fake.requests.filter((request) => request.path.endsWith(':generateContent'));

  beforeAll(async () => {
    fake = await createFakeProviderServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-mcp-gemini-'));
    const { config } = loadConfig({
      env: {
        GEMINI_API_KEY: 'AIzaMcpGeminiKey0123',
        PROVIDERS__GEMINI__BASE_URL: fake.url,
        STORAGE__BASE_PATH: storage,
        IMAGES__DEFAULT_SIZE: '1024x1024',
      },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
    const server = createImageGenMcpServer({ engine, settings });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: 'gemini-abilities-test', version: '1.0.0' });
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

  it('lists each ability for the models that have it, in list_available_models and model-info://', async () => {
    const listing = await call('list_available_models', {});
    const gemini = (
      listing.structuredContent?.['providers'] as Record<string, { models: Record<string, { capabilities: Record<string, unknown> }> }>
    )['gemini'];
    expect(gemini?.models['gemini-nano-banana-2.1']?.capabilities).toMatchObject({
      thinking_levels: ['minimal', 'high'],
      search_grounding: { price_per_query_usd: 0.014, price_unverified: true },
      multi_turn_editing: true,
    });
    expect(gemini?.models['gemini-3.1-flash-lite-image']?.capabilities).not.toHaveProperty('search_grounding');
    expect(gemini?.models['gemini-3-pro-image']?.capabilities).not.toHaveProperty('thinking_levels');
    expect(text(listing)).toMatch(
      /gemini-nano-banana-2\.1 \(default\): active \[thinking level minimal\/high, Google Search grounding, multi-turn editing\]/,
    );
    // Google's own list decides availability: the fake no longer serves gemini-3.1-flash-image.
    expect(text(listing)).toMatch(/gemini-3\.1-flash-image: active — not available for your key/);
    const info = await client.readResource({ uri: 'model-info://gemini-3-pro-image' });
    const described = JSON.parse((info.contents[0] as { text: string }).text);
    expect(described.capabilities).toMatchObject({ search_grounding: { price_per_query_usd: 0.014 }, multi_turn_editing: true });
  });

  it('refuses a model the provider’s list lacks before any call', async () => {
    await call('list_available_models', {});
    const before = generateCalls().length;
    const answer = await call('generate_image', { prompt: 'x', model: 'gemini-3.1-flash-image' });
    expect(answer.isError).toBe(true);
    expect(text(answer)).toMatch(/not in gemini's model list for this key.*Use gemini-nano-banana-2\.1 instead/);
    expect(generateCalls().length).toBe(before);
  });

  it('grounds with Google Search and shows the sources in the result text', async () => {
    const answer = await call('generate_image', { prompt: 'the Lisbon skyline at today’s weather', search_grounding: true });
    expect(answer.isError).toBeFalsy();
    expect(text(answer)).toMatch(/grounded with Google Search: "the Lisbon skyline at today’s weather"/);
    expect(text(answer)).toMatch(/sources:\n\s+- example\.com: https:\/\/vertexaisearch\.cloud\.google\.com\//);
    const images = answer.structuredContent?.['images'] as Array<{ grounding?: { sources: unknown[] } }>;
    expect(images[0]?.grounding?.sources).toHaveLength(2);
    const refused = await call('generate_image', { prompt: 'x', model: 'gemini-3.1-flash-lite-image', search_grounding: true });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/cannot ground images with Google Search/);
  });

  it('continues editing a stored image in its conversation, and refuses it on another model', async () => {
    const first = await call('generate_image', { prompt: 'a lighthouse on a cliff', model: 'gemini-nano-banana-2.1' });
    const imageId = String(first.structuredContent?.['image_id']);
    expect(text(first)).toContain(`edit_image with image ${imageId} and continue_conversation true`);
    const followUp = await call('edit_image', { prompt: 'now add a storm', image: imageId, continue_conversation: true });
    expect(followUp.isError).toBeFalsy();
    const contents = generateCalls().at(-1)?.body?.['contents'] as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(contents[1]?.parts.every((part) => typeof part['thoughtSignature'] === 'string')).toBe(true);
    const elsewhere = await call('edit_image', { prompt: 'x', image: imageId, model: 'gemini-3-pro-image', continue_conversation: true });
    expect(elsewhere.isError).toBe(true);
    expect(text(elsewhere)).toMatch(/conversation is with gemini\/gemini-nano-banana-2\.1; a follow-up turn must use that model/);
  });

  it('sends the thinking level where the model has one and refuses it elsewhere', async () => {
    const answer = await call('generate_image', { prompt: 'a clock tower, every gear visible', thinking_level: 'high' });
    expect(answer.isError).toBeFalsy();
    expect(generateCalls().at(-1)?.body?.['generationConfig']).toMatchObject({ thinkingConfig: { thinkingLevel: 'HIGH' } });
    const refused = await call('generate_image', { prompt: 'x', model: 'gemini-3-pro-image', thinking_level: 'high' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/gemini-3-pro-image has no adjustable thinking level/);
  });
});
