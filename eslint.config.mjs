// ESLint flat configuration. The rules live in `.eslintrc.json` (the workspace-wide rules, module boundaries
// included) and `tools/eslint/library-rules.json` (what libraries may not do); FlatCompat, ESLint's official bridge,
// turns them into flat configuration, so the rules keep one home in the format the design card names.
import { FlatCompat } from '@eslint/eslintrc';
import js from '@eslint/js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.dirname(fileURLToPath(import.meta.url));
const compat = new FlatCompat({ baseDirectory: workspaceRoot, recommendedConfig: js.configs.recommended });

/** @param {string} relativePath */
function readRules(relativePath) {
  return JSON.parse(fs.readFileSync(path.join(workspaceRoot, relativePath), 'utf8'));
}

/**
 * Limits flat configuration entries to one folder of the workspace. FlatCompat turns an override's `files` into a
 * test on the absolute path that matches anywhere in the workspace; the library rules must apply under `libs/` only.
 * @param {import('eslint').Linter.Config[]} configs
 * @param {string} folder
 */
function within(configs, folder) {
  const folderPrefix = path.join(workspaceRoot, folder) + path.sep;
  /** @param {string} absolutePath */
  const inFolder = (absolutePath) => absolutePath.startsWith(folderPrefix);
  return configs.map((config) => ({
    ...config,
    files: (config.files ?? [() => true]).map((pattern) =>
      typeof pattern === 'function'
        ? /** @param {string} absolutePath */ (absolutePath) => inFolder(absolutePath) && pattern(absolutePath)
        : `${folder}/${pattern}`,
    ),
  }));
}

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'reports/**', 'tmp/**', '.nx/**', 'tools/bench/results/**'] },
  ...compat.config(readRules('.eslintrc.json')),
  ...within(compat.config(readRules('tools/eslint/library-rules.json')), 'libs'),
];
