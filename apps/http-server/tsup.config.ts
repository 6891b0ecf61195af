import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['cjs'],
  tsconfig: 'tsconfig.lib.json',
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
});
