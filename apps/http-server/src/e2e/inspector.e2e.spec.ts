/**
 * The MCP Inspector 2.x CLI lists and calls the tools of the BUILT `imagegen-mcp-http`: over Streamable HTTP in its
 * modern (2026-07-28) and legacy modes, and over the deprecated HTTP+SSE transport.
 */
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { startBuiltHttpServer, type BuiltHttpServer } from '../test-support/built-http-server';
import { runInspector } from '../test-support/inspector-cli';

jest.setTimeout(120_000);

const token = 'inspector-token-0123456789';

interface ToolResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
}

describe('MCP Inspector CLI against imagegen-mcp-http', () => {
  let fake: FakeOpenAIServer;
  let server: BuiltHttpServer;
  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    server = await startBuiltHttpServer({
      OPENAI_API_KEY: 'sk-inspector',
      PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
      SERVER__AUTH_TOKEN: token,
    });
  });
  afterAll(async () => {
    await server?.dispose();
    await fake?.close();
  });

  const http = () => [
    `${server.baseUrl}/mcp`,
    '--transport',
    'http',
    '--protocol-era',
    'modern',
    '--header',
    `Authorization: Bearer ${token}`,
  ];

  it('lists the tools', async () => {
    const run = await runInspector([...http(), '--method', 'tools/list']);
    expect(run.code).toBe(0);
    const names = run.json<{ tools: Array<{ name: string }> }>().tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(['generate_image', 'edit_image', 'list_available_models', 'get_image_history', 'get_storage_stats']),
    );
  });

  it('calls list_available_models', async () => {
    const run = await runInspector([...http(), '--method', 'tools/call', '--tool-name', 'list_available_models']);
    expect(run.code).toBe(0);
    const result = run.json<ToolResult>();
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent?.['default_model']).toBe('gpt-image-2');
  });

  it('calls generate_image', async () => {
    const run = await runInspector([
      ...http(),
      '--method',
      'tools/call',
      '--tool-name',
      'generate_image',
      '--tool-arg',
      'prompt=a lantern from the inspector',
      'size=1024x1024',
      'quality=low',
    ]);
    expect(run.code).toBe(0);
    const result = run.json<ToolResult>();
    expect(result.isError).toBeFalsy();
    expect(String(result.structuredContent?.['image_id'])).toMatch(/^img_\d{14}_[0-9a-f]{12}$/);
    expect(result.content.some((block) => block.type === 'image')).toBe(true);
  });

  it('lists the tools in its legacy (2025) mode too', async () => {
    const legacy = http().map((argument) => (argument === 'modern' ? 'legacy' : argument));
    const run = await runInspector([...legacy, '--method', 'tools/list']);
    expect(run.code).toBe(0);
    expect(run.json<{ tools: Array<{ name: string }> }>().tools.map((tool) => tool.name)).toContain('generate_image');
  });

  it('is refused without the token', async () => {
    const run = await runInspector([`${server.baseUrl}/mcp`, '--transport', 'http', '--method', 'tools/list']);
    expect(run.code).not.toBe(0);
  });

  it('lists and calls tools over the legacy SSE transport', async () => {
    const sse = [`${server.baseUrl}/sse`, '--transport', 'sse', '--protocol-era', 'legacy', '--header', `Authorization: Bearer ${token}`];
    const list = await runInspector([...sse, '--method', 'tools/list']);
    expect(list.code).toBe(0);
    expect(list.json<{ tools: Array<{ name: string }> }>().tools.map((tool) => tool.name)).toContain('generate_image');
    const call = await runInspector([...sse, '--method', 'tools/call', '--tool-name', 'list_available_models']);
    expect(call.code).toBe(0);
    expect(call.json<ToolResult>().isError).toBeFalsy();
  });
});
