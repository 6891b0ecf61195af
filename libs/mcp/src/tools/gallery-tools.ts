import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import type { Logger } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { galleryViewUri, viewMeta } from '../app-views';
import { queryGallery } from '../gallery-query';
import { toolErrorResult } from '../tool-errors';

/** The gallery tool names. */
export const galleryToolNames = ['open_gallery', 'delete_image'] as const;

const galleryEntryShape = z.object({
  image_id: z.string(),
  created_at: z.string(),
  prompt: z.string(),
  model: z.string(),
  format: z.string(),
  file_size_bytes: z.number(),
  resource_uri: z.string(),
});

/**
 * open_gallery (the gallery view in hosts with MCP Apps; a text list elsewhere) and delete_image (file, sidecar,
 * index entry and cache entry). The gallery view calls both again itself, to filter and to delete.
 */
export function registerGalleryTools(server: McpServer, engine: ImageEngine, logger: Logger, onImagesChanged: () => void): void {
  server.registerTool(
    galleryToolNames[0],
    {
      title: 'Open the image gallery',
      description:
        'Show stored images, newest first, optionally filtered by prompt text, model and creation date. Hosts with MCP Apps show a gallery where images can be opened and deleted; others get the list.',
      inputSchema: z.object({
        text: z.string().optional().describe('Only images whose prompt contains this (case-insensitive)'),
        model: z.string().optional().describe('Only images made by this model id'),
        from: z.string().optional().describe('Only images created on or after this day (YYYY-MM-DD, UTC)'),
        to: z.string().optional().describe('Only images created on or before this day (YYYY-MM-DD, UTC)'),
        limit: z.number().int().min(1).max(200).optional().describe('How many to list (default 60)'),
      }),
      outputSchema: z.object({ images: z.array(galleryEntryShape), total_count: z.number(), models: z.array(z.string()) }),
      annotations: {
        title: 'Open the image gallery',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      _meta: viewMeta(galleryViewUri),
    },
    async (args) => {
      try {
        const listing = await queryGallery(engine, args);
        const lines = listing.images.map((image) => `${image.image_id}  ${image.created_at}  ${image.model}  ${image.prompt}`);
        const text = [
          listing.total_count === 0
            ? 'No stored images match.'
            : `${listing.total_count} stored image(s) match${listing.images.length < listing.total_count ? `; the newest ${listing.images.length}` : ''}:`,
          ...lines,
        ].join('\n');
        return { content: [{ type: 'text', text }], structuredContent: { ...listing } };
      } catch (error) {
        return toolErrorResult(error, logger);
      }
    },
  );

  server.registerTool(
    galleryToolNames[1],
    {
      title: 'Delete a stored image',
      description:
        'Delete a stored image for good: its file, its metadata sidecar, its index entry and the cache entry that would serve it again. Give an id (img_…) or a generated-images:// URI.',
      inputSchema: z.object({ image_id: z.string().describe('The image to delete: img_… or generated-images://img_…') }),
      outputSchema: z.object({ image_id: z.string(), deleted: z.boolean(), cache_entry_removed: z.boolean() }),
      annotations: {
        title: 'Delete a stored image',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args) => {
      try {
        const report = await engine.deleteImage(args.image_id);
        onImagesChanged();
        return {
          content: [
            {
              type: 'text',
              text: `Deleted ${report.imageId} (file, metadata and index entry${report.cacheEntryRemoved ? ', and its cache entry' : ''}).`,
            },
          ],
          structuredContent: { image_id: report.imageId, deleted: true, cache_entry_removed: report.cacheEntryRemoved },
        };
      } catch (error) {
        return toolErrorResult(error, logger);
      }
    },
  );
}
