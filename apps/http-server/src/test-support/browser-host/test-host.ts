/// <reference lib="dom" />
/**
 * A minimal MCP Apps host for the browser tests, built on ext-apps' AppBridge: it connects to the server's `/mcp`
 * (with the bearer token), calls a tool, reads the view the tool names, runs it in a sandboxed iframe under a closed
 * CSP, and forwards the view's tool calls and resource reads to the server. It records what the view asked of the
 * host so a test can check it. Bundled by esbuild when the test starts; never shipped.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';

/** What the view asked of the host, for assertions. */
interface HostLog {
  toolCalls: Array<{ name: string; arguments: Record<string, unknown> }>;
  toolResults: Array<{ name: string; structuredContent: unknown; isError: boolean }>;
  messages: string[];
  modelContext: string[];
  downloads: string[];
  errors: string[];
}

/** The CSP a host puts around a view that asks for no domains: nothing may be fetched from anywhere. */
const closedCsp =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob: data:; connect-src 'none'; frame-src 'none'";

const log: HostLog = { toolCalls: [], toolResults: [], messages: [], modelContext: [], downloads: [], errors: [] };
const textOf = (content: unknown): string =>
  (Array.isArray(content) ? content : [])
    .map((block: { type?: string; text?: string }) => (block.type === 'text' ? (block.text ?? '') : ''))
    .join('\n');

async function startHost(options: {
  token: string;
  tool: string;
  arguments: Record<string, unknown>;
  theme: 'light' | 'dark';
}): Promise<void> {
  const client = new Client({ name: 'imagegen-test-host', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', location.origin), {
      requestInit: { headers: { Authorization: `Bearer ${options.token}` } },
    }),
  );
  const { tools } = await client.listTools();
  const tool = tools.find((candidate) => candidate.name === options.tool);
  const resourceUri = (tool?._meta?.['ui'] as { resourceUri?: string } | undefined)?.resourceUri;
  if (!resourceUri) throw new Error(`${options.tool} names no view`);
  const view = (await client.readResource({ uri: resourceUri })).contents[0] as { text?: string; mimeType?: string };
  if (view?.mimeType !== 'text/html;profile=mcp-app' || !view.text) throw new Error(`${resourceUri} is not an MCP App view`);

  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.title = 'MCP App view';
  document.getElementById('view-slot')?.replaceChildren(iframe);

  const hostContext: McpUiHostContext = { theme: options.theme, displayMode: 'inline', platform: 'web' };
  const bridge = new AppBridge(
    null,
    { name: 'imagegen-test-host', version: '1.0.0' },
    { serverTools: {}, serverResources: {}, updateModelContext: { text: {} }, message: { text: {} }, downloadFile: {}, openLinks: {} },
    { hostContext },
  );
  bridge.oncalltool = async (params) => {
    log.toolCalls.push({ name: params.name, arguments: (params.arguments ?? {}) as Record<string, unknown> });
    const result = await client.callTool(params);
    log.toolResults.push({ name: params.name, structuredContent: result.structuredContent, isError: result.isError === true });
    return result as never;
  };
  bridge.onreadresource = async (params) => (await client.readResource(params)) as never;
  bridge.onlistresources = async (params) => (await client.listResources(params)) as never;
  bridge.onmessage = async (params) => {
    log.messages.push(textOf(params.content));
    return {};
  };
  bridge.onupdatemodelcontext = async (params) => {
    log.modelContext.push(textOf(params.content));
    return {};
  };
  bridge.ondownloadfile = async (params) => {
    for (const item of params.contents) log.downloads.push('resource' in item ? item.resource.uri : item.uri);
    return {};
  };
  bridge.onsizechange = ({ height }) => {
    if (height !== undefined) iframe.style.height = `${Math.ceil(height)}px`;
  };
  const initialized = new Promise<void>((resolve) => {
    bridge.oninitialized = () => resolve();
  });
  const contentWindow = iframe.contentWindow;
  if (!contentWindow) throw new Error('the iframe has no window');
  await bridge.connect(new PostMessageTransport(contentWindow, contentWindow));
  iframe.srcdoc = view.text.replace('<head>', `<head><meta http-equiv="Content-Security-Policy" content="${closedCsp}">`);
  await initialized;

  await bridge.sendToolInput({ arguments: options.arguments });
  const result = await client.callTool({ name: options.tool, arguments: options.arguments });
  log.toolResults.push({ name: options.tool, structuredContent: result.structuredContent, isError: result.isError === true });
  await bridge.sendToolResult(result as never);
}

Object.assign(window, { startHost, hostLog: log });
window.addEventListener('error', (event) => log.errors.push(String(event.message)));
