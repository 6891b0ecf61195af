import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { ImageGenError, lazyModule, silentLogger, systemClock, throwIfAborted, type Clock, type Logger } from '@imagegen/common';
import { validateCleanupOptions } from './cleanup-run';
import { describeStart, hasSignatureOf } from './file-signature';
import { createMemoryImageCatalog, type CatalogEntry, type ImageCatalog } from './image-catalog';
import { formatOfExtension, mimeTypeOfFormat, type ImageFormat } from './image-format';
import { assertValidImageId, generateImageId, imageIdKeyForTime, imageIdTimestamp, isValidImageId } from './image-id';
import { parseImageMetadata, parseSidecarBytes, type ImageMetadata } from './image-metadata';
import type {
  CleanupOptions,
  CleanupReport,
  HistoryPage,
  HistoryQuery,
  ImageStore,
  PrincipalFilter,
  RemovedImage,
  RemovedStrayFile,
  SaveImageInput,
  StorageStats,
  StoredImage,
  StoredImageContent,
  StoredImageStream,
} from './image-store';
import { promptExcerpt } from './index-file';
import { buildMetadata, encodeMetadata, validateSaveInput } from './save-input';
import { imageNotFound, invalidRequest } from './storage-errors';
import { directoryOfImageId, imageFileName, relativeToBase, sidecarFileName } from './storage-paths';

/** Where the bucket is and how to reach it. Credentials come from the AWS SDK's default chain (environment, profile, role). */
export interface S3BucketSettings {
  /** The bucket name. */
  bucket: string;
  /** Key prefix inside the bucket (`team-a/`); a missing trailing `/` is added. Default: none. */
  prefix?: string;
  /** Endpoint of an S3-compatible service (`http://127.0.0.1:9000`); default: AWS for `region`. */
  endpoint?: string;
  /** Region; default `us-east-1` (most S3-compatible services ignore it). */
  region?: string;
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint` (MinIO, s3rver, Ceph need it). Default false. */
  forcePathStyle?: boolean;
}

/** Settings of {@link createS3ImageStore}. */
export interface S3ImageStoreOptions extends S3BucketSettings {
  /** A ready client (tests, custom credentials); otherwise one is built from the bucket settings. */
  client?: S3Client;
  /**
   * The index of stored images. Default: an in-memory catalog filled by listing the bucket at open, which suits one
   * process; replicas share a PostgreSQL catalog (`@imagegen/core`). The store closes it when it closes.
   */
  catalog?: ImageCatalog;
  /** `true` (default): keys `images/YYYY/MM/DD/…`; `false`: `images/…`, as the folder layout. */
  createSubdirectories?: boolean;
  /** Time source for ids, history windows and retention. */
  clock?: Clock;
  /** Where repairs and cleanups are reported (never credentials). */
  logger?: Logger;
  /** Random source for new ids. */
  random?: (byteCount: number) => Uint8Array;
}

/** The object-storage {@link ImageStore}, plus a rebuild of its catalog from the bucket. */
export interface S3ImageStore extends ImageStore {
  /** `s3://bucket/prefix`, for logs and messages. */
  readonly location: string;
  /** {@inheritDoc ImageStore.openImageStream} */
  openImageStream(imageId: string): Promise<StoredImageStream>;
  /** Lists the bucket and catalogs every image that has a valid sidecar, dropping entries whose objects are gone. */
  rebuildIndex(): Promise<{ imageCount: number }>;
}

const dayMs = 24 * 60 * 60 * 1000;
/** An uncatalogued object this old belongs to a save that failed half-way (a save takes seconds). */
const strayObjectAgeMs = 60 * 60 * 1000;
const deleteBatchSize = 1000;
const retentionPageSize = 1000;
const canSaveCheckIntervalMs = 30_000;

/** The parts of an S3 error worth showing: its name and HTTP status. Messages and request ids stay in `cause`. */
function describeS3Error(error: unknown): { name: string; status?: number } {
  const candidate = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof candidate?.name === 'string' ? candidate.name : 'an unexpected error';
  const status = candidate?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? { name, status } : { name };
}

const isNoSuchKey = (error: unknown) => {
  const { name, status } = describeS3Error(error);
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
};

