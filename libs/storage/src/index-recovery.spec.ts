import * as fs from 'node:fs';
import * as path from 'node:path';
import { createManualClock, createMemoryLogger } from '@imagegen/common';
import { createFileSystemImageStore } from './file-system-image-store';
import { makeTemporaryFolder, openTestStore, removeTemporaryFolders, sampleInput } from './test-support/fixtures';
import { createRecordingFileSystem } from './test-support/recording-file-system';

afterEach(removeTemporaryFolders);

const clock = createManualClock(new Date('2026-11-25T14:30:22Z'));
const reopen = (basePath: string) => {
  const fileSystem = createRecordingFileSystem();
  const logger = createMemoryLogger();
  return createFileSystemImageStore({ basePath, clock, minFreeBytes: 0, fileSystem, logger }).then((store) => ({
    store,
    fileSystem,
    logger,
  }));
};
const historyIds = async (store: { history(query: { limit: number }): Promise<{ images: Array<{ imageId: string }> }> }) =>
  (await store.history({ limit: 1000 })).images.map((image) => image.imageId);

/** Saves through a separate store in a scratch folder and copies the two files in: a writer the store never heard of. */
async function writeBehindItsBack(basePath: string, imageId: string, prompt = 'added behind its back') {
  const scratch = makeTemporaryFolder();
  const writer = await createFileSystemImageStore({ basePath: scratch, clock, minFreeBytes: 0 });
  const saved = await writer.save(sampleInput({ imageId, prompt }));
  await writer.close();
  const target = path.join(basePath, path.relative(scratch, path.dirname(saved.filePath)));
  fs.mkdirSync(target, { recursive: true });
  fs.copyFileSync(saved.filePath, path.join(target, path.basename(saved.filePath)));
  fs.copyFileSync(saved.metadataPath, path.join(target, path.basename(saved.metadataPath)));
  return { imagePath: path.join(target, path.basename(saved.filePath)), folder: target };
}

/** Makes a folder look untouched for a while, so its recorded time is trusted on the next open. */
function age(folder: string) {
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(folder, past, past);
}

async function storeWithThreeImages() {
  const context = await openTestStore({ clock });
  const ids: string[] = [];
  for (const day of ['2026-11-23', '2026-11-24', '2026-11-25']) {
    clock.set(new Date(`${day}T09:00:00Z`));
    ids.push((await context.store.save(sampleInput({ prompt: `made on ${day}` }))).imageId);
  }
  await context.store.close();
  return { ...context, ids };
}

