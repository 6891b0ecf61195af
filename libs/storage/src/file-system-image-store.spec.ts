import * as fs from 'node:fs';
import * as path from 'node:path';
import { createManualClock } from '@imagegen/common';
import { createFileSystemImageStore } from './file-system-image-store';
import { fakePng, listFiles, makeTemporaryFolder, openTestStore, removeTemporaryFolders, sampleInput } from './test-support/fixtures';
import { createRecordingFileSystem } from './test-support/recording-file-system';

afterEach(removeTemporaryFolders);

const counter = () => {
  let next = 0;
  return (byteCount: number) => {
    next += 1;
    return Buffer.alloc(byteCount, next);
  };
};

describe('saving and reading images', () => {
  it('stores the bytes and a sidecar under images/YYYY/MM/DD and reads both back', async () => {
    const { store, basePath } = await openTestStore({ filePermissions: 0o640, random: counter() });
    const saved = await store.save(
      sampleInput({
        bytes: fakePng(7, 100),
        taskId: 'task-1',
        cost: { estimatedUsd: 0.07, actualUsd: 0.063, tokensUsed: { text_input: 15, image_output: 1750 } },
        warnings: ['style was folded into the prompt'],
        requestHash: 'abc123',
        provenance: { c2paPresent: true, c2paRemoved: false },
        extra: { template: 'og-image' },
      }),
    );

    expect(saved.imageId).toBe('img_20261125143022_010101010101');
    expect(saved.filePath).toBe(path.join(basePath, 'images', '2026', '11', '25', 'img_20261125143022_010101010101.png'));
    expect(fs.readFileSync(saved.filePath)).toEqual(fakePng(7, 100));
    expect(fs.statSync(saved.filePath).mode & 0o777).toBe(0o640);
    expect(fs.statSync(saved.metadataPath).mode & 0o777).toBe(0o640);

    const onDisk = JSON.parse(fs.readFileSync(saved.metadataPath, 'utf8'));
    expect(onDisk).toEqual({
      schema_version: 1,
      image_id: 'img_20261125143022_010101010101',
      task_id: 'task-1',
      principal_id: 'local',
      created_at: '2026-11-25T14:30:22.000Z',
      prompt: 'a red fox in the snow',
      provider: 'openai',
      model_requested: 'gpt-image',
      model_used: 'gpt-image-1',
      parameters: { model: 'gpt-image-1', size: '1024x1024', quality: 'high' },
      file_info: {
        filename: 'img_20261125143022_010101010101.png',
        size_bytes: 100,
        format: 'png',
        mime_type: 'image/png',
        width: 1024,
        height: 1024,
        dimensions: '1024x1024',
      },
      cost_info: { estimated_cost: 0.07, actual_cost_usd: 0.063, tokens_used: { text_input: 15, image_output: 1750 } },
      warnings: ['style was folded into the prompt'],
      request_hash: 'abc123',
      source_image_ids: [],
      provenance: { c2pa_present: true, c2pa_removed: false },
      extra: { template: 'og-image' },
    });

    const read = await store.get(saved.imageId);
    expect(read.bytes).toEqual(fakePng(7, 100));
    expect(read.mimeType).toBe('image/png');
    expect(read.metadata).toEqual(onDisk);
    expect(read.filePath).toBe(saved.filePath);
    expect((await store.getMetadata(saved.imageId)).metadata).toEqual(onDisk);
    expect(await store.exists(saved.imageId)).toBe(true);
    expect(listFiles(basePath)).toEqual([
      'images.index.tsv',
      'images.state.json',
      'images/2026/11/25/img_20261125143022_010101010101.json',
      'images/2026/11/25/img_20261125143022_010101010101.png',
    ]);
    await store.close();
  });

  it('writes jpeg as .jpg and records the source images of an edit', async () => {
    const { store } = await openTestStore();
    const source = await store.save(sampleInput());
    const edit = await store.save(sampleInput({ format: 'jpeg', sourceImageIds: [source.imageId] }));
    expect(edit.filePath.endsWith('.jpg')).toBe(true);
    expect(edit.mimeType).toBe('image/jpeg');
    expect(edit.metadata.source_image_ids).toEqual([source.imageId]);
  });

  it('puts every file flat into images/ when createSubdirectories is false', async () => {
    const { store, basePath } = await openTestStore({ createSubdirectories: false });
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(16, 1)]);
    const saved = await store.save(sampleInput({ format: 'webp', bytes: webp }));
    expect(path.dirname(saved.filePath)).toBe(path.join(basePath, 'images'));
    expect(listFiles(path.join(basePath, 'images'))).toEqual([`${saved.imageId}.json`, `${saved.imageId}.webp`]);
    expect((await store.get(saved.imageId)).bytes).toEqual(webp);
  });

  it('stores animated GIF and SVG files with their own extension and MIME type, and notices a damaged SVG', async () => {
    const { store } = await openTestStore();
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(24, 1)]);
    const svg = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
    const savedGif = await store.save(sampleInput({ format: 'gif', bytes: gif }));
    const savedSvg = await store.save(sampleInput({ format: 'svg', bytes: svg }));
    expect(savedGif.filePath.endsWith('.gif')).toBe(true);
    expect(savedSvg.filePath.endsWith('.svg')).toBe(true);
    expect(await store.get(savedGif.imageId)).toMatchObject({ mimeType: 'image/gif', bytes: gif });
    expect(await store.get(savedSvg.imageId)).toMatchObject({ mimeType: 'image/svg+xml', bytes: svg });
    fs.writeFileSync(savedSvg.filePath, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await expect(store.get(savedSvg.imageId)).rejects.toMatchObject({ message: expect.stringContaining('not SVG') });
  });

  it('uses the clock for the folder and a caller-chosen id when one is given', async () => {
    const { store, basePath, clock } = await openTestStore();
    clock.set(new Date('2027-01-02T03:04:05Z'));
    const saved = await store.save(sampleInput({ imageId: 'img_20270102030405_abcdefabcdef' }));
    expect(saved.filePath).toBe(path.join(basePath, 'images', '2027', '01', '02', 'img_20270102030405_abcdefabcdef.png'));
    await expect(store.save(sampleInput({ imageId: 'img_20270102030405_abcdefabcdef' }))).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('refuses bad input before touching the disk', async () => {
    const { store, fileSystem } = await openTestStore();
    fileSystem.calls.length = 0;
    await expect(store.save(sampleInput({ bytes: Buffer.alloc(0) }))).rejects.toMatchObject({ code: 'invalid_image' });
    await expect(store.save(sampleInput({ format: 'tiff' as never }))).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.save(sampleInput({ width: 0 }))).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.save(sampleInput({ sourceImageIds: ['../secret'] }))).rejects.toMatchObject({ code: 'invalid_request' });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(store.save(sampleInput({ extra: cyclic }))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(fileSystem.calls).toEqual([]);
  });

  it('deletes an image and its sidecar, and forgets it', async () => {
    const { store, basePath } = await openTestStore();
    const saved = await store.save(sampleInput());
    expect(await store.delete(saved.imageId)).toBe(true);
    expect(await store.delete(saved.imageId)).toBe(false);
    expect(await store.exists(saved.imageId)).toBe(false);
    await expect(store.get(saved.imageId)).rejects.toMatchObject({ code: 'not_found' });
    expect(listFiles(path.join(basePath, 'images'))).toEqual([]);
  });

  it('rejects calls after close', async () => {
    const { store } = await openTestStore();
    await store.close();
    await expect(store.save(sampleInput())).rejects.toMatchObject({ code: 'storage_failed' });
    await expect(store.history()).rejects.toMatchObject({ code: 'storage_failed' });
  });
});

