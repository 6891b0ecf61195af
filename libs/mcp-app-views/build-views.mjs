// Builds each view (a folder under views/, besides shared/) into dist/views/<view>.html: one HTML file with its script and styles
// inlined, so it needs no network access under a closed CSP. vite-plugin-singlefile inlines one entry per build.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

const projectRoot = path.dirname(fileURLToPath(import.meta.url));
const viewsRoot = path.join(projectRoot, 'views');
const outputRoot = path.join(projectRoot, 'dist', 'views');
fs.rmSync(outputRoot, { recursive: true, force: true });

for (const view of fs.readdirSync(viewsRoot).filter((name) => name !== 'shared')) {
  const staging = path.join(projectRoot, 'dist', 'staging', view);
  await build({
    configFile: false,
    root: path.join(viewsRoot, view),
    base: './',
    logLevel: 'warn',
    plugins: [viteSingleFile({ removeViteModuleLoader: true })],
    build: { outDir: staging, emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  });
  fs.mkdirSync(outputRoot, { recursive: true });
  fs.renameSync(path.join(staging, 'index.html'), path.join(outputRoot, `${view}.html`));
}
fs.rmSync(path.join(projectRoot, 'dist', 'staging'), { recursive: true, force: true });
