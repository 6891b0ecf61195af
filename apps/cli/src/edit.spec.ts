/** `imagegen edit`, run as the built binary against the fake OpenAI server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, type CliHarness } from './test-support/cli-harness';

interface EditJson {
  images: Array<{ image_id: string; file_path: string; out_path?: string; width: number; height: number; format: string }>;
}

describe('imagegen edit', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;
  let photo: string;
  let mask: string;
  const cheap = ['-q', 'low', '-s', '1024x1024'];
  const lastEdit = () => fake.requests.filter((request) => request.path === '/v1/images/edits').at(-1);

  beforeAll(async () => {
    const { createFakeOpenAIServer, createTestImage, createTestMask } = await import('@imagegen/testing');
    fake = await createFakeOpenAIServer();
    cli = createCliHarness(fake.url);
    photo = path.join(cli.storage, 'photo.png');
    mask = path.join(cli.storage, 'mask.png');
    fs.writeFileSync(photo, await createTestImage({ width: 1024, height: 1024, format: 'png', seed: 3 }));
    fs.writeFileSync(
      mask,
      await createTestMask({ width: 1024, height: 1024, editRegion: { left: 256, top: 256, width: 512, height: 512 } }),
    );
  });
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('edits a file with a mask and copies the result with --out', async () => {
    const out = path.join(cli.storage, 'edited.png');
    const result = await cli.run(['--json', 'edit', 'photo.png', 'add a red scarf', ...cheap, '--mask', mask, '--out', out]);
    expect(result.status).toBe(0);
    const image = cli.json<EditJson>(result).images[0];
    expect(image).toMatchObject({ width: 1024, height: 1024, format: 'png', out_path: out });
    expect(fs.existsSync(out)).toBe(true);
    expect(lastEdit()?.files?.map((file) => file.field)).toEqual(expect.arrayContaining(['mask']));
    expect(lastEdit()?.body).toMatchObject({ prompt: 'add a red scarf', quality: 'low' });
  });

  it('edits a stored image by id, for a person', async () => {
    const first = cli.json<EditJson>(await cli.run(['--json', 'edit', photo, 'make it night', ...cheap]));
    const storedId = first.images[0]?.image_id ?? '';
    const result = await cli.run(['edit', storedId, 'add stars', ...cheap]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^img_\d{14}_[0-9a-f]{12} {2}1024x1024 png/);
    expect(result.stderr).toContain('Edited 1 image(s)');
    const show = cli.json<{ metadata: { source_image_ids: string[] } }>(
      await cli.run(['--json', 'show', result.stdout.split(' ')[0] ?? '']),
    );
    expect(show.metadata.source_image_ids).toEqual([storedId]);
  });

  it('reads the image from standard input with -', async () => {
    const result = await cli.run(['--json', 'edit', '-', 'turn it into a watercolour', ...cheap, '-f', 'jpeg'], {
      stdin: fs.readFileSync(photo),
    });
    expect(result.status).toBe(0);
    expect(cli.json<EditJson>(result).images[0]?.format).toBe('jpeg');
    expect(lastEdit()?.files?.[0]?.contentType).toBe('image/png');
  });

  it('exits 7 when standard input is not an image', async () => {
    const result = await cli.run(['edit', '-', 'x', ...cheap], { stdin: 'not an image at all' });
    expect(result.status).toBe(7);
  });

  it('exits 6 for a file that does not exist and for an unknown stored id', async () => {
    const missingFile = await cli.run(['edit', 'nowhere.png', 'x']);
    expect(missingFile.status).toBe(6);
    expect(missingFile.stderr).toContain('nowhere.png');
    const missingId = await cli.run(['--json', 'edit', 'img_20200101000000_0123456789ab', 'x']);
    expect(missingId.status).toBe(6);
    expect(cli.json<{ error: { code: string } }>(missingId).error.code).toBe('not_found');
  });

  it('exits 2 when the image or prompt is missing', async () => {
    expect((await cli.run(['edit', photo])).status).toBe(2);
  });

  it('exits 3 when the safety system refuses the edit', async () => {
    fake.injectFault({ kind: 'moderation_blocked' });
    expect((await cli.run(['edit', photo, 'x', ...cheap])).status).toBe(3);
  });
});
