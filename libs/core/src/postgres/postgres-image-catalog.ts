import {
  emptyFormatTotals,
  isImageFormat,
  type CatalogEntry,
  type CatalogTotals,
  type CleanupSummary,
  type ImageCatalog,
} from '@imagegen/storage';
import { databaseFailure, retryTransient, type PostgresDatabase } from './database';

interface ImageRow {
  id: string;
  created_ms: number;
  image_bytes: number;
  sidecar_bytes: number;
  format: string;
  directory: string;
  prompt_excerpt: string;
  model: string;
  principal_id: string;
}

const entryColumns =
  'id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms, image_bytes::float8 AS image_bytes, ' +
  'sidecar_bytes::float8 AS sidecar_bytes, format, directory, prompt_excerpt, model, principal_id';

function entryOf(row: ImageRow): CatalogEntry {
  if (!isImageFormat(row.format)) throw new Error(`The images table holds an unknown format for ${row.id}`);
  return {
    id: row.id,
    createdAtMs: Math.round(row.created_ms),
    imageBytes: row.image_bytes,
    sidecarBytes: row.sidecar_bytes,
    format: row.format,
    directory: row.directory,
    promptExcerpt: row.prompt_excerpt,
    model: row.model,
    principalId: row.principal_id,
  };
}

