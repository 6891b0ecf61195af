export { createImageGenMcpServer, imageGenToolNames } from './image-gen-mcp-server';
export type { ImageGenMcpServerOptions, ProtocolEra } from './image-gen-mcp-server';
export type { McpServerSettings } from './server-settings';
export type { ToolCallObserver, ToolCallOutcome } from './tool-call-observer';
export { resourceCacheHints } from './resources';
export { legacyResourceNotFoundCode, withLegacyResourceNotFoundCode } from './legacy-error-codes';
