/** The MCP Inspector 2.x CLI launches the BUILT `imagegen-mcp` over stdio in its modern (2026-07-28) mode, lists its tools and calls them. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';

jest.setTimeout(120_000);

const binary = path.join(__dirname, '..', '..', 'dist', 'main.js');
const inspectorCli = path.join(
  path.dirname(require.resolve('@modelcontextprotocol/inspector/package.json')),
  'clients',
  'launcher',
  'build',
  'index.js',
);

interface ToolResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
}

describe('MCP Inspector CLI against imagegen-mcp (stdio)', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-stdio-inspector-'));
  });
  afterAll(async () => {
    await fake?.close();
    if (storage) fs.rmSync(storage, { recursive: true, force: true });
  });

  /** Runs `mcp-inspector --cli --protocol-era modern -e ... node dist/main.js <args>` and parses the result it prints. */
  async function inspect<T>(args: string[]): Promise<T> {
    const settings = { STORAGE__BASE_PATH: storage, OPENAI_API_KEY: 'sk-inspector-stdio', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` };
    const child = spawn(
      process.execPath,
      [
        inspectorCli,
        '--cli',
        '--protocol-era',
        'modern',
        '--format',
        'json',
        '--quiet',
        ...Object.entries(settings).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
        process.execPath,
        binary,
        ...args,
      ],
      // HOME is the test's own folder: the Inspector keeps its settings and secrets there.
      { cwd: storage, env: { PATH: process.env['PATH'] ?? '', HOME: storage }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`inspector exited with ${String(code)}:\n${stdout}\n${stderr}`);
    return (JSON.parse(stdout) as { result: T }).result;
  }

  it('lists the tools', async () => {
    const listed = await inspect<{ tools: Array<{ name: string }> }>(['--method', 'tools/list']);
    expect(listed.tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['generate_image', 'edit_image', 'list_available_models', 'get_image_history', 'get_storage_stats']),
    );
  });

  it('calls list_available_models', async () => {
    const result = await inspect<ToolResult>(['--method', 'tools/call', '--tool-name', 'list_available_models']);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent?.['default_model']).toBe('gpt-image-2');
  });

  it('calls generate_image and the image is stored', async () => {
    const result = await inspect<ToolResult>([
      '--method',
      'tools/call',
      '--tool-name',
      'generate_image',
      '--tool-arg',
      'prompt=a kettle from the inspector',
      'size=1024x1024',
      'quality=low',
    ]);
    expect(result.isError).toBeFalsy();
    const filePath = String(result.structuredContent?.['file_path']);
    expect(filePath.startsWith(storage)).toBe(true);
    expect(fs.existsSync(filePath)).toBe(true);
  });
});
