import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createManualClock } from '@imagegen/common';
import {
  createFileSystemImageStore,
  createS3ImageStore,
  scopeStoreToPrincipal,
  type HistoryPage,
  type ImageStore,
  type SaveImageInput,
} from '@imagegen/storage';
import { startS3CompatibleServer, type S3CompatibleServer } from '@imagegen/testing';
import type { PostgresDatabase } from './database';
import { createPostgresImageCatalog } from './postgres-image-catalog';
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './test-support/test-database';

const schema = uniqueSchemaName('catalog');
let database: PostgresDatabase;
let server: S3CompatibleServer;
let folder: string;

beforeAll(async () => {
  [database, server] = await Promise.all([openTestDatabase(schema), startS3CompatibleServer()]);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-catalog-'));
});
afterAll(async () => {
  await database.close();
  await Promise.all([dropTestSchema(schema), server.close()]);
  fs.rmSync(folder, { recursive: true, force: true });
});

const png = (fill: number, length: number) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(length - 8, fill)]);
const jpeg = (length: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(length - 3, 7)]);

function input(index: number): SaveImageInput {
  const jpegImage = index % 4 === 3;
  return {
    bytes: jpegImage ? jpeg(50 + index) : png(index, 80 + index * 3),
    format: jpegImage ? 'jpeg' : 'png',
    width: 1024,
    height: 1024,
    prompt: index % 5 === 0 ? `a very long prompt ${'with many words '.repeat(12)} number ${index} 🦊` : `prompt ${index}`,
    provider: 'openai',
    modelRequested: 'gpt-image',
    modelUsed: index % 2 === 0 ? 'gpt-image-1' : 'gpt-image-1-mini',
  };
}

/** The same saves, at the same instants with the same random ids, into two stores. */
async function fillBoth(stores: ImageStore[], clocks: Array<ReturnType<typeof createManualClock>>): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < 30; index += 1) {
    const saved = await Promise.all(stores.map((store) => store.save(input(index))));
    expect(new Set(saved.map((image) => image.imageId)).size).toBe(1);
    ids.push((saved[0] as { imageId: string }).imageId);
    // Several a second, and across UTC day boundaries, so day windows cut inside a day.
    const step = index % 3 === 0 ? 7 * 3_600_000 : 400;
    for (const clock of clocks) clock.advance(step);
  }
  return ids;
}

const withoutPaths = (page: HistoryPage) => ({ ...page, images: page.images.map(({ filePath: _ignored, ...image }) => image) });

