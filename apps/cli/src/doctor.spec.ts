/** `imagegen doctor`, run as the built binary against the fake OpenAI server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, imageFilesUnder, type CliHarness } from './test-support/cli-harness';

interface DoctorJson {
  ok: boolean;
  offline: boolean;
  checks: Array<{ name: string; status: string; message: string; code?: string; details?: Record<string, unknown> }>;
}

describe('imagegen doctor', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;

  beforeAll(async () => {
    const { createFakeOpenAIServer } = await import('@imagegen/testing');
    fake = await createFakeOpenAIServer();
    cli = createCliHarness(fake.url);
  });
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('passes every check against a working provider', async () => {
    const result = await cli.run(['doctor']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/✔ configuration/);
    expect(result.stdout).toMatch(/✔ storage +.* is writable/);
    expect(result.stdout).toMatch(/✔ cache +in memory/);
    expect(result.stdout).toMatch(/✔ provider openai +the key works/);
    expect(result.stdout).toContain('All checks passed.');
    expect(fake.requests.some((request) => request.path === '/v1/models')).toBe(true);
  });

  it('exits 9 when the provider rejects the key, and reports it as JSON', async () => {
    const result = await cli.run(['--json', 'doctor'], { env: { PROVIDERS__OPENAI__API_KEY: 'rejected-key' } });
    expect(result.status).toBe(9);
    const report = cli.json<DoctorJson>(result);
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === 'provider openai')).toMatchObject({
      status: 'fail',
      code: 'authentication_failed',
    });
    expect(report.checks.find((check) => check.name === 'storage')?.status).toBe('ok');
  });

  it('exits 78 without a provider key and points at --offline', async () => {
    const result = await cli.run(['doctor'], { env: { PROVIDERS__OPENAI__API_KEY: '' } });
    expect(result.status).toBe(78);
    expect(result.stdout).toMatch(/✖ providers +no provider is configured/);
    expect(result.stdout).toContain('doctor --offline');
  });

  it('exits 4 when the provider cannot be reached', async () => {
    const result = await cli.run(['doctor'], { env: { PROVIDERS__OPENAI__BASE_URL: 'http://127.0.0.1:9/v1' } });
    expect(result.status).toBe(4);
  });

  it('exits 78 for an invalid configuration, and 8 when storage cannot be written', async () => {
    const invalid = cli.json<DoctorJson>(await cli.run(['--json', 'doctor'], { env: { CACHE__TTL_HOURS: 'never' } }));
    expect(invalid.checks[0]).toMatchObject({ name: 'configuration', status: 'fail', code: 'invalid_config' });
    expect((await cli.run(['doctor'], { env: { CACHE__TTL_HOURS: 'never' } })).status).toBe(78);

    const blocker = path.join(cli.storage, 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const storage = await cli.run(['doctor'], { env: { STORAGE__BASE_PATH: path.join(blocker, 'images') } });
    expect(storage.status).toBe(8);
    expect(storage.stdout).toMatch(/✖ storage +.*not writable/);
  });

  it('checks that the Redis cache answers (the real one on 127.0.0.1:6379), without printing its password', async () => {
    const ok = await cli.run(['doctor', '--offline'], { env: { CACHE__BACKEND: 'redis', CACHE__REDIS_URL: 'redis://127.0.0.1:6379/0' } });
    expect(ok.stdout).toMatch(/✔ cache +Redis answered PONG/);
    const unreachable = await cli.run(['doctor', '--offline'], {
      env: { CACHE__BACKEND: 'redis', CACHE__REDIS_URL: 'redis://:s3cretpw@127.0.0.1:1/0' },
    });
    expect(unreachable.status).toBe(4);
    expect(unreachable.stdout).toMatch(/✖ cache +.*does not answer/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain('s3cretpw');
  });

  it('--offline proves a full generation works without a key, says the image is synthetic, and leaves storage alone', async () => {
    const requestsBefore = fake.requests.length;
    const imagesBefore = imageFilesUnder(cli.env['STORAGE__BASE_PATH'] ?? '');
    const human = await cli.run(['doctor', '--offline'], { env: { PROVIDERS__OPENAI__API_KEY: '' } });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/✔ offline generation +generated and stored a 1024x1024 png/);
    expect(human.stdout).toContain('SYNTHETIC');
    expect(human.stdout).toMatch(/- providers +offline: no vendor was contacted/);
    expect(fake.requests.length).toBe(requestsBefore);
    expect(imageFilesUnder(cli.env['STORAGE__BASE_PATH'] ?? '')).toEqual(imagesBefore);

    const json = cli.json<DoctorJson>(await cli.run(['--json', 'doctor', '--offline'], { env: { PROVIDERS__OPENAI__API_KEY: '' } }));
    expect(json).toMatchObject({ ok: true, offline: true });
    expect(json.checks.find((check) => check.name === 'offline generation')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('SYNTHETIC'),
      details: { synthetic: true, width: 1024, height: 1024, format: 'png', providerRequests: 1 },
    });
  });
});
