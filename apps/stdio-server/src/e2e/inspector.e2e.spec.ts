/** The MCP Inspector CLI launches the BUILT `imagegen-mcp` over stdio, lists its tools and calls them. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';

jest.setTimeout(120_000);

const binary = path.join(__dirname, '..', '..', 'dist', 'main.js');
const inspectorCli = path.join(path.dirname(require.resolve('@modelcontextprotocol/inspector-cli/package.json')), 'build', 'cli.js');

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

  /** Runs `mcp-inspector-cli --cli -e ... node dist/main.js <args>` and parses the JSON it prints. */
  async function inspect<T>(args: string[]): Promise<T> {
    const settings = { STORAGE__BASE_PATH: storage, OPENAI_API_KEY: 'sk-inspector-stdio', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` };
    const child = spawn(
      process.execPath,
      [
        inspectorCli,
        '--cli',
        ...Object.entries(settings).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
        process.execPath,
        binary,
        ...args,
      ],
      // inspector-cli 1.0.3 finds its own package.json relative to the working directory: run it from its build folder.
      { cwd: path.dirname(inspectorCli), env: { PATH: process.env['PATH'] ?? '', HOME: storage }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`inspector exited with ${String(code)}:\n${stdout}\n${stderr}`);
    return JSON.parse(stdout) as T;
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
