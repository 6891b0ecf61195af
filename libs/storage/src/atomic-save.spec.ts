import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFileSystemImageStore } from './file-system-image-store';
import { listFiles, openTestStore, removeTemporaryFolders, sampleInput } from './test-support/fixtures';
import { createRecordingFileSystem, type RecordedCall } from './test-support/recording-file-system';

afterEach(removeTemporaryFolders);

const inImages = (call: RecordedCall) => call.path.includes(`${path.sep}images${path.sep}`);
const name = (filePath: string | undefined) => path.basename(filePath ?? '');

const steps: Array<[string, (call: RecordedCall) => boolean]> = [
  ['writing the temporary image', (call) => call.method === 'createFile' && inImages(call) && /^\.tmp-img_.*\.png\./.test(name(call.path))],
  ['renaming the image into place', (call) => call.method === 'rename' && /^img_.*\.png$/.test(name(call.to))],
  [
    'writing the temporary sidecar',
    (call) => call.method === 'createFile' && inImages(call) && /^\.tmp-img_.*\.json\./.test(name(call.path)),
  ],
  ['renaming the sidecar into place', (call) => call.method === 'rename' && /^img_.*\.json$/.test(name(call.to))],
  ['appending to the index', (call) => call.method === 'appendFile'],
];

async function snapshot(basePath: string) {
  return {
    files: listFiles(basePath).filter((file) => file !== 'images.lock'),
    index: fs.readFileSync(path.join(basePath, 'images.index.tsv'), 'utf8'),
    state: fs.readFileSync(path.join(basePath, 'images.state.json'), 'utf8'),
  };
}

describe('atomic saves', () => {
  describe.each(steps)('a failure while %s', (_step, matches) => {
    it.each([false, true])('leaves no file behind and the index unchanged (failure after the real call: %s)', async (afterRealCall) => {
      if (afterRealCall && _step === 'appending to the index') return;
      const { store, basePath, clock, fileSystem } = await openTestStore();
      const existing = await store.save(sampleInput());
      clock.set(new Date('2026-12-01T08:00:00Z'));
      const before = await snapshot(basePath);
      const historyBefore = await store.history();

      fileSystem.failures.push({ matches, afterRealCall });
      await expect(store.save(sampleInput({ prompt: 'doomed' }))).rejects.toMatchObject({ code: 'storage_failed' });

      expect(fileSystem.failures).toEqual([]);
      expect(await snapshot(basePath)).toEqual(before);
      expect(fs.existsSync(path.join(basePath, 'images', '2026', '12'))).toBe(false);
      expect(await store.history()).toEqual(historyBefore);

      const next = await store.save(sampleInput({ prompt: 'after the failure' }));
      expect((await store.get(next.imageId)).metadata.prompt).toBe('after the failure');
      await store.close();
      const reopened = await createFileSystemImageStore({ basePath, clock, minFreeBytes: 0 });
      expect((await reopened.history()).images.map((image) => image.imageId).sort()).toEqual([existing.imageId, next.imageId].sort());
    });
  });

  it('does not keep an image whose index line was written but reported as failed', async () => {
    const { store, basePath, clock, fileSystem } = await openTestStore();
    const kept = await store.save(sampleInput());
    fileSystem.failures.push({ matches: (call) => call.method === 'appendFile', afterRealCall: true });
    await expect(store.save(sampleInput({ prompt: 'doomed' }))).rejects.toMatchObject({ code: 'storage_failed' });
    expect(listFiles(path.join(basePath, 'images')).length).toBe(2);
    expect((await store.history()).images.map((image) => image.imageId)).toEqual([kept.imageId]);
    await store.close();
    const reopened = await createFileSystemImageStore({ basePath, clock, minFreeBytes: 0 });
    expect((await reopened.history()).images.map((image) => image.imageId)).toEqual([kept.imageId]);
  });

  it('names the disk problem in the message', async () => {
    const { store, fileSystem } = await openTestStore();
    fileSystem.failures.push({ matches: steps[0]?.[1] as (call: RecordedCall) => boolean, code: 'ENOSPC' });
    await expect(store.save(sampleInput())).rejects.toThrow(/the disk is full/);
  });

  it('refuses to save when the disk would drop below minFreeBytes, before writing anything', async () => {
    const fileSystem = createRecordingFileSystem();
    const { store, basePath } = await openTestStore({ fileSystem, minFreeBytes: 10 * 1024 * 1024 });
    fileSystem.freeBytes = 10 * 1024 * 1024 + 100;
    fileSystem.calls.length = 0;
    const failure = store.save(sampleInput());
    await expect(failure).rejects.toMatchObject({ code: 'storage_failed', details: { availableBytes: 10 * 1024 * 1024 + 100 } });
    await expect(failure).rejects.toThrow(/Not enough free disk space/);
    expect(fileSystem.calls.filter((call) => call.method === 'createFile' && inImages(call))).toEqual([]);
    expect(listFiles(path.join(basePath, 'images'))).toEqual([]);

    fileSystem.freeBytes = 50 * 1024 * 1024;
    await expect(store.save(sampleInput())).resolves.toMatchObject({ mimeType: 'image/png' });
  });

  it('checks ahead that a save of a given size would fit and that the folder can be written', async () => {
    const fileSystem = createRecordingFileSystem();
    const { store } = await openTestStore({ fileSystem, minFreeBytes: 10 * 1024 * 1024 });
    fileSystem.freeBytes = 12 * 1024 * 1024;
    await expect(store.checkCanSave?.(1024 * 1024)).resolves.toBeUndefined();
    await expect(store.checkCanSave?.(4 * 1024 * 1024)).rejects.toMatchObject({
      code: 'storage_failed',
      details: { minFreeBytes: 10 * 1024 * 1024 },
    });
    fileSystem.failures.push({ matches: (call) => call.method === 'canWrite', code: 'EROFS' });
    await expect(store.checkCanSave?.(1)).rejects.toMatchObject({ code: 'storage_failed' });
  });

  it('writes nothing when the save is cancelled', async () => {
    const { store, basePath } = await openTestStore();
    const controller = new AbortController();
    controller.abort();
    await expect(store.save(sampleInput({ signal: controller.signal }))).rejects.toMatchObject({ code: 'cancelled' });
    expect(listFiles(path.join(basePath, 'images'))).toEqual([]);
  });
});