describe('the index across restarts', () => {
  it('is loaded on reopen without reading any sidecar', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    const { store, fileSystem } = await reopen(basePath);
    expect(store.openOutcome).toBe('loaded');
    expect(await historyIds(store)).toEqual([...ids].reverse());
    expect(
      fileSystem.calls.filter((call) => call.method === 'readFile' && call.path.endsWith('.json') && call.path.includes('img_')),
    ).toEqual([]);
  });

  it('lists only the folders that changed since the index was written', async () => {
    const { basePath } = await storeWithThreeImages();
    for (const folder of ['images', 'images/2026', 'images/2026/11', 'images/2026/11/23', 'images/2026/11/24', 'images/2026/11/25']) {
      age(path.join(basePath, folder));
    }
    await (await reopen(basePath)).store.close();
    const { store, fileSystem } = await reopen(basePath);
    expect(store.openOutcome).toBe('loaded');
    expect(fileSystem.calls.filter((call) => call.method === 'readDirectory')).toEqual([]);
  });

  it('is rebuilt from the sidecars when the index file is deleted', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    fs.rmSync(path.join(basePath, 'images.index.tsv'));
    const { store, logger } = await reopen(basePath);
    expect(store.openOutcome).toBe('rebuilt');
    expect(await historyIds(store)).toEqual([...ids].reverse());
    expect(logger.lines.some((line) => line.level === 'warn' && /Rebuilt the image index/.test(line.message))).toBe(true);
    expect((await store.get(ids[0] as string)).metadata.prompt).toBe('made on 2026-11-23');
  });

  it.each([
    ['a line that is not an entry', '{"id": "../../etc/passwd", "t": 1}'],
    ['an entry pointing outside the folder', '+\t\timg_20261125143022_0123456789ab\t1\t1\t1\tpng\t../../etc\tm\tx'],
  ])('is rebuilt when the index file holds %s', async (_what, badLine) => {
    const { basePath, ids } = await storeWithThreeImages();
    const indexPath = path.join(basePath, 'images.index.tsv');
    const lines = fs.readFileSync(indexPath, 'utf8').split('\n');
    lines.splice(2, 0, badLine);
    fs.writeFileSync(indexPath, lines.join('\n'));
    const { store } = await reopen(basePath);
    expect(store.openOutcome).toBe('rebuilt');
    expect(await historyIds(store)).toEqual([...ids].reverse());
  });

  it('recovers from a torn last line (a crash in the middle of an append)', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    fs.appendFileSync(path.join(basePath, 'images.index.tsv'), '{"g":9,"id":"img_2026');
    const { store } = await reopen(basePath);
    expect(store.openOutcome).toBe('rebuilt');
    expect(await historyIds(store)).toEqual([...ids].reverse());
  });

  it('is checked against every folder when the state file is missing', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    fs.rmSync(path.join(basePath, 'images.state.json'));
    const { store } = await reopen(basePath);
    expect(store.openOutcome).toBe('reconciled');
    expect(await historyIds(store)).toEqual([...ids].reverse());
  });

  it('picks up an image another writer added to a folder it wrote to', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    await writeBehindItsBack(basePath, 'img_20261125100000_aaaaaaaaaaaa');
    const { store } = await reopen(basePath);
    expect(store.openOutcome).toBe('reconciled');
    expect(await historyIds(store)).toEqual(['img_20261125100000_aaaaaaaaaaaa', ...[...ids].reverse()]);
  });

  it('picks up an image added to a folder whose recorded time looked settled', async () => {
    const { basePath } = await storeWithThreeImages();
    for (const folder of ['images', 'images/2026', 'images/2026/11', 'images/2026/11/23', 'images/2026/11/24', 'images/2026/11/25']) {
      age(path.join(basePath, folder));
    }
    await (await reopen(basePath)).store.close();
    await writeBehindItsBack(basePath, 'img_20261123100000_bbbbbbbbbbbb');
    await writeBehindItsBack(basePath, 'img_20261201100000_cccccccccccc', 'in a new folder');
    const { store } = await reopen(basePath);
    expect(store.openOutcome).toBe('reconciled');
    expect(await store.exists('img_20261123100000_bbbbbbbbbbbb')).toBe(true);
    expect((await store.get('img_20261201100000_cccccccccccc')).metadata.prompt).toBe('in a new folder');
  });

  it('drops an image whose file was deleted behind its back, on reopen', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    const { store } = await reopen(basePath);
    const victim = await store.getMetadata(ids[1] as string);
    await store.close();
    fs.rmSync(victim.filePath);
    const { store: reopened } = await reopen(basePath);
    expect(reopened.openOutcome).toBe('reconciled');
    expect(await historyIds(reopened)).toEqual([ids[2], ids[0]]);
  });

  it('drops an image whose file was deleted while it was open, on the first read that misses it', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    const { store, logger } = await reopen(basePath);
    fs.rmSync((await store.getMetadata(ids[1] as string)).filePath);
    await expect(store.get(ids[1] as string)).rejects.toMatchObject({ code: 'not_found' });
    expect(await historyIds(store)).toEqual([ids[2], ids[0]]);
    expect(logger.lines.some((line) => /missing/.test(line.message))).toBe(true);
    await store.close();
    expect(await historyIds((await reopen(basePath)).store)).toEqual([ids[2], ids[0]]);
  });

  it('skips a corrupt sidecar with a warning and keeps the rest of the history', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    const { imagePath } = await writeBehindItsBack(basePath, 'img_20261124100000_dddddddddddd');
    fs.writeFileSync(imagePath.replace(/\.png$/, '.json'), '{"image_id": "img_20261124100000_dddddddddddd", "prompt": ');
    fs.rmSync(path.join(basePath, 'images.index.tsv'));
    const { store, logger } = await reopen(basePath);
    expect(await historyIds(store)).toEqual([...ids].reverse());
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'Skipped an image whose metadata file is unreadable',
        fields: expect.objectContaining({ problems: ['the file is not valid JSON'] }),
      }),
    );
  });

  it('answers storage_failed for an indexed image whose sidecar became corrupt, and stops listing it', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    const { store, logger } = await reopen(basePath);
    const target = await store.getMetadata(ids[0] as string);
    fs.writeFileSync(target.metadataPath, '{"image_id": 42}');
    await expect(store.get(ids[0] as string)).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringMatching(/damaged.*no longer listed.*left in place/),
    });
    expect(logger.lines.some((line) => line.level === 'warn')).toBe(true);
    expect(await historyIds(store)).toEqual([ids[2], ids[1]]);
    await expect(store.get(ids[0] as string)).rejects.toMatchObject({ code: 'not_found' });
    // The files stay for the owner to inspect; a repaired sidecar is listed again by a rebuild.
    expect(fs.existsSync(target.filePath)).toBe(true);
    const reopened = await reopen(basePath);
    expect(await historyIds(reopened.store)).toEqual([ids[2], ids[1]]);
  });

  it.each([
    ['garbage', Buffer.from('this is not an image at all, just text written over it')],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0])],
    ['nothing', Buffer.alloc(0)],
  ])('refuses to serve a PNG overwritten with %s as image/png, and stops listing it', async (_what, content) => {
    const { basePath, ids } = await storeWithThreeImages();
    const { store } = await reopen(basePath);
    const target = await store.getMetadata(ids[1] as string);
    fs.writeFileSync(target.filePath, content);
    await expect(store.get(ids[1] as string)).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringMatching(/image file of .* is damaged: its bytes are not PNG/),
    });
    expect(await historyIds(store)).toEqual([ids[2], ids[0]]);
  });

  it('rebuilds on request', async () => {
    const { basePath, ids } = await storeWithThreeImages();
    const { store } = await reopen(basePath);
    await writeBehindItsBack(basePath, 'img_20261125100000_eeeeeeeeeeee');
    expect(await store.rebuildIndex()).toEqual({ imageCount: 4 });
    expect(await historyIds(store)).toEqual(['img_20261125100000_eeeeeeeeeeee', ...[...ids].reverse()]);
  });

  it('records deletions as tombstones and applies them on reopen', async () => {
    const { store, basePath } = await openTestStore({ clock });
    const saved = [];
    for (let index = 0; index < 30; index += 1) saved.push(await store.save(sampleInput()));
    for (const image of saved.slice(0, 29)) await store.delete(image.imageId);
    const lines = fs.readFileSync(path.join(basePath, 'images.index.tsv'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(1 + 30 + 29);
    await store.close();
    const { store: reopened } = await reopen(basePath);
    expect(await historyIds(reopened)).toEqual([saved[29]?.imageId]);
  });
});
