import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import type { Logger } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { describeHistory, describeStats } from '../storage-views';
import type { McpServerSettings } from '../server-settings';
import { toolErrorResult } from '../tool-errors';
import { galleryViewUri, viewMeta } from '../app-views';

/** The history and stats tool names. */
export const storageToolNames = ['get_image_history', 'get_storage_stats'] as const;

/** Tools mirroring the history and stats resources, for clients that support tools but not resources. */
export function registerStorageTools(server: McpServer, engine: ImageEngine, settings: McpServerSettings, logger: Logger): void {
  server.registerTool(
    storageToolNames[0],
    {
      title: 'Recent images',
      description: 'Recently generated images, newest first, with their resource URIs and file paths (same as image-history://recent).',
      inputSchema: z.object({
        limit: z.number().int().min(1).max(100).optional().describe('How many (default 10, max 100)'),
        days: z.number().positive().optional().describe('How many days back (default 7)'),
      }),
      // Hosts with MCP Apps show the history in the gallery view (the same fields as open_gallery's listing).
      _meta: viewMeta(galleryViewUri),
      annotations: { title: 'Recent images', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      try {
        const history = await describeHistory(engine, args.limit ?? 10, args.days ?? 7);
        return { content: [{ type: 'text', text: JSON.stringify(history, null, 2) }], structuredContent: history };
      } catch (error) {
        return toolErrorResult(error, logger);
      }
    },
  );
  server.registerTool(
    storageToolNames[1],
    {
      title: 'Storage statistics',
      description:
        'Stored image count, disk usage, oldest and newest image, retention and the last cleanup (same as storage-stats://overview).',
      inputSchema: z.object({}),
      annotations: { title: 'Storage statistics', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      try {
        const stats = await describeStats(engine, settings);
        return { content: [{ type: 'text', text: JSON.stringify(stats, null, 2) }], structuredContent: stats };
      } catch (error) {
        return toolErrorResult(error, logger);
      }
    },
  );
}
