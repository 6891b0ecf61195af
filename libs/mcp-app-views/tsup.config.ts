import { defineConfig } from 'tsup';

// The views are built first (vite, into dist/views); this bundles their HTML into the package entry as strings, so
// a server serves a view without reading files at run time. `clean` stays off: it would delete the built views.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.lib.json',
  sourcemap: true,
  clean: false,
  target: 'node22',
  platform: 'node',
  loader: { '.html': 'text' },
});
