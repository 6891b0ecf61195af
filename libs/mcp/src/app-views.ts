import type { McpServer } from '@modelcontextprotocol/server';
import { lazyModule } from '@imagegen/common';

// Half a megabyte of HTML, loaded when a host first reads a view rather than when the server starts.
const viewFiles = lazyModule(() => import('@imagegen/mcp-app-views'));

/** MIME type of an MCP App view (SEP-1865). */
export const appViewMimeType = 'text/html;profile=mcp-app';

/** The image view: generate_image and edit_image results, variants, the mask editor. */
export const imageViewUri = 'ui://imagegen/image-view.html';

/** The gallery view: open_gallery. */
export const galleryViewUri = 'ui://imagegen/gallery.html';

/**
 * The `_meta` that names a tool's view: `ui.resourceUri`, and the older flat key that hosts of the first Apps
 * releases read. Hosts without Apps ignore it and show the tool's ordinary content.
 */
export function viewMeta(resourceUri: string, visibility?: Array<'model' | 'app'>): Record<string, unknown> {
  return { ui: { resourceUri, ...(visibility ? { visibility } : {}) }, 'ui/resourceUri': resourceUri };
}

/**
 * Registers the views as `ui://` resources. Each is one self-contained HTML file: it loads nothing from the network,
 * so it asks for no CSP domains and the host's default (closed) policy stands.
 */
export function registerAppViews(server: McpServer): void {
  const views = [
    {
      name: 'image-view',
      uri: imageViewUri,
      title: 'Image view',
      html: async () => (await viewFiles.load()).imageViewHtml,
      description: 'Generated images at full size, variants, a mask editor and download.',
    },
    {
      name: 'gallery-view',
      uri: galleryViewUri,
      title: 'Gallery',
      html: async () => (await viewFiles.load()).galleryViewHtml,
      description: 'Stored images: filter by prompt, model and date; open; delete.',
    },
  ];
  for (const view of views) {
    server.registerResource(
      view.name,
      view.uri,
      { title: view.title, description: view.description, mimeType: appViewMimeType, _meta: { ui: { prefersBorder: true } } },
      async (uri) => ({
        contents: [{ uri: uri.href, mimeType: appViewMimeType, text: await view.html(), _meta: { ui: { prefersBorder: true, csp: {} } } }],
      }),
    );
  }
}
