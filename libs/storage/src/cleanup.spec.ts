import * as fs from 'node:fs';
import * as path from 'node:path';
import { fakePng, listFiles, openTestStore, removeTemporaryFolders, sampleInput } from './test-support/fixtures';

afterEach(removeTemporaryFolders);

const day = 24 * 60 * 60 * 1000;

/** Ten images, one per day from Nov 1st to Nov 10th, 1000 bytes each; the clock ends on Nov 11th at noon. */
async function storeWithTenDays() {
  const context = await openTestStore({ start: '2026-11-01T12:00:00Z' });
  const ids: string[] = [];
  for (let index = 0; index < 10; index += 1) {
    context.clock.set(new Date(Date.UTC(2026, 10, 1 + index, 12)));
    ids.push((await context.store.save(sampleInput({ bytes: fakePng(index, 1000) }))).imageId);
  }
  context.clock.set(new Date('2026-11-11T12:00:00Z'));
  const sidecarBytes = (await context.store.stats()).totalBytes / 10 - 1000;
  return { ...context, ids, sidecarBytes };
}

const ids = (report: { removedImages: Array<{ imageId: string }> }) => report.removedImages.map((image) => image.imageId);

describe('cleanup', () => {
  it('removes images older than the retention period and records the run', async () => {
    const { store, ids: saved, basePath, clock } = await storeWithTenDays();
    const report = await store.cleanup({ retentionDays: 7 });
    expect(ids(report)).toEqual(saved.slice(0, 3));
    expect(report.removedImages.every((image) => image.reason === 'expired')).toBe(true);
    expect(report.remainingImages).toBe(7);
    expect((await store.history({ limit: 100 })).images.map((image) => image.imageId)).toEqual(saved.slice(3).reverse());
    expect(listFiles(path.join(basePath, 'images')).filter((file) => file.startsWith('2026/11/0') && file < '2026/11/04')).toEqual([]);
    expect(fs.existsSync(path.join(basePath, 'images', '2026', '11', '01'))).toBe(false);

    const stats = await store.stats();
    expect(stats.imageCount).toBe(7);
    expect(stats.lastCleanup).toEqual({
      at: clock.now().toISOString(),
      removedImages: 3,
      removedFiles: 6,
      removedBytes: report.removedBytes,
    });
    await store.close();
    const reopened = (await openTestStore({ basePath, clock })).store;
    expect((await reopened.stats()).lastCleanup).toEqual(stats.lastCleanup);
    expect((await reopened.stats()).imageCount).toBe(7);
  });

  it('keeps everything with retentionDays 0 and no size cap', async () => {
    const { store } = await storeWithTenDays();
    const report = await store.cleanup({ retentionDays: 0 });
    expect(report.removedImages).toEqual([]);
    expect((await store.stats()).imageCount).toBe(10);
  });

  it('then removes the oldest images until the folder fits maxSizeBytes', async () => {
    const { store, ids: saved, sidecarBytes } = await storeWithTenDays();
    const perImage = 1000 + sidecarBytes;
    const report = await store.cleanup({ retentionDays: 9, maxSizeBytes: perImage * 5 + 10 });
    expect(report.removedImages.map((image) => [image.imageId, image.reason])).toEqual([
      [saved[0], 'expired'],
      [saved[1], 'over_size'],
      [saved[2], 'over_size'],
      [saved[3], 'over_size'],
      [saved[4], 'over_size'],
    ]);
    expect(report.remainingBytes).toBe(perImage * 5);
    expect((await store.stats()).totalBytes).toBe(perImage * 5);
  });

  it('reports exactly what would go in a dry run and deletes nothing', async () => {
    const { store, basePath } = await storeWithTenDays();
    fs.writeFileSync(path.join(basePath, 'images', '2026', '11', '05', 'img_20261105000000_ffffffffffff.json'), '{}');
    const filesBefore = listFiles(basePath);
    const indexBefore = fs.readFileSync(path.join(basePath, 'images.index.tsv'), 'utf8');
    const dryRun = await store.cleanup({ dryRun: true, retentionDays: 5, maxSizeBytes: 4000 });
    expect(dryRun.dryRun).toBe(true);
    expect(listFiles(basePath)).toEqual(filesBefore);
    expect(fs.readFileSync(path.join(basePath, 'images.index.tsv'), 'utf8')).toBe(indexBefore);
    expect((await store.stats()).lastCleanup).toBeNull();

    const real = await store.cleanup({ retentionDays: 5, maxSizeBytes: 4000 });
    expect({ ...real, dryRun: true }).toEqual(dryRun);
  });

  it('removes orphaned sidecars and images, and temporary files older than an hour', async () => {
    const { store, basePath, clock, ids: saved } = await storeWithTenDays();
    const folder = path.join(basePath, 'images', '2026', '11', '05');
    fs.writeFileSync(path.join(folder, 'img_20261105010000_111111111111.json'), '{}');
    fs.writeFileSync(path.join(folder, 'img_20261105010000_222222222222.webp'), 'webp!');
    fs.writeFileSync(path.join(folder, '.tmp-img_20261105010000_333333333333.png.abcd'), 'old');
    fs.writeFileSync(path.join(folder, '.tmp-img_20261111115900_444444444444.png.abcd'), 'new');
    fs.writeFileSync(path.join(basePath, '.tmp-images.state.json.beef'), 'old');
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not ours');
    const twoHoursAgo = new Date(clock.now().getTime() - 2 * 60 * 60 * 1000);
    const tenMinutesAgo = new Date(clock.now().getTime() - 10 * 60 * 1000);
    fs.utimesSync(path.join(folder, '.tmp-img_20261105010000_333333333333.png.abcd'), twoHoursAgo, twoHoursAgo);
    fs.utimesSync(path.join(basePath, '.tmp-images.state.json.beef'), twoHoursAgo, twoHoursAgo);
    fs.utimesSync(path.join(folder, '.tmp-img_20261111115900_444444444444.png.abcd'), tenMinutesAgo, tenMinutesAgo);
    fs.rmSync(path.join(basePath, 'images', '2026', '11', '06', `${saved[5]}.png`));

    const report = await store.cleanup({});
    expect(report.removedImages).toEqual([]);
    expect(report.removedFiles.map((file) => [file.path, file.reason]).sort()).toEqual(
      [
        ['images/2026/11/05/img_20261105010000_111111111111.json', 'orphaned_sidecar'],
        ['images/2026/11/05/img_20261105010000_222222222222.webp', 'orphaned_image'],
        ['images/2026/11/05/.tmp-img_20261105010000_333333333333.png.abcd', 'temporary'],
        [`images/2026/11/06/${saved[5]}.json`, 'orphaned_sidecar'],
        ['.tmp-images.state.json.beef', 'temporary'],
      ].sort(),
    );
    expect(report.removedFiles.find((file) => file.reason === 'orphaned_image')?.bytes).toBe(5);
    expect(fs.readdirSync(folder).sort()).toEqual(
      ['.tmp-img_20261111115900_444444444444.png.abcd', `${saved[4]}.json`, `${saved[4]}.png`, 'notes.txt'].sort(),
    );
    expect(await store.exists(saved[5] as string)).toBe(false);
    expect((await store.stats()).imageCount).toBe(9);
  });

  it('removes an expired image whose sidecar is unreadable, and keeps a recent one', async () => {
    const { store, basePath } = await storeWithTenDays();
    const folder = path.join(basePath, 'images', '2026', '11', '02');
    fs.writeFileSync(path.join(folder, 'img_20261102050000_555555555555.png'), 'png');
    fs.writeFileSync(path.join(folder, 'img_20261102050000_555555555555.json'), 'not json');
    const recent = path.join(basePath, 'images', '2026', '11', '10');
    fs.writeFileSync(path.join(recent, 'img_20261110050000_666666666666.png'), 'png');
    fs.writeFileSync(path.join(recent, 'img_20261110050000_666666666666.json'), 'not json');
    const report = await store.cleanup({ retentionDays: 5 });
    expect(
      report.removedFiles
        .filter((file) => file.reason === 'unreadable')
        .map((file) => file.path)
        .sort(),
    ).toEqual(['images/2026/11/02/img_20261102050000_555555555555.json', 'images/2026/11/02/img_20261102050000_555555555555.png']);
    expect(fs.existsSync(path.join(recent, 'img_20261110050000_666666666666.json'))).toBe(true);
  });

  it('rewrites the index compactly after a large removal', async () => {
    const { store, basePath } = await storeWithTenDays();
    await store.cleanup({ retentionDays: 2 });
    const lines = fs.readFileSync(path.join(basePath, 'images.index.tsv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 2);
    expect(lines.some((line) => line.includes('"del"'))).toBe(false);
  });

  it('refuses nonsense settings', async () => {
    const { store } = await openTestStore();
    await expect(store.cleanup({ retentionDays: -1 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.cleanup({ maxSizeBytes: 1.5 })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('measures age with the store clock', async () => {
    const { store, clock } = await storeWithTenDays();
    clock.advance(100 * day);
    expect((await store.cleanup({ retentionDays: 30 })).removedImages).toHaveLength(10);
    expect((await store.stats()).oldest).toBeNull();
  });
});
