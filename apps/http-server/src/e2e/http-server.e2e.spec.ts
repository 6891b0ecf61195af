/**
 * End to end: the BUILT `imagegen-mcp-http` as a child process against the fake provider server, driven by the SDK's
 * own v2 clients: pinned to MCP 2026-07-28 over Streamable HTTP, in auto mode, and over the legacy HTTP+SSE
 * transport. (The v1 client, protocol 2025, drives the app in http-app.spec.ts.)
 */
import { request as httpRequest } from 'node:http';
import { Client, SSEClientTransport, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { startBuiltHttpServer, waitFor, type BuiltHttpServer } from '../test-support/built-http-server';
import { sampleValue } from '../test-support/metrics-text';

jest.setTimeout(120_000);

const token = 'e2e-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${token}` };
const byteBudget = 150_000;

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await createFakeOpenAIServer();
});
afterAll(async () => {
  await fake.close();
});

const providerEnv = () => ({ OPENAI_API_KEY: 'sk-e2e-http', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` });

async function connect(baseUrl: string, mode: 'auto' | { pin: '2026-07-28' } = { pin: '2026-07-28' }): Promise<Client> {
  const client = new Client({ name: 'http-e2e', version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: auth } }));
  return client;
}

const textOf = (result: Record<string, unknown>) => JSON.stringify(result['content'] ?? []);

async function metricsText(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: auth });
  expect(response.status).toBe(200);
  return response.text();
}

function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: 'POST', headers: { Host: host, ...auth, 'Content-Type': 'application/json' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    outgoing.on('error', reject);
    outgoing.end('{}');
  });
}

describe('imagegen-mcp-http (built) over Streamable HTTP', () => {
  let server: BuiltHttpServer;
  let client: Client;
  beforeAll(async () => {
    server = await startBuiltHttpServer({
      ...providerEnv(),
      SERVER__AUTH_TOKEN: token,
      SERVER__RESPONSE_BYTE_BUDGET: String(byteBudget),
      SERVER__MAX_BODY_MB: '0.5',
    });
    client = await connect(server.baseUrl);
  });
  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  it('lands an auto-mode client on 2026-07-28', async () => {
    expect(client.getProtocolEra()).toBe('modern');
    const auto = await connect(server.baseUrl, 'auto');
    try {
      expect(auto.getProtocolEra()).toBe('modern');
      expect((await auto.listTools()).tools.length).toBe(8);
    } finally {
      await auto.close();
    }
  });

  it('runs every tool, within the byte budget, and serves the image at its http_url', async () => {
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
    expect((models.structuredContent as { default_model: string }).default_model).toBe('gpt-image-2');

    const generated = (await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a harbour at dawn', size: '1536x1024', quality: 'high' },
    })) as CallToolResult;
    expect(generated.isError).toBeFalsy();
    expect(Buffer.byteLength(JSON.stringify(generated))).toBeLessThanOrEqual(byteBudget);
    expect(generated.content.some((block) => block.type === 'image')).toBe(true);
    const structured = generated.structuredContent as { image_id: string; resource_uri: string; http_url: string; file_path: string };
    expect(structured.http_url).toBe(`${server.baseUrl}/images/${structured.image_id}`);
    const download = await fetch(structured.http_url, { headers: auth });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');

    const edited = (await client.callTool({
      name: 'edit_image',
      arguments: { prompt: 'add a red boat', image: structured.resource_uri, size: '1024x1024', quality: 'low' },
    })) as CallToolResult;
    expect(edited.isError).toBeFalsy();
    expect(Buffer.byteLength(JSON.stringify(edited))).toBeLessThanOrEqual(byteBudget);
    expect((edited.structuredContent as { image_id: string }).image_id).not.toBe(structured.image_id);

    const history = await client.callTool({ name: 'get_image_history', arguments: { limit: 10 } });
    expect(history.isError).toBeFalsy();
    expect(textOf(history)).toContain(structured.image_id);
    const stats = await client.callTool({ name: 'get_storage_stats', arguments: {} });
    expect(stats.isError).toBeFalsy();
    expect(JSON.stringify(stats.structuredContent)).toMatch(/"total_images":\s*[1-9]/);
  });

  it('lists and reads every kind of resource, and renders every prompt', async () => {
    const generated = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'resources e2e', size: '1024x1024', quality: 'low' },
    });
    const imageUri = (generated.structuredContent as { resource_uri: string }).resource_uri;

    const resources = await client.listResources();
    const uris = resources.resources.map((resource) => resource.uri);
    expect(uris).toEqual(
      expect.arrayContaining([imageUri, 'image-history://recent', 'storage-stats://overview', 'model-info://gpt-image-2']),
    );
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((template) => template.uriTemplate)).toEqual(
      expect.arrayContaining(['generated-images://{image_id}', 'model-info://{model}']),
    );

    const image = await client.readResource({ uri: imageUri });
    expect(image.contents[0]).toMatchObject({ mimeType: 'image/png' });
    expect(
      Buffer.from((image.contents[0] as { blob: string }).blob, 'base64')
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    for (const uri of ['image-history://recent?limit=5', 'storage-stats://overview', 'model-info://gpt-image-2']) {
      const read = await client.readResource({ uri });
      expect(read.contents[0]?.mimeType).toBe('application/json');
      expect(() => JSON.parse((read.contents[0] as { text: string }).text)).not.toThrow();
    }

    const prompts = await client.listPrompts();
    expect(prompts.prompts.length).toBeGreaterThanOrEqual(10);
    for (const prompt of prompts.prompts) {
      const values: Record<string, string> = {};
      for (const argument of prompt.arguments ?? []) {
        if (!argument.required) continue;
        const completion = await client.complete({
          ref: { type: 'ref/prompt', name: prompt.name },
          argument: { name: argument.name, value: '' },
        });
        values[argument.name] = completion.completion.values[0] ?? 'a lighthouse';
      }
      const rendered = await client.getPrompt({ name: prompt.name, arguments: values });
      expect(JSON.stringify(rendered.messages)).toContain('generate_image');
    }
  });

  it('sends progress during a slow generation', async () => {
    fake.injectFault({ kind: 'delay', delayMs: 1_500 });
    const messages: string[] = [];
    const result = await client.callTool(
      { name: 'generate_image', arguments: { prompt: 'slow e2e', size: '1024x1024', quality: 'low', fresh: true } },
      {
        onprogress: (progress) => messages.push(progress.message ?? ''),
        timeout: 60_000,
      },
    );
    expect(result.isError).toBeFalsy();
    expect(messages.length).toBeGreaterThan(0);
  });

  it('keeps a generation the client cancelled after it reached the provider, and counts the cancellation', async () => {
    const before = await metricsText(server.baseUrl);
    const countImages = async () =>
      ((await client.callTool({ name: 'get_storage_stats', arguments: {} })).structuredContent as { total_images: number }).total_images;
    const imagesBefore = await countImages();
    fake.injectFault({ kind: 'delay', delayMs: 3_000 });
    const controller = new AbortController();
    let progressed = false;
    const prompt = `cancel me over http ${Date.now()}`;
    const requestsAtStart = fake.requests.length;
    // On 2026-07-28 the client cancels by closing the request's response stream.
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
    expect(fake.requests.length).toBe(requestsAtStart + 1);
    expect(await countImages()).toBe(imagesBefore + 1);
    const after = await metricsText(server.baseUrl);
    expect(
      sampleValue(after, 'imagegen_errors_total', { code: 'cancelled' }) -
        sampleValue(before, 'imagegen_errors_total', { code: 'cancelled' }),
    ).toBe(1);
    expect(sampleValue(after, 'imagegen_mcp_tool_calls_total', { tool: 'generate_image', outcome: 'cancelled' })).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('answers bad arguments with isError results a person can act on', async () => {
    const cases: Array<{ name: string; arguments: Record<string, unknown>; says: RegExp }> = [
      { name: 'generate_image', arguments: {}, says: /prompt/ },
      { name: 'generate_image', arguments: { prompt: 'x', n: 0 }, says: /\bn\b/ },
      { name: 'generate_image', arguments: { prompt: 'x', model: 'dall-e-3' }, says: /gpt-image/ },
      { name: 'generate_image', arguments: { prompt: 'x', model: 'no-such-model' }, says: /list_available_models/ },
      { name: 'edit_image', arguments: { prompt: 'x' }, says: /`image`/ },
      { name: 'edit_image', arguments: { prompt: 'x', image: 'img_20200101000000_000000000000' }, says: /img_20200101000000_000000000000/ },
    ];
    for (const bad of cases) {
      const result = await client.callTool({ name: bad.name, arguments: bad.arguments });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toBeUndefined();
      expect(textOf(result)).toMatch(bad.says);
    }
  });

  it('shows counters moving on /metrics after a generation', async () => {
    const before = await metricsText(server.baseUrl);
    const result = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'metrics e2e', size: '1024x1024', quality: 'low' },
    });
    expect(result.isError).toBeFalsy();
    const after = await metricsText(server.baseUrl);
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('imagegen_generations_total', { operation: 'generate', model: 'gpt-image-2', provider: 'openai', cache: 'miss' })).toBe(1);
    expect(delta('imagegen_mcp_tool_calls_total', { tool: 'generate_image', outcome: 'success' })).toBe(1);
    expect(delta('imagegen_cost_usd_total', { model: 'gpt-image-2', provider: 'openai' })).toBeGreaterThan(0);
    expect(delta('imagegen_http_requests_total', { route: '/mcp', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'imagegen_mcp_sessions', { transport: 'streamable_http' })).toBe(0);
    expect(sampleValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('refuses unauthenticated requests, foreign Host and Origin headers, and oversized bodies', async () => {
    expect(
      (await fetch(`${server.baseUrl}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status,
    ).toBe(401);
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/sse`)).status).toBe(401);
    expect(await statusWithHost(`${server.baseUrl}/mcp`, 'attacker.example')).toBe(403);
    const foreignOrigin = await fetch(`${server.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', Origin: 'https://attacker.example' },
      body: '{}',
    });
    expect(foreignOrigin.status).toBe(403);
    const oversized = await fetch(`${server.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { padding: 'x'.repeat(1024 * 1024) } }),
    });
    expect(oversized.status).toBe(413);
  });
});

describe('imagegen-mcp-http (built): rate limits', () => {
  let server: BuiltHttpServer;
  beforeAll(async () => {
    server = await startBuiltHttpServer({ ...providerEnv(), SERVER__AUTH_TOKEN: token, SERVER__CLIENT_RATE_LIMIT_RPM: '3' });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('answers 429 with Retry-After when a client exceeds SERVER__CLIENT_RATE_LIMIT_RPM', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < 4; index += 1) {
      const response = await fetch(`${server.baseUrl}/images/img_20200101000000_000000000000`, { headers: auth });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe('imagegen-mcp-http (built): legacy SSE and shutdown', () => {
  let server: BuiltHttpServer;
  beforeAll(async () => {
    server = await startBuiltHttpServer({ ...providerEnv(), SERVER__AUTH_TOKEN: token });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('finishes a running generation on SIGTERM, closes the open SSE stream, and exits 0', async () => {
    const client = new Client({ name: 'sse-e2e', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(`${server.baseUrl}/sse`), { requestInit: { headers: auth } }));
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain('generate_image');
    fake.injectFault({ kind: 'delay', delayMs: 2_000 });
    let progressed = false;
    const call = client.callTool(
      { name: 'generate_image', arguments: { prompt: 'finish before stopping', size: '1024x1024', quality: 'low', fresh: true } },
      {
        onprogress: () => (progressed = true),
        timeout: 60_000,
      },
    );
    await waitFor(() => progressed, 'the generation to start');
    const exitCode = server.stop('SIGTERM');
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(await exitCode).toBe(0);
    await client.close().catch(() => undefined);
  });
});
