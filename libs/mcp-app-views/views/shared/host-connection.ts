import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables, type McpUiHostContext } from '@modelcontextprotocol/ext-apps';

/** Applies what the host says about its look: light or dark, its colour variables and fonts. */
function followHostLook(context: McpUiHostContext | undefined): void {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

/**
 * Connects a view to its host over postMessage and keeps the view's theme in step with the host's. Handlers must be
 * set before connecting, so the caller passes a function that sets them on the new App.
 */
export async function connectToHost(viewName: string, setHandlers: (app: App) => void): Promise<App> {
  const app = new App({ name: viewName, version: '0.1.0' }, {}, { autoResize: true });
  setHandlers(app);
  app.addEventListener('hostcontextchanged', (context) => followHostLook(context));
  await app.connect();
  followHostLook(app.getHostContext());
  return app;
}

/** The text of a tool result that failed, for a person: the server's own actionable message. */
export function toolErrorText(result: { content?: Array<{ type: string; text?: string }> }, fallback: string): string {
  const text = (result.content ?? [])
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('\n')
    .trim();
  return text || fallback;
}

/** A failure thrown by the host or the transport, as a sentence (never a stack trace). */
export function describeFailure(error: unknown, action: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Could not ${action}: ${message.replace(/^MCP error -?\d+:\s*/, '')}`;
}

/** Reads a `generated-images://` resource through the host: the original bytes, full resolution. */
export async function readImageThroughHost(app: App, uri: string): Promise<Blob> {
  const result = await app.readServerResource({ uri });
  const content = result.contents[0];
  if (!content || !('blob' in content) || typeof content.blob !== 'string') {
    throw new Error(`the server sent no image for ${uri}`);
  }
  return base64ToBlob(content.blob, content.mimeType ?? 'image/png');
}

/** Decodes base64 into a Blob of the given type. */
export function base64ToBlob(base64: string, mimeType: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return new Blob([bytes], { type: mimeType });
}

/** Encodes a Blob as base64 (for embedding a download). */
export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return btoa(binary);
}
