import { ImageGenError } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import type { GalleryEntry, GalleryListing } from '@imagegen/mcp-app-views';

export type { GalleryEntry, GalleryListing };

/** What the gallery filters by; every field optional. Dates are `YYYY-MM-DD` (UTC, inclusive). */
export interface GalleryQuery {
  text?: string;
  model?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** The most images scanned for one listing: enough for a team's folder, bounded for a request. */
const scanLimit = 10_000;
const pageSize = 1_000;

function parseDay(value: string | undefined, name: 'from' | 'to'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new ImageGenError({ code: 'invalid_request', message: `${name} must be a date like 2026-12-01.`, details: { setting: name } });
  }
  return name === 'to' ? time + 86_400_000 : time;
}

/**
 * The gallery listing: stored images newest first, filtered by prompt text (case-insensitive, in the stored
 * prompt excerpt), model and creation date. Shared by the open_gallery tool and the HTTP app's `/gallery`.
 */
export async function queryGallery(engine: ImageEngine, query: GalleryQuery = {}): Promise<GalleryListing> {
  const from = parseDay(query.from, 'from');
  const to = parseDay(query.to, 'to');
  const text = (query.text ?? '').trim().toLowerCase();
  const model = (query.model ?? '').trim();
  const limit = Math.min(200, Math.max(1, Math.floor(query.limit ?? 60)));
  const models = new Set<string>();
  const images: GalleryEntry[] = [];
  let totalCount = 0;
  let cursor: string | undefined;
  let scanned = 0;
  do {
    const page = await engine.history({ limit: pageSize, ...(cursor ? { cursor } : {}) });
    for (const entry of page.images) {
      models.add(entry.model);
      const created = Date.parse(entry.createdAt);
      if (text && !entry.promptExcerpt.toLowerCase().includes(text)) continue;
      if (model && entry.model !== model) continue;
      if ((from !== undefined && created < from) || (to !== undefined && created >= to)) continue;
      totalCount += 1;
      if (images.length < limit) {
        images.push({
          image_id: entry.imageId,
          created_at: entry.createdAt,
          prompt: entry.promptExcerpt,
          model: entry.model,
          format: entry.format,
          file_size_bytes: entry.sizeBytes,
          resource_uri: `generated-images://${entry.imageId}`,
        });
      }
    }
    scanned += page.images.length;
    cursor = page.nextCursor;
  } while (cursor && scanned < scanLimit);
  return { images, total_count: totalCount, models: [...models].sort() };
}
