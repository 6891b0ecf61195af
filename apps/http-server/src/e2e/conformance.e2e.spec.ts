/**
 * The MCP conformance suite (`@modelcontextprotocol/conformance` 0.2.0 pre-release, installed at the workspace root)
 * against the BUILT `imagegen-mcp-http` on loopback without a token, as a local user would run it: the scenarios of
 * the 2026-07-28 and 2025-11-25 requirement sets that apply to any server (the others call the suite's own fixture
 * tools, such as `test_simple_text`), each at its revision's wire version.
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

const scenarios: Array<[revision: string, scenario: string]> = [
  ...[
    'server-stateless',
    'tools-list',
    'resources-list',
    'prompts-list',
    'sep-2164-resource-not-found',
    'caching',
    'server-sse-multiple-streams',
    'dns-rebinding-protection',
    'http-header-validation',
    'input-required-result-unsupported-methods',
    'input-required-result-validate-input',
  ].map((scenario): [string, string] => ['2026-07-28', scenario]),
  ...['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'logging-set-level', 'dns-rebinding-protection'].map(
    (scenario): [string, string] => ['2025-11-25', scenario],
  ),
];

/** Checks that need a fixture tool this server does not have say so; they say nothing about this server. */
const needsFixtureTool = (check: Check) =>
  check.status === 'FAILURE' && /^Not testable: server does not list the diagnostic tool/.test(check.errorMessage ?? '');

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

/** Runs one scenario; returns the exit code and every check it recorded (from the JSON it writes with -o). */
async function runScenario(
  url: string,
  revision: string,
  scenario: string,
  outputDirectory: string,
): Promise<{ code: number | null; checks: Check[]; output: string }> {
  const args = ['server', '--url', url, '--scenario', scenario, '--spec-version', revision, '-o', outputDirectory];
  const child = spawn(process.execPath, [conformanceCli, ...args], {
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
    outputDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-conformance-'));
    fake = await createFakeOpenAIServer();
    // The suite sends far more than the default 120 requests a minute.
    server = await startBuiltHttpServer({
      OPENAI_API_KEY: 'sk-conformance',
      PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
      SERVER__CLIENT_RATE_LIMIT_RPM: '0',
    });
  });
  afterAll(async () => {
    await server?.dispose();
    await fake?.close();
    if (outputDirectory) fs.rmSync(outputDirectory, { recursive: true, force: true });
  });

  it.each(scenarios)('%s: passes %s', async (revision, scenario) => {
    const folder = fs.mkdtempSync(path.join(outputDirectory, `${revision}-`));
    const run = await runScenario(`${server.baseUrl}/mcp`, revision, scenario, folder);
    expect(run.checks.length).toBeGreaterThan(0);
    const failed = run.checks.filter((check) => check.status === 'FAILURE' && !needsFixtureTool(check));
    expect({ scenario, failed }).toEqual({ scenario, failed: [] });
    expect(run.checks.some((check) => check.status === 'SUCCESS')).toBe(true);
  });
});
