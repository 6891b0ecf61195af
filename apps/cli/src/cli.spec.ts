/** Runs the built `imagegen` binary as a person or a CI pipeline would, against the fake OpenAI server. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';

const binary = path.join(__dirname, '..', 'dist', 'main.js');

describe('imagegen CLI', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  const run = (args: string[], extraEnvironment: Record<string, string> = {}) =>
    spawnSync(process.execPath, [binary, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: storage,
        STORAGE__BASE_PATH: storage,
        OPENAI_API_KEY: 'sk-cli-test',
        PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
        ...extraEnvironment,
      },
    });

  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-cli-'));
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('prints help with examples and exits 0', () => {
    const result = run(['generate', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Examples:');
  });

  it('exits 2 on a usage error', () => {
    expect(run(['generate']).status).toBe(2);
  });

  it('generates an image and reports it as JSON on stdout', () => {
    const result = run(['--json', 'generate', 'a teapot', '--size', '1024x1024', '--quality', 'low']);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as { images: Array<{ image_id: string; file_path: string }> };
    expect(fs.existsSync(summary.images[0]?.file_path ?? '')).toBe(true);
    const history = JSON.parse(run(['--json', 'history']).stdout) as { images: Array<{ imageId: string }> };
    expect(history.images[0]?.imageId).toBe(summary.images[0]?.image_id);
  });

  it('shows the configuration with the key masked', () => {
    const result = run(['config', 'show'], { OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz123456' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('PROVIDERS__OPENAI__API_KEY');
    expect(result.stdout).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('exits 78 with the setting named when the configuration is invalid', () => {
    const result = run(['config', 'check'], { STORAGE__RETENTION_DAYS: 'soon' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('STORAGE__RETENTION_DAYS');
  });

  it('exits 7 for a retired model and names the replacement', () => {
    const result = run(['generate', 'x', '--model', 'dall-e-3']);
    expect(result.status).toBe(7);
    expect(result.stderr).toContain('gpt-image-2');
  });

  it('lists models with their status', () => {
    const result = run(['models']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\* gpt-image-2/);
    expect(result.stdout).toContain('retired');
  });
});
