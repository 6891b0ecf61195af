/** `imagegen generate`, run as the built binary against the fake OpenAI server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, filesUnder, imageFilesUnder, waitUntil, type CliHarness } from './test-support/cli-harness';

interface GenerateJson {
  model: string;
  from_cache: boolean;
  actual_cost_usd: number | null;
  prompt: string;
  parameters: Record<string, unknown>;
  warnings: string[];
  template?: string;
  images: Array<{ image_id: string; file_path: string; out_path?: string; width: number; height: number; format: string; bytes: number }>;
}

describe('imagegen generate', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;
  const cheap = ['-q', 'low', '-s', '1024x1024'];
  const generationRequests = () => fake.requests.filter((request) => request.path === '/v1/images/generations');

  beforeAll(async () => {
    const { createFakeOpenAIServer } = await import('@imagegen/testing');
    fake = await createFakeOpenAIServer();
    cli = createCliHarness(fake.url);
  });
  afterEach(() => fake.clearFaults());
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('prints the stored image, its path and cost for a person, with progress on stderr', async () => {
    const result = await cli.run(['generate', 'a red teapot', ...cheap]);
    expect(result.status).toBe(0);
    const [line] = result.stdout.split('\n');
    expect(line).toMatch(/^img_\d{14}_[0-9a-f]{12} {2}1024x1024 png/);
    expect(result.stdout).toMatch(/cost: \$\d+\.\d{4}/);
    const filePath = line?.split('  ').pop() ?? '';
    expect(fs.existsSync(filePath)).toBe(true);
    expect(result.stderr).toContain('Asking gpt-image-2 for 1 image(s).');
    expect(result.stderr).toContain('Generated 1 image(s) with gpt-image-2');
  });

  it('sends every generation option to the provider and reports the request as JSON', async () => {
    const result = await cli.run([
      '--json',
      'generate',
      'a lighthouse',
      '-m',
      'gpt-image-2',
      '-s',
      '1536x1024',
      '-q',
      'medium',
      '--background',
      'opaque',
      '-f',
      'webp',
      '--compression',
      '80',
      '--moderation',
      'low',
      '--style',
      'vivid',
      '--fresh',
    ]);
    expect(result.status).toBe(0);
    const summary = cli.json<GenerateJson>(result);
    expect(summary.images[0]).toMatchObject({ width: 1536, height: 1024, format: 'webp' });
    expect(summary.parameters).toMatchObject({
      size: '1536x1024',
      quality: 'medium',
      background: 'opaque',
      output_format: 'webp',
      compression: 80,
      moderation: 'low',
    });
    // No current model has a style parameter: it is folded into the prompt, with a warning.
    expect(summary.prompt).not.toBe('a lighthouse');
    expect(summary.warnings.join(' ')).toMatch(/style/i);
    const sent = generationRequests().at(-1)?.body ?? {};
    expect(sent).toMatchObject({
      model: 'gpt-image-2',
      size: '1536x1024',
      quality: 'medium',
      background: 'opaque',
      output_format: 'webp',
      output_compression: 80,
      moderation: 'low',
    });
    expect(sent).not.toHaveProperty('style');
    // --json keeps stdout to the one document: no progress lines there or on stderr.
    expect(result.stderr).not.toContain('Asking');
  });

  it('copies the result to --out FILE and keeps the stored copy', async () => {
    const out = path.join(cli.storage, 'exports', 'teapot.png');
    const result = await cli.run(['--json', 'generate', 'a blue teapot', ...cheap, '--out', out]);
    expect(result.status).toBe(0);
    const image = cli.json<GenerateJson>(result).images[0];
    expect(image?.out_path).toBe(out);
    expect(fs.readFileSync(out).equals(fs.readFileSync(image?.file_path ?? ''))).toBe(true);
  });

  it('copies several images into --out DIR under their ids, and numbers them for --out FILE', async () => {
    const folder = path.join(cli.storage, 'many') + path.sep;
    const intoFolder = cli.json<GenerateJson>(await cli.run(['--json', 'generate', 'two cats', ...cheap, '-n', '2', '--out', folder]));
    expect(intoFolder.images).toHaveLength(2);
    expect(fs.readdirSync(folder).sort()).toEqual(intoFolder.images.map((image) => `${image.image_id}.png`).sort());

    const named = await cli.run(['generate', 'two dogs', ...cheap, '-n', '2', '--out', path.join(cli.storage, 'dogs.png')]);
    expect(named.status).toBe(0);
    expect(fs.existsSync(path.join(cli.storage, 'dogs-1.png')) && fs.existsSync(path.join(cli.storage, 'dogs-2.png'))).toBe(true);
    expect(named.stdout).toContain(`copied to ${path.join(cli.storage, 'dogs-2.png')}`);
  });

  it('renders a prompt template and uses its recommended size unless --size is given', async () => {
    const result = await cli.run(['--json', 'generate', '--template', 'og-image-prompt', '--arg', 'title=Launch day', '-q', 'low']);
    expect(result.status).toBe(0);
    const summary = cli.json<GenerateJson>(result);
    expect(summary.template).toBe('og-image-prompt');
    expect(summary.prompt).toContain('Launch day');
    expect(summary.images[0]).toMatchObject({ width: 1200, height: 630 });

    const sized = cli.json<GenerateJson>(
      await cli.run([
        '--json',
        'generate',
        '--template',
        'og-image-prompt',
        '--arg',
        'title=Launch day',
        '-q',
        'low',
        '--size',
        '1024x1024',
      ]),
    );
    expect(sized.images[0]).toMatchObject({ width: 1024, height: 1024 });
  });

  it('keeps the default size for a template when TEMPLATES__AUTO_SIZE_OPTIMIZATION is false', async () => {
    const result = await cli.run(['--json', 'generate', '--template', 'og-image-prompt', '--arg', 'title=Launch day', '-q', 'low'], {
      env: { TEMPLATES__AUTO_SIZE_OPTIMIZATION: 'false', IMAGES__DEFAULT_SIZE: '1024x1024' },
    });
    expect(result.status).toBe(0);
    expect(cli.json<GenerateJson>(result).images[0]).toMatchObject({ width: 1024, height: 1024 });
  });

  it('exits 7 naming the argument when a template argument is missing, and 2 for --arg without a template', async () => {
    const missing = await cli.run(['generate', '--template', 'og-image-prompt', ...cheap]);
    expect(missing.status).toBe(7);
    expect(missing.stderr).toContain('title');
    expect((await cli.run(['generate', 'x', '--arg', 'title=y'])).status).toBe(2);
  });

  it('notes partial images as they arrive', async () => {
    const result = await cli.run(['generate', 'a fox', ...cheap, '--partial-images', '2']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('partial image 1 of image 1 received');
    expect(result.stderr).toContain('partial image 2 of image 1 received');
    expect(generationRequests().at(-1)?.body).toMatchObject({ stream: true, partial_images: 2 });
  });

  it('exits 3 when the safety system refuses, with the error as JSON on stdout', async () => {
    fake.injectFault({ kind: 'moderation_blocked' });
    const result = await cli.run(['--json', 'generate', 'something refused', ...cheap]);
    expect(result.status).toBe(3);
    expect(cli.json<{ error: { code: string } }>(result).error.code).toBe('content_blocked');
    expect(result.stderr).toMatch(/safety/i);
  });

  it('exits 3 with a readable message for a person too', async () => {
    fake.injectFault({ kind: 'moderation_blocked' });
    const result = await cli.run(['generate', 'something refused', ...cheap]);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^imagegen: .*safety/im);
  });

  it('exits 4 when the provider is unavailable', async () => {
    fake.injectFault({ kind: 'server_error', status: 503, times: 5 });
    const result = await cli.run(['generate', 'a storm', ...cheap]);
    expect(result.status).toBe(4);
  });

  it('exits 7 for a retired model in both modes', async () => {
    const human = await cli.run(['generate', 'x', '--model', 'dall-e-3']);
    expect(human.status).toBe(7);
    expect(human.stderr).toContain('gpt-image-2');
    const json = await cli.run(['--json', 'generate', 'x', '--model', 'dall-e-3']);
    expect(json.status).toBe(7);
    expect(cli.json<{ error: { code: string; details: { replacement: string } } }>(json).error).toMatchObject({
      code: 'model_retired',
      details: { replacement: 'gpt-image-2' },
    });
  });

  it('exits 5 once the daily budget is reached, without calling the provider', async () => {
    const before = generationRequests().length;
    const result = await cli.run(['generate', 'one more', ...cheap], { env: { COST__DAILY_BUDGET_USD: '0.000001' } });
    expect(result.status).toBe(5);
    expect(result.stderr).toContain('COST__DAILY_BUDGET_USD');
    expect(generationRequests().length).toBe(before);
    const json = await cli.run(['--json', 'generate', 'one more', ...cheap], { env: { COST__DAILY_BUDGET_USD: '0.000001' } });
    expect(cli.json<{ error: { code: string } }>(json).error.code).toBe('budget_exceeded');
  });

  it('exits 2 for usage errors, with a JSON error document under --json', async () => {
    expect((await cli.run(['generate', 'x', '-n', '11'])).status).toBe(2);
    expect((await cli.run(['generate', 'x', '--format', 'tiff'])).status).toBe(2);
    const json = await cli.run(['--json', 'generate']);
    expect(json.status).toBe(2);
    expect(cli.json<{ error: { code: string } }>(json).error.code).toBe('usage');
  });

  it('with IMAGES__CONTINUE_ON_CANCEL=false, cancels the upstream call on Ctrl-C, exits 130 and leaves no partial file', async () => {
    const imagesBefore = imageFilesUnder(cli.env['STORAGE__BASE_PATH'] ?? '');
    const out = path.join(cli.storage, 'cancelled');
    fake.injectFault({ kind: 'delay', delayMs: 60_000 });
    const requestsBefore = generationRequests().length;
    const { child, done } = cli.start(['generate', 'a very slow painting', ...cheap, '--out', `${out}${path.sep}`], {
      env: { IMAGES__CONTINUE_ON_CANCEL: 'false' },
    });
    await waitUntil(() => generationRequests().length > requestsBefore, child);
    child.kill('SIGINT');
    const result = await done;
    expect(result.status).toBe(130);
    expect(result.stderr).toContain('cancelled');
    expect(imageFilesUnder(cli.env['STORAGE__BASE_PATH'] ?? '')).toEqual(imagesBefore);
    expect(filesUnder(cli.env['STORAGE__BASE_PATH'] ?? '').filter((file) => /\.tmp|\.partial/.test(file))).toEqual([]);
    expect(filesUnder(out)).toEqual([]);
    expect((await cli.run(['--json', 'history', '--limit', '1000'])).stdout).not.toContain('a very slow painting');
  });

  it('counts a call a crash interrupted mid-flight in `imagegen --json cost`, and sweeps its temporary files', async () => {
    const before = cli.json<{ calls: number; unknownOutcomeCalls: number }>(await cli.run(['--json', 'cost']));
    fake.injectFault({ kind: 'delay', delayMs: 60_000 });
    const requestsBefore = generationRequests().length;
    const { child, done } = cli.start(['generate', 'a painting the crash interrupts', ...cheap]);
    await waitUntil(() => generationRequests().length > requestsBefore, child);
    child.kill('SIGKILL');
    await done;
    const after = cli.json<{ calls: number; unknownOutcomeCalls: number }>(await cli.run(['--json', 'cost']));
    expect(after.calls).toBe(before.calls + 1);
    expect(after.unknownOutcomeCalls).toBe(before.unknownOutcomeCalls + 1);
    expect(filesUnder(cli.env['STORAGE__BASE_PATH'] ?? '').filter((file) => /\.tmp-/.test(file))).toEqual([]);
  });

  it('does not call the provider when the disk is below STORAGE__MIN_FREE_SPACE_MB, and counts no call', async () => {
    const before = cli.json<{ calls: number }>(await cli.run(['--json', 'cost']));
    const requestsBefore = generationRequests().length;
    const result = await cli.run(['--json', 'generate', 'a painting with no room', ...cheap], {
      env: { STORAGE__MIN_FREE_SPACE_MB: '100000000' },
    });
    expect(cli.json<{ error: { code: string; message: string } }>(result).error).toMatchObject({
      code: 'storage_failed',
      message: expect.stringMatching(/free disk space/),
    });
    expect(generationRequests().length).toBe(requestsBefore);
    expect(cli.json<{ calls: number }>(await cli.run(['--json', 'cost'])).calls).toBe(before.calls);
  });
});
