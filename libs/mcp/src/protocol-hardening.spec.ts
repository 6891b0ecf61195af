/**
 * Hostile and malformed requests on the wire, in both protocol eras: a 2025 session over an in-memory transport and
 * 2026-07-28 requests through the SDK's per-request handler. What a client sees is the raw JSON-RPC answer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMcpHandler, InMemoryTransport, type JSONRPCMessage, type McpHttpHandler } from '@modelcontextprotocol/server';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageGenMcpServer } from './image-gen-mcp-server';
import { withLegacyResourceNotFoundCode } from './legacy-error-codes';
import type { McpServerSettings } from './server-settings';

const settings: McpServerSettings = {
  name: 'imagegen-test',
  version: '0.0.0',
  responseByteBudget: 300_000,
  includeDataUrl: false,
  allowLocalFiles: false,
  retentionDays: 30,
};

interface WireError {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}
interface WireAnswer {
  result?: Record<string, unknown>;
  error?: WireError;
}

/** Sends one request in an era and resolves with its answer. */
type Ask = (method: string, params: Record<string, unknown>, name?: string) => Promise<WireAnswer>;

let fake: FakeOpenAIServer;
let engine: ImageEngine;
let storage: string;
let closeSession: () => Promise<void>;
let modernHandler: McpHttpHandler;
const eras: Record<'2025' | '2026-07-28', Ask> = {} as never;

beforeAll(async () => {
  fake = await createFakeOpenAIServer();
  storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-mcp-hostile-'));
  const { config } = loadConfig({
    env: { OPENAI_API_KEY: 'sk-mcp-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
    cwd: storage,
    homeDirectory: storage,
    platform: 'linux',
  });
  engine = await createImageEngineFromConfig(config, { scheduleRetention: false });

  // 2025: an initialized session; answers are matched to requests by id.
  const server = createImageGenMcpServer({ engine, settings });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<number, (answer: WireAnswer) => void>();
  clientSide.onmessage = (message) => {
    const id = (message as { id?: number }).id;
    if (typeof id === 'number') waiting.get(id)?.(message as WireAnswer);
  };
  await server.connect(withLegacyResourceNotFoundCode(serverSide, () => true));
  await clientSide.start();
  let nextId = 1;
  const legacy: Ask = (method, params) => {
    const id = nextId++;
    const answered = new Promise<WireAnswer>((resolve) => waiting.set(id, resolve));
    void clientSide.send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage);
    return answered;
  };
  await legacy('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } });
  await clientSide.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as JSONRPCMessage);
  eras['2025'] = legacy;
  closeSession = async () => {
    await clientSide.close();
    await server.close();
  };

  // 2026-07-28: every request carries its envelope and the Mcp-Method / Mcp-Name headers.
  modernHandler = createMcpHandler(({ era }) => createImageGenMcpServer({ engine, settings, era }), { legacy: 'reject' });
  eras['2026-07-28'] = async (method, params, name) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(name === undefined ? {} : { 'mcp-name': name }),
    };
    const _meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
    };
    const response = await modernHandler.fetch(
      new Request('http://imagegen.test/mcp', {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta } }),
      }),
    );
    return (await response.json()) as WireAnswer;
  };
});

afterAll(async () => {
  await closeSession();
  await modernHandler.close();
  await engine.close();
  await fake.close();
  fs.rmSync(storage, { recursive: true, force: true });
});

