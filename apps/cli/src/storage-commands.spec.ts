/** `history`, `show`, `stats`, `cleanup` and `cost`, run as the built binary against the fake OpenAI server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, imageFilesUnder, waitUntil, type CliHarness } from './test-support/cli-harness';

describe('imagegen storage commands', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;
  const ids: string[] = [];
  const storageFolder = () => cli.env['STORAGE__BASE_PATH'] ?? '';

  beforeAll(async () => {
    const { createFakeOpenAIServer } = await import('@imagegen/testing');
    fake = await createFakeOpenAIServer();
    cli = createCliHarness(fake.url);
    for (const prompt of ['a quiet harbour', 'a busy market']) {
      // Ids carry the second they were saved in, and history orders by id: the two images must not share a second.
      if (ids.length > 0) await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
      const result = await cli.run([
        '--json',
        'generate',
        prompt,
        '-q',
        'low',
        '-s',
        '1024x1024',
        '--template',
        'creative-image-prompt',
        '--arg',
        `subject=${prompt}`,
      ]);
      ids.unshift(cli.json<{ images: Array<{ image_id: string }> }>(result).images[0]?.image_id ?? '');
    }
  });
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('lists history newest first, for a person and as JSON', async () => {
    const human = await cli.run(['history']);
    expect(human.status).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toContain(ids[0]);
    expect(lines[1]).toContain(ids[1]);
    expect(human.stdout).toContain('2 of 2 image(s)');
    const json = cli.json<{ images: Array<{ imageId: string }>; totalCount: number; nextCursor?: string }>(
      await cli.run(['--json', 'history', '--limit', '1']),
    );
    expect(json.images.map((image) => image.imageId)).toEqual([ids[0]]);
    expect(json.totalCount).toBe(2);
    const next = cli.json<{ images: Array<{ imageId: string }> }>(
      await cli.run(['--json', 'history', '--limit', '1', '--cursor', json.nextCursor ?? '']),
    );
    expect(next.images.map((image) => image.imageId)).toEqual([ids[1]]);
  });

  it("shows an image's metadata, including the template it came from", async () => {
    const human = await cli.run(['show', ids[0] ?? '']);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('model:       gpt-image-2');
    expect(human.stdout).toContain('labels:      template=creative-image-prompt');
    expect(human.stdout).toContain('a busy market');
    const json = cli.json<{ imageId: string; filePath: string; metadata: { file_info: { dimensions: string } } }>(
      await cli.run(['--json', 'show', `generated-images://${ids[0]}`]),
    );
    expect(json.imageId).toBe(ids[0]);
    expect(json.metadata.file_info.dimensions).toBe('1024x1024');
    expect(fs.existsSync(json.filePath)).toBe(true);
  });

  it('exits 6 for an unknown image id and 7 for a malformed one', async () => {
    const missing = await cli.run(['--json', 'show', 'img_20200101000000_0123456789ab']);
    expect(missing.status).toBe(6);
    expect(cli.json<{ error: { code: string } }>(missing).error.code).toBe('not_found');
    expect((await cli.run(['show', 'not-an-id'])).status).toBe(7);
  });

  (process.platform === 'linux' ? it : it.skip)('opens the image with xdg-open for show --open', async () => {
    const bin = path.join(cli.storage, 'bin');
    const record = path.join(cli.storage, 'opened.txt');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > "${record}.tmp" && mv "${record}.tmp" "${record}"\n`, {
      mode: 0o755,
    });
    const result = await cli.run(['show', ids[0] ?? '', '--open'], { env: { PATH: `${bin}${path.delimiter}${cli.env['PATH']}` } });
    expect(result.status).toBe(0);
    await waitUntil(() => fs.existsSync(record));
    const shown = cli.json<{ filePath: string }>(await cli.run(['--json', 'show', ids[0] ?? '']));
    expect(fs.readFileSync(record, 'utf8')).toBe(shown.filePath);
  });

  it('exits 6 and says where the file is when no viewer is installed', async () => {
    const emptyBin = path.join(cli.storage, 'empty-bin');
    fs.mkdirSync(emptyBin, { recursive: true });
    const result = await cli.run(['show', ids[0] ?? '', '--open'], { env: { PATH: emptyBin } });
    expect(result.status).toBe(6);
    expect(result.stderr).toContain('is not installed');
  });

  it('reports storage totals', async () => {
    const human = await cli.run(['stats']);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('2 image(s)');
    const json = cli.json<{ imageCount: number; byFormat: { png: { count: number } }; basePath: string }>(
      await cli.run(['--json', 'stats']),
    );
    expect(json).toMatchObject({ imageCount: 2, byFormat: { png: { count: 2 } }, basePath: storageFolder() });
  });

  it('shows spend per day and month against the budgets', async () => {
    const human = await cli.run(['cost'], { env: { COST__DAILY_BUDGET_USD: '5' } });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/of \$5\.0000 daily budget/);
    expect(human.stdout).toContain('no monthly budget');
    expect(human.stdout).toContain('2 call(s)');
    const json = cli.json<{
      todayUsd: number;
      daily: { capUsd: number; remainingUsd: number; reached: boolean };
      byDay: Array<{ calls: number; images: number }>;
    }>(await cli.run(['--json', 'cost'], { env: { COST__DAILY_BUDGET_USD: '5' } }));
    expect(json.todayUsd).toBeGreaterThan(0);
    expect(json.daily).toMatchObject({ capUsd: 5, reached: false });
    expect(json.daily.remainingUsd).toBeCloseTo(5 - json.todayUsd, 6);
    expect(json.byDay[0]).toMatchObject({ calls: 2, images: 2 });
    const reached = cli.json<{ daily: { reached: boolean } }>(
      await cli.run(['--json', 'cost'], { env: { COST__DAILY_BUDGET_USD: '0.0001' } }),
    );
    expect(reached.daily.reached).toBe(true);
  });

  it('cleanup --dry-run reports what would go and removes nothing; cleanup removes it', async () => {
    const tiny = { STORAGE__MAX_SIZE_GB: '0.000000001' };
    const before = imageFilesUnder(storageFolder());
    const dry = await cli.run(['cleanup', '--dry-run'], { env: tiny });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('Would remove 2 image(s)');
    expect(dry.stdout).toContain('over the size cap');
    expect(imageFilesUnder(storageFolder())).toEqual(before);

    const json = cli.json<{ dryRun: boolean; removedImages: Array<{ imageId: string; reason: string }> }>(
      await cli.run(['--json', 'cleanup'], { env: tiny }),
    );
    expect(json.dryRun).toBe(false);
    expect(json.removedImages.map((image) => image.imageId).sort()).toEqual([...ids].sort());
    expect(imageFilesUnder(storageFolder())).toEqual([]);
    expect((await cli.run(['history'])).stdout).toContain('No images stored yet.');
  });
});
