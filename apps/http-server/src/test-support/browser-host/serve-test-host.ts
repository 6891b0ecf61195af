import * as path from 'node:path';
import type { Express } from 'express';
import { build } from 'esbuild';

/** Bundles the test host (AppBridge, the MCP client) for the browser, once per test file. */
export async function bundleTestHost(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(__dirname, 'test-host.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no test host');
  return output.text;
}

/** Serves the test host at `/test-host` on the app under test, so it reaches `/mcp` on the same origin. */
export function mountTestHost(app: Express, script: string): void {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>test host</title>
<style>body{margin:0;font-family:sans-serif} iframe{border:0;width:100%;min-height:400px;display:block}</style></head>
<body><div id="view-slot"></div><script type="module">${script.replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
  app.get('/test-host', (_request, response) => {
    response.type('html').send(page);
  });
}
