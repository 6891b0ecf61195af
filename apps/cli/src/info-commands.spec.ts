/** `models`, `templates` and `config`, run as the built binary against the fake OpenAI server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, type CliHarness } from './test-support/cli-harness';

interface ModelRow {
  id: string;
  status: { kind: string };
  isDefault: boolean;
  providerConfigured: boolean;
  availableForKey?: boolean;
  estimatedUsdPerImage: number | null;
}

describe('imagegen models, templates and config', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;

  beforeAll(async () => {
    const { createFakeOpenAIServer } = await import('@imagegen/testing');
    // A key that may use only some models, to see availability per key.
    fake = await createFakeOpenAIServer({ availableModels: ['gpt-image-2', 'gpt-image-1.5'] });
    cli = createCliHarness(fake.url);
  });
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('lists the registry with status, availability and prices', async () => {
    const human = await cli.run(['models']);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^\* gpt-image-2 +openai +active +provider configured +\$\d+\.\d{4}/m);
    expect(human.stdout).toMatch(/gemini-3-pro-image +gemini +active +provider not configured/);
    expect(human.stdout).toMatch(/dall-e-3 +openai +retired .*use gpt-image-2/);

    const rows = cli.json<ModelRow[]>(await cli.run(['--json', 'models', '--check-availability']));
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get('gpt-image-2')).toMatchObject({
      isDefault: true,
      providerConfigured: true,
      availableForKey: true,
      status: { kind: 'active' },
    });
    expect(byId.get('gpt-image-2')?.estimatedUsdPerImage).toBeGreaterThan(0);
    expect(byId.get('gpt-image-2.5-flare')?.availableForKey).toBe(false);
    expect(byId.get('dall-e-3')).toMatchObject({ status: { kind: 'retired' }, estimatedUsdPerImage: null });
    expect(fake.requests.some((request) => request.path === '/v1/models')).toBe(true);
  });

  it('shows one model with its capabilities and a price per size and quality', async () => {
    const human = await cli.run(['models', 'show', 'gpt-image-2']);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('gpt-image-2 — GPT Image 2 (openai)');
    expect(human.stdout).toMatch(/qualities: +low, medium, high/);
    expect(human.stdout).toMatch(/also: +transparent background \(vendor preview\)/);
    expect(human.stdout).toMatch(/1536x1024 +\$\d+\.\d{4} +\$\d+\.\d{4} +\$\d+\.\d{4}/);
    const json = cli.json<{ id: string; priceTable: Array<{ size: string; quality: string; usd: number }> }>(
      await cli.run(['--json', 'models', 'show', 'gpt-image-2-2026-04-21']),
    );
    expect(json.id).toBe('gpt-image-2');
    const low = json.priceTable.find((row) => row.size === '1024x1024' && row.quality === 'low')?.usd ?? 0;
    const high = json.priceTable.find((row) => row.size === '1024x1024' && row.quality === 'high')?.usd ?? 0;
    expect(high).toBeGreaterThan(low);
    expect(low).toBeGreaterThan(0);
  });

  it('exits 6 for a model that does not exist', async () => {
    const result = await cli.run(['--json', 'models', 'show', 'gpt-image-9000']);
    expect(result.status).toBe(6);
    expect(cli.json<{ error: { code: string } }>(result).error.code).toBe('not_found');
  });

  it('lists, shows and renders prompt templates', async () => {
    const list = await cli.run(['templates']);
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split('\n')).toHaveLength(10);
    expect((await cli.run(['templates', 'list'])).stdout).toBe(list.stdout);
    expect(cli.json<Array<{ name: string }>>(await cli.run(['--json', 'templates'])).map((template) => template.name)).toContain(
      'og-image-prompt',
    );

    const show = await cli.run(['templates', 'show', 'og-image-prompt']);
    expect(show.stdout).toMatch(/title +required/);
    expect(show.stdout).toContain('recommended size: 1200x630');

    const rendered = cli.json<{ prompt: string; recommendedSize: string }>(
      await cli.run(['--json', 'templates', 'render', 'og-image-prompt', '--arg', 'title=Launch day', '--arg', 'brand_name=Acme']),
    );
    expect(rendered.prompt).toContain('Launch day');
    expect(rendered.recommendedSize).toBe('1200x630');
    expect(fake.requests.filter((request) => request.path.startsWith('/v1/images'))).toEqual([]);
  });

  it('loads custom templates from TEMPLATES__DIRECTORY', async () => {
    const folder = path.join(cli.storage, 'templates');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(
      path.join(folder, 'sticker.json'),
      JSON.stringify({
        name: 'sticker',
        description: 'A die-cut sticker.',
        template: 'A die-cut sticker of {subject}.',
        arguments: { required: ['subject'] },
        metadata: { recommended_size: '1024x1024' },
      }),
    );
    const result = await cli.run(['templates'], { env: { TEMPLATES__DIRECTORY: folder } });
    expect(result.stdout).toMatch(/sticker +\(custom\)/);
    const rendered = await cli.run(['templates', 'render', 'sticker', '--arg', 'subject=a fox'], { env: { TEMPLATES__DIRECTORY: folder } });
    expect(rendered.stdout).toContain('A die-cut sticker of a fox.');
  });

  it('exits 6 for an unknown template and 7 for a missing argument', async () => {
    expect((await cli.run(['templates', 'show', 'nope'])).status).toBe(6);
    const missing = await cli.run(['templates', 'render', 'og-image-prompt']);
    expect(missing.status).toBe(7);
    expect(missing.stderr).toContain('title');
    expect((await cli.run(['templates', 'render', 'og-image-prompt', '--arg', 'no-equals-sign'])).status).toBe(2);
  });

  it('shows the configuration with the key masked, for a person and as JSON', async () => {
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz123456';
    const human = await cli.run(['config', 'show'], { env: { PROVIDERS__OPENAI__API_KEY: secret } });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/PROVIDERS__OPENAI__API_KEY = .*\[env\]/);
    expect(human.stdout).not.toContain('abcdefghijklmnopqrstuvwxyz');
    const json = await cli.run(['--json', 'config', 'show'], { env: { PROVIDERS__OPENAI__API_KEY: secret } });
    expect(json.stdout).not.toContain('abcdefghijklmnopqrstuvwxyz');
    const rows = cli.json<Array<{ envName: string; value: unknown; source: string }>>(json);
    expect(rows.find((row) => row.envName === 'STORAGE__BASE_PATH')).toMatchObject({ value: cli.env['STORAGE__BASE_PATH'], source: 'env' });
  });

  it('applies --set and --config before the command', async () => {
    const configFile = path.join(cli.storage, 'imagegen.json');
    fs.writeFileSync(configFile, JSON.stringify({ storage: { retention_days: 9 } }));
    const rows = cli.json<Array<{ envName: string; value: unknown }>>(
      await cli.run(['--config', configFile, '--set', 'IMAGES__DEFAULT_QUALITY=low', '--json', 'config', 'show']),
    );
    expect(rows.find((row) => row.envName === 'STORAGE__RETENTION_DAYS')?.value).toBe(9);
    expect(rows.find((row) => row.envName === 'IMAGES__DEFAULT_QUALITY')?.value).toBe('low');
  });

  it('config check validates, exits 78 naming each problem, and warns about unknown names', async () => {
    const valid = await cli.run(['config', 'check']);
    expect(valid.status).toBe(0);
    expect(valid.stdout).toContain('Configuration is valid (default model gpt-image-2)');

    const invalid = await cli.run(['--json', 'config', 'check'], { env: { STORAGE__RETENTION_DAYS: 'soon', SERVER__PORT: '70000' } });
    expect(invalid.status).toBe(78);
    expect(invalid.stderr).toContain('STORAGE__RETENTION_DAYS');
    expect(invalid.stderr).toContain('SERVER__PORT');
    expect(cli.json<{ error: { code: string } }>(invalid).error.code).toBe('invalid_config');

    const retiredDefault = await cli.run(['config', 'check'], { env: { IMAGES__DEFAULT_MODEL: 'dall-e-3' } });
    expect(retiredDefault.status).toBe(78);
    expect(retiredDefault.stderr).toContain('IMAGES__DEFAULT_MODEL');

    const typo = await cli.run(['config', 'check'], { env: { STORAGE__RETENTON_DAYS: '3' } });
    expect(typo.status).toBe(0);
    expect(typo.stderr).toContain('STORAGE__RETENTION_DAYS');
  });

  it('config check --test-keys lists models with the key, and exits 9 when the key is rejected', async () => {
    const works = cli.json<{ keysWork: boolean; providers: Array<{ provider: string; status: string; modelCount: number }> }>(
      await cli.run(['--json', 'config', 'check', '--test-keys']),
    );
    expect(works.keysWork).toBe(true);
    expect(works.providers[0]).toMatchObject({ provider: 'openai', status: 'ok', modelCount: 2 });

    const rejected = await cli.run(['config', 'check', '--test-keys'], { env: { PROVIDERS__OPENAI__API_KEY: 'not-a-key' } });
    expect(rejected.status).toBe(9);
    expect(rejected.stdout).toMatch(/FAIL +openai: .*API key/);

    const none = await cli.run(['--json', 'config', 'check', '--test-keys'], { env: { PROVIDERS__OPENAI__API_KEY: '' } });
    expect(none.status).toBe(78);
  });

  it('config check --test-keys checks a Gemini key too, with the provider the engine would use', async () => {
    const both = cli.json<{ keysWork: boolean; providers: Array<{ provider: string; status: string; modelCount?: number }> }>(
      await cli.run(['--json', 'config', 'check', '--test-keys'], {
        env: { GEMINI_API_KEY: 'AIzaCliGeminiKey0123', PROVIDERS__GEMINI__BASE_URL: fake.url },
      }),
    );
    expect(both.keysWork).toBe(true);
    expect(both.providers.map((check) => [check.provider, check.status])).toEqual([
      ['openai', 'ok'],
      ['gemini', 'ok'],
    ]);
    expect(both.providers[1]?.modelCount).toBeGreaterThan(0);
    const openaiOnly = cli.json<{ providers: Array<{ provider: string; status: string }> }>(
      await cli.run(['--json', 'config', 'check', '--test-keys']),
    );
    expect(openaiOnly.providers[1]).toMatchObject({ provider: 'gemini', status: 'skipped' });
  });

  it('config check --test-keys exits 4 when the provider cannot be reached', async () => {
    const result = await cli.run(['config', 'check', '--test-keys'], { env: { PROVIDERS__OPENAI__BASE_URL: 'http://127.0.0.1:9/v1' } });
    expect(result.status).toBe(4);
  });
});
