import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createManualClock, createMemoryLogger, ImageGenError } from '@imagegen/common';
import { createS3ImageStore, type S3ImageStore, type S3ImageStoreOptions } from './s3-image-store';
import { fakePng, sampleInput } from './test-support/fixtures';
import { startS3TestServer } from './test-support/s3-test-server';

let server: Awaited<ReturnType<typeof startS3TestServer>>;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startS3TestServer();
});
afterAll(async () => {
  await server.close();
});

const clientFor = () =>
  new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

async function listKeys(client: S3Client, prefix: string): Promise<string[]> {
  const answer = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }));
  return (answer.Contents ?? []).map((object) => object.Key as string).sort();
}

async function errorOf(promise: Promise<unknown>): Promise<ImageGenError> {
  try {
    await promise;
  } catch (error) {
    if (ImageGenError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function openStore(options: Partial<S3ImageStoreOptions> = {}) {
  const prefix = options.prefix ?? `run-${process.pid}-${(prefixCounter += 1)}/`;
  const client = options.client ?? clientFor();
  const clock = options.clock ?? createManualClock(new Date('2026-11-25T14:30:22Z'));
  const logger = createMemoryLogger();
  const store = await createS3ImageStore({ bucket: server.bucket, prefix, client, clock, logger, ...options });
  return { store, prefix, client, clock: clock as ReturnType<typeof createManualClock>, logger };
}

const stores: S3ImageStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
const opened = async (options: Partial<S3ImageStoreOptions> = {}) => {
  const result = await openStore(options);
  stores.push(result.store);
  return result;
};

describe('S3 image store', () => {
  it('stores an image and its sidecar under the folder layout and reads both back', async () => {
    const { store, prefix, client } = await opened();
    const saved = await store.save(sampleInput({ bytes: fakePng(7, 300), prompt: 'a lighthouse at dusk' }));

    expect(saved.imageId).toMatch(/^img_20261125143022_[0-9a-f]{12}$/);
    expect(saved.filePath).toBeUndefined();
    expect(await listKeys(client, prefix)).toEqual([
      `${prefix}images/2026/11/25/${saved.imageId}.json`,
      `${prefix}images/2026/11/25/${saved.imageId}.png`,
    ]);
    const read = await store.get(saved.imageId);
    expect(Buffer.from(read.bytes).equals(fakePng(7, 300))).toBe(true);
    expect(read.mimeType).toBe('image/png');
    expect(read.metadata.prompt).toBe('a lighthouse at dusk');
    expect(read.metadata.file_info.size_bytes).toBe(300);
    expect((await store.getMetadata(saved.imageId)).metadata).toEqual(read.metadata);
    expect(await store.exists(saved.imageId)).toBe(true);
  });

  it('streams an image without reading it whole first', async () => {
    const { store } = await opened();
    const bytes = fakePng(3, 256 * 1024);
    const saved = await store.save(sampleInput({ bytes }));

    const opening = await store.openImageStream(saved.imageId);
    const chunks: Buffer[] = [];
    for await (const chunk of opening.stream) chunks.push(Buffer.from(chunk as Uint8Array));

    expect(opening.sizeBytes).toBe(bytes.length);
    expect(opening.mimeType).toBe('image/png');
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('answers not_found for an unknown id and invalid_request for a malformed one, before any object call', async () => {
    const { store } = await opened();
    const unknown = 'img_20261125143022_0123456789ab';

    expect((await errorOf(store.get(unknown))).code).toBe('not_found');
    expect((await errorOf(store.openImageStream(unknown))).code).toBe('not_found');
    expect(await store.exists(unknown)).toBe(false);
    expect(await store.delete(unknown)).toBe(false);
    expect((await errorOf(store.get('../../etc/passwd'))).code).toBe('invalid_request');
  });

  it('leaves no object behind when the sidecar upload fails, and lists nothing', async () => {
    const client = clientFor();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'PutObjectCommand' && input.Key?.endsWith('.json')) {
          throw Object.assign(new Error('connection reset'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSidecarUploads' },
    );
    const { store, prefix } = await opened({ client });

    const failure = await errorOf(store.save(sampleInput()));

    expect(failure.code).toBe('storage_failed');
    expect(failure.message).toMatch(/Could not save the image in s3:\/\/.*InternalError \(HTTP 500\)/);
    expect(failure.retryable).toBe(true);
    expect(await listKeys(clientFor(), prefix)).toEqual([]);
    expect((await store.history()).images).toEqual([]);
    expect((await store.stats()).imageCount).toBe(0);
  });

  it('pages history newest first, counts stats, completes ids and deletes', async () => {
    const { store, clock } = await opened();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await store.save(sampleInput({ prompt: `prompt ${index}`, bytes: fakePng(index, 100 + index) }))).imageId);
      clock.advance(1000);
    }
    ids.push((await store.save(sampleInput({ format: 'jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 1, 2]) }))).imageId);

    const first = await store.history({ limit: 4 });
    expect(first.images.map((image) => image.imageId)).toEqual([...ids].reverse().slice(0, 4));
    expect(first.totalCount).toBe(6);
    const second = await store.history({ limit: 4, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
    expect(second.images.map((image) => image.imageId)).toEqual([ids[1], ids[0]]);
    expect(second.nextCursor).toBeUndefined();

    const stats = await store.stats();
    expect(stats.imageCount).toBe(6);
    expect(stats.byFormat.png).toEqual({ count: 5, bytes: 100 + 101 + 102 + 103 + 104 });
    expect(stats.byFormat.jpeg).toEqual({ count: 1, bytes: 5 });
    expect(stats.oldest?.imageId).toBe(ids[0]);
    expect(stats.newest?.imageId).toBe(ids[5]);
    expect(await store.listIds((ids[2] as string).slice(0, 16), 2)).toEqual([ids[5], ids[4]]);
    expect(await store.listIds((ids[2] as string).slice(0, 19))).toEqual([ids[2]]);

    expect(await store.delete(ids[0] as string)).toBe(true);
    expect((await errorOf(store.get(ids[0] as string))).code).toBe('not_found');
    expect((await store.stats()).imageCount).toBe(5);
  });

  it('finds the images of an earlier process by listing the bucket when it opens', async () => {
    const { store, prefix } = await opened();
    const saved = await store.save(sampleInput({ prompt: 'kept across restarts' }));
    const before = await store.history();

    const { store: reopened } = await opened({ prefix });

    expect(await reopened.history()).toEqual(before);
    expect((await reopened.get(saved.imageId)).metadata.prompt).toBe('kept across restarts');
  });

  it('removes expired images, then leftovers of failed saves once they are an hour old', async () => {
    const clock = createManualClock(new Date());
    const { store, prefix, client } = await opened({ clock });
    const old = await store.save(sampleInput());
    clock.advance(3 * 24 * 3_600_000);
    const fresh = await store.save(sampleInput());
    const strayKey = `${prefix}images/2026/11/25/img_20261125143022_aaaaaaaaaaaa.png`;
    await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: strayKey, Body: fakePng() }));

    const dryRun = await store.cleanup({ retentionDays: 1, dryRun: true });
    expect(dryRun.removedImages.map((image) => image.imageId)).toEqual([old.imageId]);
    expect(await store.exists(old.imageId)).toBe(true);

    const report = await store.cleanup({ retentionDays: 1 });

    expect(report.removedImages).toEqual([expect.objectContaining({ imageId: old.imageId, reason: 'expired' })]);
    expect(report.removedFiles).toEqual([expect.objectContaining({ path: strayKey.slice(prefix.length), reason: 'orphaned_image' })]);
    expect(report.remainingImages).toBe(1);
    const keys = await listKeys(client, prefix);
    expect(keys.every((key) => key.includes(fresh.imageId))).toBe(true);
    expect(keys).toHaveLength(2);
    expect((await store.stats()).lastCleanup?.removedImages).toBe(1);
  });

  it('refuses to open a bucket that does not exist, saying which', async () => {
    const failure = await errorOf(openStore({ bucket: 'no-such-bucket' }));

    expect(failure.code).toBe('storage_failed');
    expect(failure.message).toContain('s3://no-such-bucket/');
    expect(failure.message).toContain('does not exist');
  });
});

describe('S3 image store with several users', () => {
  it("keeps each user's history, stats and completions to their own images, and finds them again after a rebuild", async () => {
    const clock = createManualClock(new Date('2026-11-25T14:30:22Z'));
    const { store, prefix, client } = await opened({ clock });
    const saveAs = async (principalId: string | undefined, fill: number) => {
      clock.advance(1_000);
      return (await store.save(sampleInput({ bytes: fakePng(fill, 200 + fill), ...(principalId ? { principalId } : {}) }))).imageId;
    };
    const aliceFirst = await saveAs('alice', 1);
    const bobs = await saveAs('bob', 2);
    const aliceSecond = await saveAs('alice', 3);
    const local = await saveAs(undefined, 4);

    const check = async (view: S3ImageStore) => {
      const alice = await view.history({ principalId: 'alice' });
      expect(alice.images.map((image) => [image.imageId, image.principalId])).toEqual([
        [aliceSecond, 'alice'],
        [aliceFirst, 'alice'],
      ]);
      expect(alice.totalCount).toBe(2);
      expect((await view.stats({ principalId: 'bob' })).imageCount).toBe(1);
      expect((await view.stats({ principalId: 'carol' })).imageCount).toBe(0);
      expect((await view.stats()).imageCount).toBe(4);
      expect(await view.listIds('img_', 10, { principalId: 'bob' })).toEqual([bobs]);
      expect((await view.history({ principalId: 'local' })).images.map((image) => image.imageId)).toEqual([local]);
    };
    await check(store);
    // A new process on the same bucket builds its index from the sidecars, owners included.
    const reopened = await opened({ prefix, client, clock });
    await check(reopened.store);
  });
});
