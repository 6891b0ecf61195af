import { McpServer, type McpServerOptions, type Transport } from '@modelcontextprotocol/server';
import { silentLogger, type Logger } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { registerAppViews } from './app-views';
import { hasScope, registerSetUserBudgetTool, requireScopesOnRegistration, type McpAuthorization } from './authorization';
import { registerPrompts } from './prompts';
import { withPlainProtocolErrors } from './protocol-errors';
import { answerToolCallsOnShutdown } from './shutdown-answer';
import { registerResources } from './resources';
import type { McpServerSettings } from './server-settings';
import { observeToolCalls, type ToolCallObserver } from './tool-call-observer';
import { editImageToolName, registerEditImageTool } from './tools/edit-image';
import { galleryToolNames, registerGalleryTools } from './tools/gallery-tools';
import { generateImageToolName, registerGenerateImageTool } from './tools/generate-image';
import { getGenerationToolName, registerGetGenerationTool } from './tools/get-generation';
import { listAvailableModelsToolName, registerListAvailableModelsTool } from './tools/list-available-models';
import { registerStorageTools, storageToolNames } from './tools/storage-tools';

/** The names of every tool the server registers (e.g. for metric labels that must stay a fixed set). */
export const imageGenToolNames: readonly string[] = [
  listAvailableModelsToolName,
  generateImageToolName,
  editImageToolName,
  getGenerationToolName,
  ...storageToolNames,
  ...galleryToolNames,
];

/**
 * The protocol family one server instance serves: `legacy` for the 2025 revisions (an `initialize` handshake, then a
 * session), `modern` for 2026-07-28 (per request, no handshake). The SDK's serving entries say which.
 */
export type ProtocolEra = 'legacy' | 'modern';

/** What {@link createImageGenMcpServer} is built from. */
export interface ImageGenMcpServerOptions {
  /** The engine every tool, resource and prompt uses. */
  engine: ImageEngine;
  /** Response budget, links and server identity. */
  settings: McpServerSettings;
  /** Structured logs (never stdout). */
  logger?: Logger;
  /** The era this instance serves (default `legacy`, what a hand-connected transport speaks). */
  era?: ProtocolEra;
  /** Sees every tool call start and end (metrics, draining on shutdown). */
  toolCallObserver?: ToolCallObserver;
  /**
   * The signed-in caller (HTTP with sign-in only): tools and resources then require their scopes (403
   * `insufficient_scope` otherwise), listings are empty without the read scope, and administrators get
   * `set_user_budget`. The engine should be the caller's view (`engine.forPrincipal`). Absent: everything is allowed.
   */
  authorization?: McpAuthorization;
  /** Aborted when the host stops for good: tool calls still running then answer that the server is shutting down. */
  shutdownSignal?: AbortSignal;
}

/**
 * Lists that do not change while the server runs may be reused for a while by 2026-07-28 clients; the resource list
 * grows with every image (clients hear of that through list-changed) and is never reused.
 */
const listCacheHints = {
  'tools/list': { ttlMs: 5 * 60 * 1000, cacheScope: 'private' },
  'prompts/list': { ttlMs: 5 * 60 * 1000, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: 5 * 60 * 1000, cacheScope: 'private' },
  'resources/list': { ttlMs: 0, cacheScope: 'private' },
  'server/discover': { ttlMs: 5 * 60 * 1000, cacheScope: 'private' },
} as const;

/**
 * The SDK's tables of registered tools, prompts, resources and templates, looked up by the name or URI a client sends.
 * They are plain objects, so `prompts/get` for `constructor` found `Object.prototype.constructor` and answered
 * "Prompt constructor disabled"; without a prototype every such name is simply unknown.
 */
const sdkRegistryFields = ['_registeredTools', '_registeredPrompts', '_registeredResources', '_registeredResourceTemplates'] as const;

/** The SDK's server, safe for any name a client sends and sending no internal error text over any transport. */
class ImageGenMcpServer extends McpServer {
  constructor(
    serverInfo: { name: string; version: string },
    options: McpServerOptions,
    private readonly logger: Logger,
  ) {
    super(serverInfo, options);
    const fields = this as unknown as Record<string, unknown>;
    for (const field of sdkRegistryFields) {
      const registry = fields[field];
      if (registry !== null && typeof registry === 'object') Object.setPrototypeOf(registry, null);
    }
  }

  override connect(transport: Transport): Promise<void> {
    return super.connect(withPlainProtocolErrors(transport, this.logger));
  }
}

/**
 * The one MCP server factory: tools, resources and prompts over an engine. The serving entries call it once per
 * stdio connection, once per 2025 HTTP session, and once per 2026-07-28 HTTP request.
 */
export function createImageGenMcpServer(options: ImageGenMcpServerOptions): McpServer {
  const logger = options.logger ?? silentLogger;
  const era = options.era ?? 'legacy';
  const server = new ImageGenMcpServer(
    { name: options.settings.name, version: options.settings.version },
    {
      // MCP logging is deprecated in 2026-07-28 (no logging/setLevel there): only 2025 clients are offered it.
      capabilities: { ...(era === 'legacy' ? { logging: {} } : {}), resources: { listChanged: true }, tools: {}, prompts: {} },
      cacheHints: listCacheHints,
      instructions:
        'Generate images with generate_image and edit them with edit_image. A long generation answers with a job_id: fetch the image with get_generation. Each result names where the image is stored (resource URI and file path); inline images are previews when the full image is large. Call list_available_models to see models and prices.',
    },
    logger,
  );
  // The wrapper applied first runs outermost: the observer sees a call answered for shutdown finish right then.
  if (options.toolCallObserver) observeToolCalls(server, options.toolCallObserver);
  if (options.authorization) requireScopesOnRegistration(server, options.authorization);
  if (options.shutdownSignal) answerToolCallsOnShutdown(server, options.shutdownSignal);
  registerListAvailableModelsTool(server, options.engine, logger);
  registerGenerateImageTool(server, options.engine, options.settings, logger);
  registerEditImageTool(server, options.engine, options.settings, logger);
  registerGetGenerationTool(server, options.engine, options.settings, logger);
  registerStorageTools(server, options.engine, options.settings, logger);
  registerGalleryTools(server, options.engine, logger, () => server.sendResourceListChanged());
  registerResources(server, options.engine, options.settings, { canList: hasScope(options.authorization, 'read') });
  if (options.authorization && hasScope(options.authorization, 'admin')) registerSetUserBudgetTool(server, options.engine, logger);
  registerAppViews(server);
  registerPrompts(server, options.engine.templates, options.engine.templateAutoSize);
  return server;
}
