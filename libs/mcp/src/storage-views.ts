import type { ImageEngine } from '@imagegen/core';
import type { McpServerSettings } from './server-settings';

const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** The original design's `image-history://recent` shape. */
export async function describeHistory(engine: ImageEngine, limit: number, days: number) {
  const [page, stats] = await Promise.all([engine.history({ limit: Math.min(100, Math.max(1, limit)), days }), engine.stats()]);
  return {
    images: page.images.map((image) => ({
      image_id: image.imageId,
      created_at: image.createdAt,
      prompt: image.promptExcerpt,
      model: image.model,
      resource_uri: `generated-images://${image.imageId}`,
      ...(image.filePath ? { file_path: image.filePath } : {}),
      file_size_bytes: image.sizeBytes,
      format: image.format,
    })),
    total_count: page.totalCount,
    storage_usage_mb: megabytes(stats.totalBytes),
  };
}

/** The original design's `storage-stats://overview` shape. */
export async function describeStats(engine: ImageEngine, settings: McpServerSettings) {
  const stats = await engine.stats();
  return {
    total_images: stats.imageCount,
    storage_usage_mb: megabytes(stats.totalBytes),
    oldest_image: stats.oldest?.createdAt ?? null,
    newest_image: stats.newest?.createdAt ?? null,
    retention_policy_days: settings.retentionDays,
    cleanup_last_run: stats.lastCleanup?.at ?? null,
    images_cleaned_up: stats.lastCleanup?.removedImages ?? 0,
  };
}