/** No schema-library dump, stack or file path in what the client reads. */
function expectPlainMessage(error: WireError | undefined): void {
  expect(error).toBeDefined();
  expect(error?.message).not.toMatch(/[[{]\s*\n|"code":|invalid_type|\bat \w+ \(|node_modules/);
  expect(error?.message).not.toContain(storage);
  expect(error?.message.length).toBeLessThanOrEqual(300);
}

describe.each(['2025', '2026-07-28'] as const)('on protocol %s', (era) => {
  const ask = (method: string, params: Record<string, unknown>, name?: string) => eras[era](method, params, name);

  it.each([
    ['an array', ['a lighthouse']],
    ['a string', 'a lighthouse'],
  ])('tools/call with %s as arguments: invalid params in one sentence, no schema dump', async (_what, argumentsValue) => {
    const answer = await ask('tools/call', { name: 'generate_image', arguments: argumentsValue }, 'generate_image');
    expect(answer.error?.code).toBe(-32602);
    expectPlainMessage(answer.error);
    expect(answer.error?.message).toContain('arguments');
    expect(answer.error?.message).toContain('expected an object');
  });

  it.each(['constructor', '__proto__', 'toString'])('prompts/get %s: an unknown prompt, not a disabled one', async (name) => {
    const answer = await ask('prompts/get', { name }, name);
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toBe(`Prompt ${name} not found`);
  });

  it.each(['constructor', '__proto__'])('completion/complete for a prompt named %s: an unknown prompt', async (name) => {
    const answer = await ask('completion/complete', { ref: { type: 'ref/prompt', name }, argument: { name: 'x', value: '' } });
    expect(answer.error?.message).toBe(`Prompt ${name} not found`);
  });

  it.each(['constructor', '__proto__'])('tools/call of a tool named %s: an unknown tool', async (name) => {
    const answer = await ask('tools/call', { name, arguments: {} }, name);
    expect(answer.error?.message ?? JSON.stringify(answer.result)).toMatch(new RegExp(`Tool ${name} not found`));
  });

  it.each(['__proto__', 'constructor'])(
    'generate_image with model %s: an unknown model with the list, nothing generated',
    async (model) => {
      const requestsBefore = fake.requests.length;
      const answer = await ask('tools/call', { name: 'generate_image', arguments: { prompt: 'a kite', model } }, 'generate_image');
      expect(answer.result?.['isError']).toBe(true);
      const text = JSON.stringify(answer.result?.['content']);
      expect(text).toContain('model_not_found');
      expect(text).toContain('gpt-image-2');
      expect(fake.requests.length).toBe(requestsBefore);
    },
  );

  it('resources/read with a URI that is not a string: invalid params in one sentence', async () => {
    const answer = await ask('resources/read', { uri: 123 }, '123');
    expect(answer.error?.code).toBe(-32602);
    expectPlainMessage(answer.error);
  });
});

describe.each([
  ['2025', -32002],
  ['2026-07-28', -32602],
] as const)('resource reads on protocol %s', (era, notFoundCode) => {
  const read = (uri: string) => eras[era]('resources/read', { uri }, uri);

  it('an unknown image: resource not found with the URI, in the era’s code', async () => {
    const uri = 'generated-images://img_20200101000000_000000000000';
    const answer = await read(uri);
    expect(answer.error).toMatchObject({ code: notFoundCode, data: { uri } });
    expect(Object.keys(answer.error?.data ?? {})).toEqual(['uri']);
    expect(answer.error?.message).toContain('No image with id');
  });

  it('a damaged image: resource not found saying so, with no file path or internal text', async () => {
    const result = await engine.generate({ prompt: `damaged ${era}`, size: '1024x1024', quality: 'low' });
    const image = result.images[0];
    if (!image?.filePath) throw new Error('the test image has no file');
    fs.writeFileSync(image.filePath, 'not an image at all');
    const uri = `generated-images://${image.imageId}`;
    const answer = await read(uri);
    expect(answer.error).toMatchObject({ code: notFoundCode, data: { uri } });
    expect(answer.error?.message).toContain('damaged');
    expectPlainMessage(answer.error);
    expect(answer.error?.message).not.toContain(image.filePath);
  });

  it('a malformed image id: invalid params (not "not found"), saying what ids look like', async () => {
    const answer = await read('generated-images://img_bad');
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.data).toMatchObject({ reason: 'invalid_id' });
    expect(answer.error?.message).toContain('not a valid image id');
  });

  it.each([
    ['limit=-1', 'limit', 'a whole number from 1 to 100'],
    ['limit=abc', 'limit', 'a whole number from 1 to 100'],
    ['limit=2.5', 'limit', 'a whole number from 1 to 100'],
    ['limit=101', 'limit', 'a whole number from 1 to 100'],
    ['days=1e400', 'days', 'from 0.001 to 36500'],
    ['days=0', 'days', 'from 0.001 to 36500'],
    ['days=-3', 'days', 'from 0.001 to 36500'],
    ['limt=5', 'limt', 'takes limit and days'],
  ])('image-history://recent?%s is refused, naming %s and what it accepts', async (query, parameter, accepted) => {
    const uri = `image-history://recent?${query}`;
    const answer = await read(uri);
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.data).toMatchObject({ uri, parameter });
    expect(answer.error?.message).toContain(parameter);
    expect(answer.error?.message).toContain(accepted);
  });

  it('image-history://recent with limit and days in range, or none, answers', async () => {
    for (const uri of ['image-history://recent', 'image-history://recent?limit=5&days=0.5', 'image-history://recent?days=36500']) {
      const answer = await read(uri);
      expect(answer.error).toBeUndefined();
      expect(JSON.parse(String((answer.result?.['contents'] as Array<{ text: string }>)[0]?.text))).toHaveProperty('images');
    }
  });
});