/** The key just after every id saved on the day of `key` (ids start `img_YYYYMMDD`). */
function nextDayKey(day: string): string {
  const date = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)) + 1));
  return `img_${date.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/**
 * The image index in PostgreSQL, shared by every replica: one row per image in `images` (id-ordered, so history is an
 * index range scan), with per-format totals and per-day counts kept by a trigger so stats and counts never scan the
 * table. Optional principal filters use the `(principal_id, id)` index. Run {@link migrateDatabase} first.
 */
export function createPostgresImageCatalog(database: PostgresDatabase): ImageCatalog {
  return describingFailures(createCatalog(database));
}

/** Every failure as `storage_failed` saying that the image index in the database could not be read or written. */
function describingFailures(catalog: ImageCatalog): ImageCatalog {
  const described = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(catalog) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    described[name] = (...args: unknown[]) =>
      method(...args).catch((error: unknown) => {
        throw databaseFailure(
          name === 'add' || name === 'remove' || name === 'recordCleanup' ? 'update the image index' : 'read the image index',
          error,
        );
      });
  }
  return described as unknown as ImageCatalog;
}

function createCatalog(database: PostgresDatabase): ImageCatalog {
  /** Builds `$n` placeholders as values are added, so optional filters need no hand-counted positions. */
  const parameters = () => {
    const values: unknown[] = [];
    return {
      values,
      add: (value: unknown) => {
        values.push(value);
        return `$${values.length}`;
      },
      principal: (principalId: string | undefined) => (principalId === undefined ? '' : ` AND principal_id = $${values.push(principalId)}`),
    };
  };

  const countFrom = async (fromKey: string, principalId?: string): Promise<number> => {
    const query = parameters();
    if (fromKey <= 'img_') {
      const rows = await database.query<{ count: number }>(
        `SELECT coalesce(sum(image_count), 0)::float8 AS count FROM image_totals WHERE true${query.principal(principalId)}`,
        query.values,
      );
      return rows[0]?.count ?? 0;
    }
    const day = fromKey.slice(4, 12);
    if (!/^\d{8}$/.test(day)) return 0;
    // Whole days after the key's day from the counts; the key's own day from the index.
    const rows = await database.query<{ later: number; boundary: number }>(
      `SELECT (SELECT coalesce(sum(image_count), 0) FROM image_day_counts WHERE day > ${query.add(day)}${query.principal(principalId)})::float8 AS later,
              (SELECT count(*) FROM images WHERE id >= ${query.add(fromKey)} AND id < ${query.add(nextDayKey(day))}${query.principal(principalId)})::float8 AS boundary`,
      query.values,
    );
    return (rows[0]?.later ?? 0) + (rows[0]?.boundary ?? 0);
  };

  return {
    async add(entry) {
      await retryTransient(() =>
        database.query(
          `INSERT INTO images (id, created_at, image_bytes, sidecar_bytes, format, directory, prompt_excerpt, model, principal_id)
         VALUES ($1, to_timestamp($2::float8 / 1000), $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at, image_bytes = EXCLUDED.image_bytes,
           sidecar_bytes = EXCLUDED.sidecar_bytes, format = EXCLUDED.format, directory = EXCLUDED.directory,
           prompt_excerpt = EXCLUDED.prompt_excerpt, model = EXCLUDED.model, principal_id = EXCLUDED.principal_id`,
          [
            entry.id,
            entry.createdAtMs,
            entry.imageBytes,
            entry.sidecarBytes,
            entry.format,
            entry.directory,
            entry.promptExcerpt,
            entry.model,
            entry.principalId,
          ],
        ),
      );
    },
    async remove(ids) {
      if (ids.length === 0) return;
      // The trigger updates counter rows per deleted image; a concurrent save may lock them in another order.
      await retryTransient(() => database.query('DELETE FROM images WHERE id = ANY($1::text[])', [ids]));
    },
    async get(id) {
      const rows = await database.query<ImageRow>(`SELECT ${entryColumns} FROM images WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : entryOf(rows[0]);
    },
    async existing(ids) {
      if (ids.length === 0) return new Set();
      const rows = await database.query<{ id: string }>('SELECT id FROM images WHERE id = ANY($1::text[])', [ids]);
      return new Set(rows.map((row) => row.id));
    },
    async newestFirst({ fromKey, limit, beforeId, principalId }) {
      const query = parameters();
      const where = `id >= ${query.add(fromKey)} AND id < ${query.add(beforeId ?? 'img_~')}${query.principal(principalId)}`;
      const rows = await database.query<ImageRow>(
        `SELECT ${entryColumns} FROM images WHERE ${where} ORDER BY id DESC LIMIT ${query.add(limit + 1)}`,
        query.values,
      );
      const hasMore = rows.length > limit;
      return { entries: rows.slice(0, limit).map(entryOf), hasMore };
    },
    countFrom,
    async totals(principalId) {
      const query = parameters();
      const filter = { sql: query.principal(principalId), values: query.values };
      const [formats, ends] = await Promise.all([
        database.query<{ format: string; image_count: number; image_bytes: number; sidecar_bytes: number }>(
          `SELECT format, sum(image_count)::float8 AS image_count, sum(image_bytes)::float8 AS image_bytes,
                  sum(sidecar_bytes)::float8 AS sidecar_bytes FROM image_totals WHERE true${filter.sql} GROUP BY format`,
          filter.values,
        ),
        database.query<{ oldest: string | null; oldest_ms: number | null; newest: string | null; newest_ms: number | null }>(
          `SELECT o.id AS oldest, (extract(epoch FROM o.created_at) * 1000)::float8 AS oldest_ms,
                  n.id AS newest, (extract(epoch FROM n.created_at) * 1000)::float8 AS newest_ms
             FROM (SELECT 1) AS one
             LEFT JOIN LATERAL (SELECT id, created_at FROM images WHERE true${filter.sql} ORDER BY id LIMIT 1) AS o ON true
             LEFT JOIN LATERAL (SELECT id, created_at FROM images WHERE true${filter.sql} ORDER BY id DESC LIMIT 1) AS n ON true`,
          filter.values,
        ),
      ]);
      const byFormat = emptyFormatTotals();
      const totals: CatalogTotals = { imageCount: 0, imageBytes: 0, totalBytes: 0, byFormat, oldest: null, newest: null };
      for (const row of formats) {
        if (!isImageFormat(row.format) || row.image_count === 0) continue;
        byFormat[row.format] = { count: row.image_count, bytes: row.image_bytes };
        totals.imageCount += row.image_count;
        totals.imageBytes += row.image_bytes;
        totals.totalBytes += row.image_bytes + row.sidecar_bytes;
      }
      const end = ends[0];
      if (end?.oldest != null && end.oldest_ms != null) totals.oldest = { id: end.oldest, createdAtMs: Math.round(end.oldest_ms) };
      if (end?.newest != null && end.newest_ms != null) totals.newest = { id: end.newest, createdAtMs: Math.round(end.newest_ms) };
      return totals;
    },
    async listIds(prefix, limit, principalId) {
      // A range on the C-ordered key finds the prefix through the index; starts_with keeps the answer exact.
      const query = parameters();
      const lower = query.add(prefix);
      const where = `id >= ${lower} AND id < ${query.add(`${prefix}\u{10FFFF}`)} AND starts_with(id, ${lower})${query.principal(principalId)}`;
      const rows = await database.query<{ id: string }>(
        `SELECT id FROM images WHERE ${where} ORDER BY id DESC LIMIT ${query.add(limit)}`,
        query.values,
      );
      return rows.map((row) => row.id);
    },
    async oldestFirst(limit, afterId) {
      const rows = await database.query<ImageRow>(`SELECT ${entryColumns} FROM images WHERE id > $1 ORDER BY id LIMIT $2`, [
        afterId ?? '',
        limit,
      ]);
      return rows.map(entryOf);
    },
    async lastCleanup() {
      const rows = await database.query<{ last_cleanup: CleanupSummary | null }>('SELECT last_cleanup FROM image_store_state');
      return rows[0]?.last_cleanup ?? null;
    },
    async recordCleanup(summary) {
      await database.query(
        `INSERT INTO image_store_state (singleton, last_cleanup) VALUES (true, $1)
         ON CONFLICT (singleton) DO UPDATE SET last_cleanup = EXCLUDED.last_cleanup`,
        [JSON.stringify(summary)],
      );
    },
    async close() {
      // The pool belongs to the database handle, which the engine closes after the store.
    },
  };
}