function objectStorageFailure(action: string, error: unknown): ImageGenError {
  if (ImageGenError.isInstance(error)) return error;
  if ((error as { name?: unknown })?.name === 'AbortError') {
    return new ImageGenError({ code: 'cancelled', message: `Cancelled while trying to ${action}.`, cause: error });
  }
  const { name, status } = describeS3Error(error);
  const hints: Record<string, string> = {
    NoSuchBucket: 'the bucket does not exist (create it, or fix STORAGE__S3__BUCKET)',
    AccessDenied: 'access was denied (check the credentials and the bucket policy)',
    InvalidAccessKeyId: 'the access key is not known to the service',
    SignatureDoesNotMatch: 'the secret key does not match the access key',
    BadDigest: 'the upload arrived corrupted and was refused',
    CredentialsProviderError: 'no AWS credentials were found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or a role)',
  };
  const reason = hints[name] ?? `the object store answered ${name}${status === undefined ? '' : ` (HTTP ${status})`}`;
  const retryable = status === undefined ? !(name in hints) : status >= 500 || status === 429;
  return new ImageGenError({
    code: 'storage_failed',
    message: `Could not ${action}: ${reason}.`,
    retryable,
    cause: error,
    details: { objectStoreError: name, ...(status === undefined ? {} : { httpStatus: status }) },
  });
}

function invalidConfig(message: string, setting: string): ImageGenError {
  return new ImageGenError({ code: 'invalid_config', message, details: { setting } });
}

function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/**
 * The AWS SDK's S3 client, loaded when a bucket store opens: a server on the folder store (the default) starts without
 * paying for it (the SDK is the largest module this package would load at start).
 */
const s3Sdk = lazyModule(() => import('@aws-sdk/client-s3'));

/** Builds the S3 client of the bucket settings, with checksums only where an operation requires them (S3-compatible services vary). */
export async function createS3Client(settings: S3BucketSettings): Promise<S3Client> {
  const { S3Client } = await s3Sdk.load();
  const config: S3ClientConfig = {
    region: settings.region ?? 'us-east-1',
    forcePathStyle: settings.forcePathStyle ?? false,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  };
  return new S3Client(config);
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (isValidImageId(id)) return id;
  throw invalidRequest('The history cursor is not valid; ask for the first page again without a cursor.');
}

/** One object of a bucket listing that looks like the store's. */
interface ListedObject {
  key: string;
  /** Path after the prefix (`images/2026/12/01/img_….png`). */
  relativePath: string;
  imageId: string;
  kind: 'image' | 'sidecar';
  format?: ImageFormat;
  directory: string;
  size: number;
  lastModifiedMs: number;
}

const objectNamePattern = /^images\/(?:(\d{4}\/\d{2}\/\d{2})\/)?(img_\d{14}_[0-9a-f]{12})\.(png|jpg|webp|json)$/;

/**
 * Opens an image store in an S3-compatible bucket: each image is two objects, `{prefix}images/YYYY/MM/DD/{id}.{ext}`
 * and its `{id}.json` sidecar (the folder layout, as keys), and an entry in the catalog.
 *
 * A save writes the image with one PutObject carrying the whole body and its Content-MD5 (the service refuses a
 * corrupted upload, and S3 never shows a half-written object), then the sidecar the same way, then the catalog entry.
 * Readers find images through the catalog only, so they never see an image without its metadata; a save that fails
 * part-way removes what it wrote, and cleanup sweeps anything a crash left behind (uncatalogued objects older than an
 * hour). Deletes remove the catalog entry first, then the sidecar, then the image.
 *
 * Rejects with `invalid_config` for bad settings and `storage_failed` when the bucket cannot be reached.
 */