describe('PostgreSQL image catalog', () => {
  it('answers history, stats and completions exactly as the filesystem index does for the same images', async () => {
    const start = new Date('2026-11-20T21:15:00Z');
    const clocks = [createManualClock(start), createManualClock(start)];
    const [fileClock, objectClock] = clocks as [(typeof clocks)[number], (typeof clocks)[number]];
    const countingRandom = () => {
      let counter = 0;
      return () => Buffer.from(String((counter += 1)).padStart(12, '0'), 'hex');
    };
    const fileStore = await createFileSystemImageStore({ basePath: folder, minFreeBytes: 0, clock: fileClock, random: countingRandom() });
    const objectStore = await createS3ImageStore({
      bucket: server.bucket,
      prefix: `${schema}/`,
      client: new S3Client({
        endpoint: server.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      }),
      catalog: createPostgresImageCatalog(database),
      clock: objectClock,
      random: countingRandom(),
    });
    try {
      const ids = await fillBoth([fileStore, objectStore], clocks);
      const idAt = (position: number) => ids[position] as string;
      for (const id of [idAt(4), idAt(17)]) {
        expect(await Promise.all([fileStore.delete(id), objectStore.delete(id)])).toEqual([true, true]);
      }

      for (const query of [{}, { limit: 7 }, { days: 1 }, { days: 2.5, limit: 3 }, { days: 0.01 }, { limit: 1000 }]) {
        let [fromFiles, fromDatabase] = await Promise.all([fileStore.history(query), objectStore.history(query)]);
        expect(fromDatabase).toEqual(withoutPaths(fromFiles));
        while (fromFiles.nextCursor !== undefined) {
          const next = { ...query, cursor: fromFiles.nextCursor };
          [fromFiles, fromDatabase] = await Promise.all([fileStore.history(next), objectStore.history(next)]);
          expect(fromDatabase).toEqual(withoutPaths(fromFiles));
        }
      }
      expect(await objectStore.stats()).toEqual(await fileStore.stats());
      for (const prefix of ['img_', idAt(10).slice(0, 12), idAt(10).slice(0, 19), idAt(10), 'img_2099', '%', '']) {
        expect(await objectStore.listIds(prefix, 5)).toEqual(await fileStore.listIds(prefix, 5));
      }
      const [fileCleanup, objectCleanup] = await Promise.all([
        fileStore.cleanup({ retentionDays: 2, dryRun: true }),
        objectStore.cleanup({ retentionDays: 2, dryRun: true }),
      ]);
      expect(objectCleanup.removedImages).toEqual(fileCleanup.removedImages);
      expect(objectCleanup.remainingBytes).toBe(fileCleanup.remainingBytes);
    } finally {
      await Promise.all([fileStore.close(), objectStore.close()]);
    }
  });

  it("keeps two users' images apart in a bucket with the database index, exactly as the folder does", async () => {
    const start = new Date('2026-11-20T21:15:00Z');
    const fileClock = createManualClock(start);
    const objectClock = createManualClock(start);
    const sameIds = () => {
      let counter = 100;
      return () => Buffer.from(String((counter += 1)).padStart(12, '0'), 'hex');
    };
    const fileStore = await createFileSystemImageStore({
      basePath: path.join(folder, 'principals'),
      minFreeBytes: 0,
      clock: fileClock,
      random: sameIds(),
    });
    const objectStore = await createS3ImageStore({
      bucket: server.bucket,
      prefix: `${schema}-principals/`,
      client: new S3Client({
        endpoint: server.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      }),
      catalog: createPostgresImageCatalog(database),
      clock: objectClock,
      random: sameIds(),
    });
    try {
      const owners = ['alice', 'bob', 'alice', 'alice', 'bob', 'alice'];
      const ids: string[] = [];
      for (const [index, principalId] of owners.entries()) {
        const [saved] = await Promise.all([fileStore, objectStore].map((store) => store.save({ ...input(index + 40), principalId })));
        ids.push((saved as { imageId: string }).imageId);
        for (const clock of [fileClock, objectClock]) clock.advance(3_600_000);
      }
      const bobsImage = ids[1] as string;

      for (const principalId of ['alice', 'bob']) {
        const query = { principalId, limit: 2 };
        const [fromFiles, fromDatabase] = await Promise.all([fileStore.history(query), objectStore.history(query)]);
        expect(fromDatabase).toEqual(withoutPaths(fromFiles));
        expect(fromDatabase.images.every((image) => image.principalId === principalId)).toBe(true);
        expect(fromDatabase.totalCount).toBe(owners.filter((owner) => owner === principalId).length);
        expect(await objectStore.stats({ principalId })).toEqual(await fileStore.stats({ principalId }));
        expect(await objectStore.listIds('img_', 10, { principalId })).toEqual(await fileStore.listIds('img_', 10, { principalId }));
      }
      expect((await objectStore.stats({ principalId: 'bob' })).imageCount).toBe(2);

      // Through alice's view of the bucket, bob's image answers as an unknown id would, streamed or read whole.
      const asAlice = scopeStoreToPrincipal(objectStore, { principalId: 'alice' });
      const unknownId = `${bobsImage.slice(0, -1)}${bobsImage.endsWith('f') ? 'e' : 'f'}`;
      for (const imageId of [bobsImage, unknownId]) {
        await expect(asAlice.get(imageId)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining(imageId) });
        await expect(asAlice.openImageStream?.(imageId)).rejects.toMatchObject({ code: 'not_found' });
      }
      const own = await asAlice.openImageStream?.(ids[0] as string);
      own?.stream.destroy();
      expect(own?.metadata.principal_id).toBe('alice');
      expect((await asAlice.history()).images.map((image) => image.imageId)).toEqual([ids[5], ids[3], ids[2], ids[0]]);
      // The catalog is shared by this file's tests: leave it as it was.
      for (const imageId of ids) await objectStore.delete(imageId);
    } finally {
      await Promise.all([fileStore.close(), objectStore.close()]);
    }
  });

  it('filters history, counts, totals and completions by principal when one is passed', async () => {
    const catalog = createPostgresImageCatalog(database);
    const entry = (id: string, principalId: string) => ({
      id,
      createdAtMs: Date.parse('2027-01-05T10:00:00Z'),
      imageBytes: 100,
      sidecarBytes: 10,
      format: 'png' as const,
      directory: '2027/01/05',
      promptExcerpt: 'x',
      model: 'm',
      principalId,
    });
    await catalog.add(entry('img_20270105100000_aaaaaaaaaaa1', 'alice'));
    await catalog.add(entry('img_20270105100001_aaaaaaaaaaa2', 'bob'));
    await catalog.add(entry('img_20270105100002_aaaaaaaaaaa3', 'alice'));

    const page = await catalog.newestFirst({ fromKey: 'img_2027', limit: 1, principalId: 'alice' });
    expect(page).toEqual({ entries: [entry('img_20270105100002_aaaaaaaaaaa3', 'alice')], hasMore: true });
    expect(await catalog.countFrom('img_20270105', 'alice')).toBe(2);
    expect(await catalog.countFrom('img_20270105', 'bob')).toBe(1);
    expect((await catalog.totals('bob')).imageCount).toBe(1);
    expect(await catalog.listIds('img_2027', 10, 'alice')).toEqual(['img_20270105100002_aaaaaaaaaaa3', 'img_20270105100000_aaaaaaaaaaa1']);
    await catalog.remove(['img_20270105100000_aaaaaaaaaaa1', 'img_20270105100001_aaaaaaaaaaa2', 'img_20270105100002_aaaaaaaaaaa3']);
    expect((await catalog.totals('alice')).imageCount).toBe(0);
  });
});

describe('PostgreSQL image catalog failures', () => {
  it('says the image index in the database cannot be read when the database is gone', async () => {
    const handle = await openTestDatabase(schema, { migrate: false });
    const catalog = createPostgresImageCatalog(handle);
    await handle.close();

    await expect(catalog.totals()).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringMatching(/^Could not read the image index in the database: /),
    });
  });
});
