/**
 * The MCP conformance suite (`@modelcontextprotocol/conformance`, installed at the workspace root) against the BUILT
 * `imagegen-mcp-http` on loopback without a token, as a local user would run it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { startBuiltHttpServer, type BuiltHttpServer } from '../test-support/built-http-server';

jest.setTimeout(180_000);

const conformancePackage = path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json'));
const conformanceCli = path.join(conformancePackage, 'dist', 'index.js');

const scenarios = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'logging-set-level',
  'dns-rebinding-protection',
];

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

/** Runs one scenario; returns the exit code and every check it recorded (from the JSON it writes with -o). */
async function runScenario(
  url: string,
  scenario: string,
  outputDirectory: string,
): Promise<{ code: number | null; checks: Check[]; output: string }> {
  const child = spawn(process.execPath, [conformanceCli, 'server', '--url', url, '--scenario', scenario, '-o', outputDirectory], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const checks: Check[] = [];
  for (const entry of fs.readdirSync(outputDirectory)) {
    const file = path.join(outputDirectory, entry, 'checks.json');
    if (entry.startsWith(`server-${scenario}-`) && fs.existsSync(file))
      checks.push(...(JSON.parse(fs.readFileSync(file, 'utf8')) as Check[]));
  }
  return { code, checks, output };
}

describe('MCP conformance scenarios against imagegen-mcp-http', () => {
  let fake: FakeOpenAIServer;
  let server: BuiltHttpServer;
  let outputDirectory: string;
  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    server = await startBuiltHttpServer({ OPENAI_API_KEY: 'sk-conformance', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1` });
    outputDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-conformance-'));
  });
  afterAll(async () => {
    await server?.dispose();
    await fake?.close();
    if (outputDirectory) fs.rmSync(outputDirectory, { recursive: true, force: true });
  });

  it.each(scenarios)('passes %s', async (scenario) => {
    const run = await runScenario(`${server.baseUrl}/mcp`, scenario, outputDirectory);
    expect(run.checks.length).toBeGreaterThan(0);
    const failed = run.checks.filter((check) => check.status !== 'SUCCESS');
    expect({ scenario, failed, code: run.code }).toEqual({ scenario, failed: [], code: 0 });
  });
});