export async function createS3ImageStore(options: S3ImageStoreOptions): Promise<S3ImageStore> {
  if (typeof options?.bucket !== 'string' || options.bucket.trim() === '') {
    throw invalidConfig('STORAGE__S3__BUCKET must name the bucket when STORAGE__BACKEND is s3.', 'storage.s3.bucket');
  }
  const bucket = options.bucket.trim();
  const prefix = normalisePrefix(options.prefix);
  const { DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } = await s3Sdk.load();
  const client = options.client ?? (await createS3Client(options));
  const ownsClient = options.client === undefined;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? randomBytes;
  const createSubdirectories = options.createSubdirectories ?? true;
  const location = `s3://${bucket}/${prefix}`;
  const catalog = options.catalog ?? createMemoryImageCatalog();

  const keyOf = (directory: string, fileName: string) => `${prefix}${relativeToBase(directory, fileName)}`;
  const imageKey = (entry: Pick<CatalogEntry, 'id' | 'directory' | 'format'>) =>
    keyOf(entry.directory, imageFileName(entry.id, entry.format));
  const sidecarKey = (entry: Pick<CatalogEntry, 'id' | 'directory'>) => keyOf(entry.directory, sidecarFileName(entry.id));

  let closed = false;
  const pending = new Set<Promise<unknown>>();
  const closedError = () =>
    new ImageGenError({ code: 'storage_failed', message: 'The image store is closed; open it again with createS3ImageStore.' });
  /** Runs an operation so that close() can wait for it. */
  const track = <T>(work: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(closedError());
    const running = work();
    pending.add(running);
    void running.then(
      () => pending.delete(running),
      () => pending.delete(running),
    );
    return running;
  };

  const putObject = async (key: string, body: Uint8Array, contentType: string, signal: AbortSignal | undefined) => {
    const contentMd5 = createHash('md5').update(body).digest('base64');
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ContentMD5: contentMd5,
        ContentLength: body.length,
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
  };

  const readObject = async (key: string): Promise<Uint8Array> => {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (answer.Body === undefined) return new Uint8Array();
    return answer.Body.transformToByteArray();
  };

  const deleteObjects = async (keys: readonly string[]): Promise<Array<{ key: string; reason: string }>> => {
    const failures: Array<{ key: string; reason: string }> = [];
    for (let start = 0; start < keys.length; start += deleteBatchSize) {
      const batch = keys.slice(start, start + deleteBatchSize);
      const answer = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true } }),
      );
      for (const failure of answer.Errors ?? []) {
        if (failure.Code === 'NoSuchKey') continue;
        failures.push({ key: failure.Key ?? '', reason: `the object store answered ${failure.Code ?? 'an error'}` });
      }
    }
    return failures;
  };

  const listObjects = async (): Promise<ListedObject[]> => {
    const objects: ListedObject[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${prefix}images/`,
          ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        const relativePath = object.Key.slice(prefix.length);
        const match = objectNamePattern.exec(relativePath);
        if (match === null || !isValidImageId(match[2])) continue;
        const extension = match[3] as string;
        const format = extension === 'json' ? undefined : formatOfExtension(extension);
        objects.push({
          key: object.Key,
          relativePath,
          imageId: match[2] as string,
          kind: extension === 'json' ? 'sidecar' : 'image',
          ...(format === undefined ? {} : { format }),
          directory: match[1] ?? '',
          size: object.Size ?? 0,
          lastModifiedMs: object.LastModified?.getTime() ?? 0,
        });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return objects;
  };

  /** Reads the sidecars of listed objects and returns the entries of complete images (image and valid sidecar). */
  const entriesFromListing = async (objects: readonly ListedObject[]): Promise<CatalogEntry[]> => {
    const images = new Map<string, ListedObject>();
    for (const object of objects) if (object.kind === 'image') images.set(`${object.directory}/${object.imageId}`, object);
    const entries: CatalogEntry[] = [];
    for (const sidecar of objects) {
      if (sidecar.kind !== 'sidecar') continue;
      const image = images.get(`${sidecar.directory}/${sidecar.imageId}`);
      if (image === undefined || image.format === undefined) continue;
      let metadata: ImageMetadata | undefined;
      try {
        const parsed = parseImageMetadata(JSON.parse(Buffer.from(await readObject(sidecar.key)).toString('utf8')));
        if (parsed.ok && parsed.metadata.image_id === sidecar.imageId && parsed.metadata.file_info.format === image.format) {
          metadata = parsed.metadata;
        }
      } catch (error) {
        if (ImageGenError.isInstance(error)) throw error;
      }
      if (metadata === undefined) {
        logger.warn('Skipped an image whose metadata object is unreadable', { key: sidecar.key });
        continue;
      }
      entries.push({
        id: sidecar.imageId,
        createdAtMs: Date.parse(metadata.created_at),
        imageBytes: image.size,
        sidecarBytes: sidecar.size,
        format: image.format,
        directory: sidecar.directory,
        promptExcerpt: promptExcerpt(metadata.prompt),
        model: metadata.model_used,
        principalId: metadata.principal_id,
      });
    }
    return entries;
  };

  const rebuild = async (): Promise<{ imageCount: number }> => {
    const entries = await entriesFromListing(await listObjects());
    const found = new Set(entries.map((entry) => entry.id));
    const stale: string[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await catalog.oldestFirst(retentionPageSize, afterId);
      for (const entry of page) if (!found.has(entry.id)) stale.push(entry.id);
      if (page.length < retentionPageSize) break;
      afterId = page[page.length - 1]?.id;
    }
    await catalog.remove(stale);
    for (const entry of entries) await catalog.add(entry);
    return { imageCount: entries.length };
  };

  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    if (options.catalog === undefined) {
      const { imageCount } = await rebuild();
      logger.info('Listed the image bucket', { location, images: imageCount });
    }
  } catch (error) {
    if (ownsClient) client.destroy();
    if (describeS3Error(error).name === 'NotFound') {
      // HeadBucket has no body, so a missing bucket arrives as a bare 404.
      throw new ImageGenError({
        code: 'storage_failed',
        message: `Could not open the image bucket ${location}: the bucket does not exist (create it, or fix STORAGE__S3__BUCKET).`,
        cause: error,
      });
    }
    throw objectStorageFailure(`open the image bucket ${location}`, error);
  }

  const lookUp = async (imageId: string): Promise<CatalogEntry> => {
    assertValidImageId(imageId);
    if (closed) throw closedError();
    let entry: CatalogEntry | undefined;
    try {
      entry = await catalog.get(imageId);
    } catch (error) {
      throw objectStorageFailure(`look up image ${imageId} in the image index`, error);
    }
    if (entry === undefined) throw imageNotFound(imageId);
    return entry;
  };

  /** An indexed image whose object is gone (deleted by hand, or a lifecycle rule): forget it and report not_found. */
  const missingObject = async (entry: CatalogEntry): Promise<never> => {
    logger.warn('An indexed image object is missing; dropping it from the index', { imageId: entry.id });
    await catalog.remove([entry.id]).catch(() => undefined);
    throw imageNotFound(entry.id);
  };

  const damaged = async (entry: CatalogEntry, what: string): Promise<never> => {
    await catalog.remove([entry.id]).catch(() => undefined);
    throw new ImageGenError({
      code: 'storage_failed',
      message: `${what}. It is no longer listed; its objects are left in place.`,
      details: { imageId: entry.id },
    });
  };

  const readMetadata = async (entry: CatalogEntry): Promise<ImageMetadata> => {
    let bytes: Uint8Array;
    try {
      bytes = await readObject(sidecarKey(entry));
    } catch (error) {
      if (isNoSuchKey(error)) return missingObject(entry);
      throw objectStorageFailure(`read the metadata of image ${entry.id}`, error);
    }
    const parsed = parseSidecarBytes(bytes, entry.id);
    if (!parsed.ok) {
      return damaged(entry, `The metadata object of image ${entry.id} is damaged and cannot be read (${sidecarKey(entry)})`);
    }
    return parsed.metadata;
  };

  const stored = (entry: CatalogEntry, metadata: ImageMetadata): StoredImage => ({
    imageId: entry.id,
    mimeType: mimeTypeOfFormat(entry.format),
    metadata,
  });

  const save = async (input: SaveImageInput): Promise<StoredImage> => {
    validateSaveInput(input);
    throwIfAborted(input.signal);
    const createdAt = clock.now();
    let imageId = input.imageId ?? generateImageId(clock, random);
    const taken = async (id: string) => (await catalog.get(id)) !== undefined;
    try {
      if (input.imageId !== undefined && (await taken(imageId))) {
        throw invalidRequest(`An image with id ${imageId} is already stored; leave imageId out to get a fresh one.`);
      }
      for (let attempt = 0; input.imageId === undefined && (await taken(imageId)) && attempt < 5; attempt += 1) {
        imageId = generateImageId(clock, random);
      }
    } catch (error) {
      throw objectStorageFailure('check the image index', error);
    }
    const metadata = buildMetadata(input, imageId, createdAt);
    const sidecar = encodeMetadata(metadata);
    const directory = directoryOfImageId(imageId, createSubdirectories);
    const entry: CatalogEntry = {
      id: imageId,
      createdAtMs: createdAt.getTime(),
      imageBytes: input.bytes.length,
      sidecarBytes: sidecar.length,
      format: input.format,
      directory,
      promptExcerpt: promptExcerpt(input.prompt),
      model: input.modelUsed,
      principalId: metadata.principal_id,
    };
    const written: string[] = [];
    try {
      written.push(imageKey(entry));
      await putObject(imageKey(entry), input.bytes, mimeTypeOfFormat(input.format), input.signal);
      written.push(sidecarKey(entry));
      await putObject(sidecarKey(entry), sidecar, 'application/json', input.signal);
      await catalog.add(entry);
    } catch (error) {
      // Sidecar first, so that nothing ever shows metadata for an image that is already gone.
      const leftovers = written.reverse();
      await deleteObjects(leftovers).then(
        (failures) => failures.forEach((failure) => logger.error('Could not remove a partly saved object', { key: failure.key })),
        () => logger.error('Could not remove partly saved objects; cleanup removes them within a day', { keys: leftovers }),
      );
      throw objectStorageFailure(`save the image in ${location}`, error);
    }
    return stored(entry, metadata);
  };

  let lastCanSaveCheck = Number.NEGATIVE_INFINITY;
  const checkCanSave = async () => {
    if (closed) throw closedError();
    if (Date.now() - lastCanSaveCheck < canSaveCheckIntervalMs) return;
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      throw objectStorageFailure(`reach the image bucket ${location}`, error);
    }
    lastCanSaveCheck = Date.now();
  };

  const history = async (query: HistoryQuery = {}): Promise<HistoryPage> => {
    const { days, limit = 10, cursor } = query ?? {};
    if (days !== undefined && (typeof days !== 'number' || !Number.isFinite(days) || days <= 0)) {
      throw invalidRequest('days must be a positive number of days.');
    }
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw invalidRequest('limit must be a whole number from 1 to 1000.');
    if (cursor !== undefined && typeof cursor !== 'string')
      throw invalidRequest('cursor must be the nextCursor string of a previous page.');
    const beforeId = cursor === undefined ? undefined : decodeCursor(cursor);
    const { principalId } = query;
    if (closed) throw closedError();
    const fromKey = imageIdKeyForTime(days === undefined ? Number.NEGATIVE_INFINITY : clock.now().getTime() - days * dayMs);
    try {
      const [page, totalCount] = await Promise.all([
        catalog.newestFirst({
          fromKey,
          limit,
          ...(beforeId === undefined ? {} : { beforeId }),
          ...(principalId === undefined ? {} : { principalId }),
        }),
        catalog.countFrom(fromKey, principalId),
      ]);
      const last = page.entries[page.entries.length - 1];
      return {
        images: page.entries.map((entry) => ({
          imageId: entry.id,
          createdAt: new Date(entry.createdAtMs).toISOString(),
          sizeBytes: entry.imageBytes,
          format: entry.format,
          mimeType: mimeTypeOfFormat(entry.format),
          model: entry.model,
          promptExcerpt: entry.promptExcerpt,
          principalId: entry.principalId,
        })),
        totalCount,
        ...(page.hasMore && last !== undefined ? { nextCursor: encodeCursor(last.id) } : {}),
      };
    } catch (error) {
      throw objectStorageFailure('read the image history', error);
    }
  };

  const stats = async (filter: PrincipalFilter = {}): Promise<StorageStats> => {
    if (closed) throw closedError();
    try {
      const [totals, lastCleanup] = await Promise.all([catalog.totals(filter.principalId), catalog.lastCleanup()]);
      const describe = (entry: { id: string; createdAtMs: number } | null) =>
        entry === null ? null : { imageId: entry.id, createdAt: new Date(entry.createdAtMs).toISOString() };
      return {
        imageCount: totals.imageCount,
        imageBytes: totals.imageBytes,
        totalBytes: totals.totalBytes,
        byFormat: totals.byFormat,
        oldest: describe(totals.oldest),
        newest: describe(totals.newest),
        lastCleanup,
      };
    } catch (error) {
      throw objectStorageFailure('read the storage statistics', error);
    }
  };

  const cleanup = async (cleanupOptions: CleanupOptions = {}): Promise<CleanupReport> => {
    validateCleanupOptions(cleanupOptions);
    throwIfAborted(cleanupOptions.signal);
    try {
      return await runObjectCleanup(cleanupOptions);
    } catch (error) {
      throw objectStorageFailure(`clean up ${location}`, error);
    }
  };

  /** Retention from the catalog (expired, then the oldest over the size cap), then objects no catalog entry owns. */
  const runObjectCleanup = async (cleanupOptions: CleanupOptions): Promise<CleanupReport> => {
    const dryRun = cleanupOptions.dryRun ?? false;
    const startedAt = clock.now();
    const nowMs = startedAt.getTime();
    const retentionDays = cleanupOptions.retentionDays ?? 0;
    const maxSizeBytes = cleanupOptions.maxSizeBytes ?? 0;
    const cutoffKey = imageIdKeyForTime(retentionDays > 0 ? nowMs - retentionDays * dayMs : Number.NEGATIVE_INFINITY);
    const totals = await catalog.totals();
    let remainingBytes = totals.totalBytes;
    let remainingImages = totals.imageCount;
    const chosen: CatalogEntry[] = [];
    const removedImages: RemovedImage[] = [];
    let afterId: string | undefined;
    walk: for (;;) {
      const page = await catalog.oldestFirst(retentionPageSize, afterId);
      for (const entry of page) {
        const reason = entry.id < cutoffKey ? 'expired' : maxSizeBytes > 0 && remainingBytes > maxSizeBytes ? 'over_size' : undefined;
        if (reason === undefined) break walk;
        const bytes = entry.imageBytes + entry.sidecarBytes;
        chosen.push(entry);
        removedImages.push({ imageId: entry.id, createdAt: new Date(entry.createdAtMs).toISOString(), bytes, reason });
        remainingBytes -= bytes;
        remainingImages -= 1;
      }
      if (page.length < retentionPageSize) break;
      afterId = page[page.length - 1]?.id;
    }

    const objects = await listObjects();
    const catalogued = await catalog.existing([...new Set(objects.map((object) => object.imageId))]);
    const chosenIds = new Set(chosen.map((entry) => entry.id));
    const strays: Array<RemovedStrayFile & { key: string }> = [];
    for (const object of objects) {
      if (catalogued.has(object.imageId) || chosenIds.has(object.imageId)) continue;
      // A save in progress writes its objects before its catalog entry: only old leftovers are strays.
      if (nowMs - object.lastModifiedMs <= strayObjectAgeMs) continue;
      const savedAtMs = imageIdTimestamp(object.imageId)?.getTime() ?? 0;
      if (nowMs - savedAtMs <= strayObjectAgeMs) continue;
      strays.push({
        key: object.key,
        path: object.relativePath,
        bytes: object.size,
        reason: object.kind === 'image' ? 'orphaned_image' : 'orphaned_sidecar',
      });
    }
    const report: CleanupReport = {
      dryRun,
      at: startedAt.toISOString(),
      removedImages,
      removedFiles: strays.map(({ path, bytes, reason }) => ({ path, bytes, reason })),
      removedBytes: removedImages.reduce((sum, image) => sum + image.bytes, 0) + strays.reduce((sum, stray) => sum + stray.bytes, 0),
      remainingImages,
      remainingBytes,
      failures: [],
    };
    if (dryRun) return report;

    throwIfAborted(cleanupOptions.signal);
    // The catalog goes first: from then on no reader is offered an image whose objects are being deleted.
    await catalog.remove(chosen.map((entry) => entry.id));
    const keys = [...chosen.flatMap((entry) => [sidecarKey(entry), imageKey(entry)]), ...strays.map((stray) => stray.key)];
    const failures = await deleteObjects(keys);
    report.failures = failures.map((failure) => ({ path: failure.key.slice(prefix.length), reason: failure.reason }));
    const summary = {
      at: report.at,
      removedImages: report.removedImages.length,
      removedFiles: report.removedImages.length * 2 + report.removedFiles.length,
      removedBytes: report.removedBytes,
    };
    await catalog.recordCleanup(summary);
    if (failures.length > 0) logger.warn('Cleanup could not remove some objects', { failures: failures.length });
    logger.info('Cleanup finished', summary);
    return report;
  };

  const store: S3ImageStore = {
    location,
    save: (input) => track(() => save(input)),
    checkCanSave: () => track(checkCanSave),

    get: (imageId) =>
      track(async (): Promise<StoredImageContent> => {
        const entry = await lookUp(imageId);
        const [metadata, bytes] = await Promise.all([
          readMetadata(entry),
          readObject(imageKey(entry)).catch((error: unknown) => {
            if (isNoSuchKey(error)) return missingObject(entry);
            throw objectStorageFailure(`read image ${entry.id}`, error);
          }),
        ]);
        if (!hasSignatureOf(bytes, entry.format)) {
          return damaged(
            entry,
            `The image object of ${entry.id} is damaged: its bytes are not ${entry.format.toUpperCase()} (${describeStart(bytes)})`,
          );
        }
        return { ...stored(entry, metadata), bytes };
      }),

    getMetadata: (imageId) =>
      track(async () => {
        const entry = await lookUp(imageId);
        return stored(entry, await readMetadata(entry));
      }),

    openImageStream: (imageId) =>
      track(async (): Promise<StoredImageStream> => {
        const entry = await lookUp(imageId);
        const metadata = await readMetadata(entry);
        let body: unknown;
        try {
          body = (await client.send(new GetObjectCommand({ Bucket: bucket, Key: imageKey(entry) }))).Body;
        } catch (error) {
          if (isNoSuchKey(error)) return missingObject(entry);
          throw objectStorageFailure(`read image ${entry.id}`, error);
        }
        if (!(body instanceof Readable)) {
          throw new ImageGenError({ code: 'storage_failed', message: `The object store sent no body for image ${entry.id}.` });
        }
        return { ...stored(entry, metadata), sizeBytes: entry.imageBytes, stream: body };
      }),

    exists: async (imageId) => {
      assertValidImageId(imageId);
      if (closed) throw closedError();
      try {
        return (await catalog.get(imageId)) !== undefined;
      } catch (error) {
        throw objectStorageFailure(`look up image ${imageId} in the image index`, error);
      }
    },

    delete: (imageId) =>
      track(async () => {
        assertValidImageId(imageId);
        let entry: CatalogEntry | undefined;
        try {
          entry = await catalog.get(imageId);
          if (entry === undefined) return false;
          await catalog.remove([imageId]);
          const failures = await deleteObjects([sidecarKey(entry), imageKey(entry)]);
          if (failures.length > 0) logger.warn('Could not delete the objects of a removed image; cleanup retries', { imageId });
        } catch (error) {
          throw objectStorageFailure(`delete image ${imageId}`, error);
        }
        return true;
      }),

    history: (query) => track(() => history(query)),
    stats: (filter) => track(() => stats(filter)),
    cleanup: (cleanupOptions) => track(() => cleanup(cleanupOptions)),

    listIds: (idPrefix, limit = 20, filter = {}) =>
      track(async () => {
        if (typeof idPrefix !== 'string' || idPrefix.length > 64)
          throw invalidRequest('The id prefix must be a string of at most 64 characters.');
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw invalidRequest('limit must be a whole number from 1 to 100.');
        try {
          return await catalog.listIds(idPrefix, limit, filter.principalId);
        } catch (error) {
          throw objectStorageFailure('list image ids', error);
        }
      }),

    rebuildIndex: () =>
      track(async () => {
        try {
          return await rebuild();
        } catch (error) {
          throw objectStorageFailure(`rebuild the image index from ${location}`, error);
        }
      }),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      await catalog.close();
      if (ownsClient) client.destroy();
    },
  };
  return store;
}
