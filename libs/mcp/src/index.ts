export { createImageGenMcpServer, imageGenToolNames } from './image-gen-mcp-server';
export type { ImageGenMcpServerOptions } from './image-gen-mcp-server';
export type { McpServerSettings } from './server-settings';
