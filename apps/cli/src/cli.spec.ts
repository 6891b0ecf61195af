/** Runs the built `imagegen` binary as a person or a CI pipeline would, against the fake OpenAI server. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '@imagegen/testing';

const binary = path.join(__dirname, '..', 'dist', 'main.js');

describe('imagegen CLI', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  // Asynchronous on purpose: the fake server lives in this process and must keep answering while the CLI runs.
  const run = (args: string[], extraEnvironment: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [binary, ...args], {
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: storage,
          STORAGE__BASE_PATH: storage,
          OPENAI_API_KEY: 'sk-cli-test',
          PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
          ...extraEnvironment,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  beforeAll(async () => {
    const { createFakeOpenAIServer } = await import('@imagegen/testing');
    fake = await createFakeOpenAIServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-cli-'));
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('prints help with examples and exits 0', async () => {
    const result = await run(['generate', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Examples:');
  });

  it.each([
    ['generate'],
    ['edit'],
    ['models'],
    ['models', 'show'],
    ['history'],
    ['show'],
    ['stats'],
    ['cleanup'],
    ['templates'],
    ['templates', 'show'],
    ['templates', 'render'],
    ['config'],
    ['config', 'show'],
    ['config', 'check'],
    ['cost'],
    ['doctor'],
    ['serve'],
  ])('has --help with examples for %s %s', async (...command: string[]) => {
    const result = await run([...command.filter(Boolean), '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n {2}\$ imagegen /);
  });

  it('documents the exit codes in the top-level help', async () => {
    const result = await run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]* 3 {2}the provider's safety system refused[\s\S]*130 {2}cancelled/);
  });

  it('exits 2 on a usage error', async () => {
    expect((await run(['generate'])).status).toBe(2);
  });

  it('generates an image and reports it as JSON on stdout', async () => {
    const result = await run(['--json', 'generate', 'a teapot', '--size', '1024x1024', '--quality', 'low']);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as { images: Array<{ image_id: string; file_path: string }> };
    expect(fs.existsSync(summary.images[0]?.file_path ?? '')).toBe(true);
    const history = JSON.parse((await run(['--json', 'history'])).stdout) as { images: Array<{ imageId: string }> };
    expect(history.images[0]?.imageId).toBe(summary.images[0]?.image_id);
  });

  it('shows the configuration with the key masked', async () => {
    const result = await run(['config', 'show'], { OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz123456' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('PROVIDERS__OPENAI__API_KEY');
    expect(result.stdout).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('exits 78 with the setting named when the configuration is invalid', async () => {
    const result = await run(['config', 'check'], { STORAGE__RETENTION_DAYS: 'soon' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('STORAGE__RETENTION_DAYS');
  });

  it('exits 7 for a retired model and names the replacement', async () => {
    const result = await run(['generate', 'x', '--model', 'dall-e-3']);
    expect(result.status).toBe(7);
    expect(result.stderr).toContain('gpt-image-2');
  });

  it('lists models with their status', async () => {
    const result = await run(['models']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\* gpt-image-2/);
    expect(result.stdout).toContain('retired');
  });
});
