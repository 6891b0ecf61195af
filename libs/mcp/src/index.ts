export { createImageGenMcpServer, imageGenToolNames } from './image-gen-mcp-server';
export type { ImageGenMcpServerOptions, ProtocolEra } from './image-gen-mcp-server';
export type { McpServerSettings } from './server-settings';
export { appViewMimeType, galleryViewUri, imageViewUri } from './app-views';
export { queryGallery } from './gallery-query';
export type { GalleryEntry, GalleryListing, GalleryQuery } from './gallery-query';
export type { ToolCallObserver, ToolCallOutcome } from './tool-call-observer';
export { resourceCacheHints } from './resources';
export { legacyResourceNotFoundCode, withLegacyResourceNotFoundCode } from './legacy-error-codes';