describe('image id validation', () => {
  const hostile = [
    '../../etc/passwd',
    '/etc/passwd',
    'img_20261125143022_0123456789ab/../../x',
    'img_20261125143022_0123456789ab\0',
    'img_20261125143022_0123456789AB',
    'img_20261131143022_0123456789ab',
    'C:\\Windows\\system.ini',
    '',
  ];

  it.each(hostile)('refuses %j with invalid_request and no filesystem call', async (imageId) => {
    const { store, fileSystem } = await openTestStore();
    fileSystem.calls.length = 0;
    await expect(store.get(imageId)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.getMetadata(imageId)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.exists(imageId)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.delete(imageId)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.save(sampleInput({ imageId }))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(fileSystem.calls).toEqual([]);
  });

  it('answers not_found for a well-formed id that is not stored', async () => {
    const { store } = await openTestStore();
    await expect(store.get('img_20261125143022_0123456789ab')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('history, stats and id completion', () => {
  async function storeWithImages() {
    const context = await openTestStore({ random: counter() });
    const ids: string[] = [];
    for (let day = 0; day < 5; day += 1) {
      context.clock.set(new Date(Date.UTC(2026, 10, 20 + day, 12)));
      ids.push((await context.store.save(sampleInput({ bytes: fakePng(day, 100 + day), prompt: `picture ${day}` }))).imageId);
    }
    return { ...context, ids };
  }

  it('lists newest first, filtered by days, and pages with a cursor', async () => {
    const { store, ids } = await storeWithImages();
    const all = await store.history({ limit: 100 });
    expect(all.images.map((image) => image.imageId)).toEqual([...ids].reverse());
    expect(all.totalCount).toBe(5);
    expect(all.nextCursor).toBeUndefined();
    expect(all.images[0]).toMatchObject({
      sizeBytes: 104,
      format: 'png',
      promptExcerpt: 'picture 4',
      model: 'gpt-image-1',
      createdAt: '2026-11-24T12:00:00.000Z',
    });

    const recent = await store.history({ days: 2.5 });
    expect(recent.images.map((image) => image.imageId)).toEqual([ids[4], ids[3], ids[2]]);
    expect(recent.totalCount).toBe(3);

    const first = await store.history({ limit: 2 });
    expect(first.images.map((image) => image.imageId)).toEqual([ids[4], ids[3]]);
    const second = await store.history({ limit: 2, cursor: first.nextCursor });
    expect(second.images.map((image) => image.imageId)).toEqual([ids[2], ids[1]]);
    const third = await store.history({ limit: 2, cursor: second.nextCursor });
    expect(third.images.map((image) => image.imageId)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeUndefined();
  });

  it('keeps paging stable when an image is deleted between pages', async () => {
    const { store, ids } = await storeWithImages();
    const first = await store.history({ limit: 2 });
    await store.delete(ids[2] as string);
    const second = await store.history({ limit: 2, cursor: first.nextCursor });
    expect(second.images.map((image) => image.imageId)).toEqual([ids[1], ids[0]]);
  });

  it('refuses a bad cursor, limit or days', async () => {
    const { store } = await openTestStore();
    await expect(store.history({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.history({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.history({ days: -1 })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('reports counts, bytes, oldest and newest', async () => {
    const { store, ids } = await storeWithImages();
    const stats = await store.stats();
    expect(stats.imageCount).toBe(5);
    expect(stats.imageBytes).toBe(100 + 101 + 102 + 103 + 104);
    expect(stats.totalBytes).toBeGreaterThan(stats.imageBytes);
    expect(stats.byFormat.png).toEqual({ count: 5, bytes: 510 });
    expect(stats.oldest).toEqual({ imageId: ids[0], createdAt: '2026-11-20T12:00:00.000Z' });
    expect(stats.newest).toEqual({ imageId: ids[4], createdAt: '2026-11-24T12:00:00.000Z' });
    expect(stats.lastCleanup).toBeNull();
  });

  it('answers history, stats and completion per principal, also after reopening and after a rebuild from the sidecars', async () => {
    const context = await openTestStore({ random: counter() });
    const owners = ['alice', 'bob', 'alice', 'local', 'bob', 'alice'];
    const ids: string[] = [];
    for (const [day, principalId] of owners.entries()) {
      context.clock.set(new Date(Date.UTC(2026, 10, 20 + day, 12)));
      ids.push((await context.store.save(sampleInput({ bytes: fakePng(day, 100 + day), principalId }))).imageId);
    }
    const owned = (principalId: string) => ids.filter((_id, position) => owners[position] === principalId).reverse();
    const check = async (store: typeof context.store) => {
      const first = await store.history({ principalId: 'alice', limit: 2 });
      expect(first.images.map((image) => image.imageId)).toEqual(owned('alice').slice(0, 2));
      expect(first.totalCount).toBe(3);
      expect(first.images.every((image) => image.principalId === 'alice')).toBe(true);
      const rest = await store.history({ principalId: 'alice', limit: 2, cursor: first.nextCursor });
      expect(rest.images.map((image) => image.imageId)).toEqual(owned('alice').slice(2));
      expect(rest.nextCursor).toBeUndefined();
      expect((await store.history({ principalId: 'carol' })).totalCount).toBe(0);
      expect((await store.history({ limit: 100 })).totalCount).toBe(6);
      const bobStats = await store.stats({ principalId: 'bob' });
      expect(bobStats).toMatchObject({ imageCount: 2, imageBytes: 101 + 104, byFormat: { png: { count: 2, bytes: 205 } } });
      expect(bobStats.oldest?.imageId).toBe(ids[1]);
      expect(bobStats.newest?.imageId).toBe(ids[4]);
      expect((await store.stats()).imageCount).toBe(6);
      expect(await store.listIds('img_', 20, { principalId: 'local' })).toEqual(owned('local'));
      expect(await store.listIds('img_', 20, { principalId: 'bob' })).toEqual(owned('bob'));
      expect((await store.getMetadata(ids[1] as string)).metadata.principal_id).toBe('bob');
    };
    await check(context.store);
    await context.store.close();
    const reopened = await createFileSystemImageStore({ basePath: context.basePath, clock: context.clock });
    await check(reopened);
    await reopened.rebuildIndex();
    await check(reopened);
    await reopened.close();
  });

  it('completes ids by prefix, newest first', async () => {
    const { store, ids } = await storeWithImages();
    expect(await store.listIds('img_202611', 3)).toEqual([ids[4], ids[3], ids[2]]);
    expect(await store.listIds('img_20261122')).toEqual([ids[2]]);
    expect(await store.listIds('nothing')).toEqual([]);
  });
});

describe('two stores on one folder', () => {
  it('take turns and see each other’s images without corrupting the index', async () => {
    const basePath = makeTemporaryFolder();
    const clock = createManualClock(new Date('2026-11-25T10:00:00Z'));
    const open = () => createFileSystemImageStore({ basePath, clock, minFreeBytes: 0, fileSystem: createRecordingFileSystem() });
    const first = await open();
    const second = await open();
    const saves = await Promise.all(
      Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? first : second).save(sampleInput({ prompt: `image ${index}` }))),
    );
    const ids = saves.map((saved) => saved.imageId).sort();
    expect((await first.history({ limit: 100 })).images.map((image) => image.imageId).sort()).toEqual(ids);
    expect((await second.history({ limit: 100 })).images.map((image) => image.imageId).sort()).toEqual(ids);
    await first.delete(ids[0] as string);
    expect(await second.exists(ids[0] as string)).toBe(false);
    await first.close();
    await second.close();

    const reopened = await open();
    expect(reopened.openOutcome).toBe('loaded');
    expect((await reopened.stats()).imageCount).toBe(9);
    expect(fs.existsSync(path.join(basePath, 'images.lock'))).toBe(false);
  });

  it('finds an image the other store just saved while it is saving one of its own', async () => {
    const basePath = makeTemporaryFolder();
    const open = () => createFileSystemImageStore({ basePath, minFreeBytes: 0 });
    const first = await open();
    const second = await open();
    await second.history({ limit: 1 });
    const saved = await first.save(sampleInput({ prompt: 'made by the first store' }));
    // The second store is busy with its own save when the id of the first store's image comes in.
    const ownSave = second.save(sampleInput({ prompt: 'made by the second store' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await second.get(saved.imageId)).imageId).toBe(saved.imageId);
    await ownSave;
    await first.close();
    await second.close();
  });
});
