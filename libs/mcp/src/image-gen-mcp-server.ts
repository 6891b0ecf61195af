import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { silentLogger, type Logger } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { registerAppViews } from './app-views';
import { registerPrompts } from './prompts';
import { registerResources } from './resources';
import type { McpServerSettings } from './server-settings';
import { editImageToolName, registerEditImageTool } from './tools/edit-image';
import { galleryToolNames, registerGalleryTools } from './tools/gallery-tools';
import { generateImageToolName, registerGenerateImageTool } from './tools/generate-image';
import { listAvailableModelsToolName, registerListAvailableModelsTool } from './tools/list-available-models';
import { registerStorageTools, storageToolNames } from './tools/storage-tools';

/** The names of every tool the server registers (e.g. for metric labels that must stay a fixed set). */
export const imageGenToolNames: readonly string[] = [
  listAvailableModelsToolName,
  generateImageToolName,
  editImageToolName,
  ...storageToolNames,
  ...galleryToolNames,
];

/** What {@link createImageGenMcpServer} is built from. */
export interface ImageGenMcpServerOptions {
  /** The engine every tool, resource and prompt uses. */
  engine: ImageEngine;
  /** Response budget, links and server identity. */
  settings: McpServerSettings;
  /** Structured logs (never stdout). */
  logger?: Logger;
}

/**
 * The one MCP server factory: tools, resources and prompts over an engine. The stdio app calls it once; the HTTP
 * app once per session (or per request when stateless).
 */
export function createImageGenMcpServer(options: ImageGenMcpServerOptions): McpServer {
  const logger = options.logger ?? silentLogger;
  const server = new McpServer(
    { name: options.settings.name, version: options.settings.version },
    {
      capabilities: { logging: {}, resources: { listChanged: true }, tools: {}, prompts: {} },
      instructions:
        'Generate images with generate_image and edit them with edit_image. Each result names where the image is stored (resource URI and file path); inline images are previews when the full image is large. Call list_available_models to see models and prices.',
    },
  );
  registerListAvailableModelsTool(server, options.engine, logger);
  registerGenerateImageTool(server, options.engine, options.settings, logger);
  registerEditImageTool(server, options.engine, options.settings, logger);
  registerStorageTools(server, options.engine, options.settings, logger);
  registerGalleryTools(server, options.engine, logger, () => server.sendResourceListChanged());
  registerResources(server, options.engine, options.settings);
  registerAppViews(server);
  registerPrompts(server, options.engine.templates);
  return server;
}
