#!/usr/bin/env node
// Rewrites the READMEs' settings tables from the configuration schema (npm run docs:settings).
// A test in libs/config fails when the README and the schema disagree.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { renderSettingsTable } = createRequire(import.meta.url)(path.join(workspaceRoot, 'libs/config/dist/index.js'));
const start = '<!-- settings-table:start -->';
const end = '<!-- settings-table:end -->';
// The workspace README and the config library's README both carry the table.
for (const relative of ['README.md', 'libs/config/README.md']) {
  const readmePath = path.join(workspaceRoot, relative);
  const readme = fs.readFileSync(readmePath, 'utf8');
  if (!readme.includes(start)) continue;
  const before = readme.slice(0, readme.indexOf(start) + start.length);
  const after = readme.slice(readme.indexOf(end));
  fs.writeFileSync(readmePath, `${before}\n${renderSettingsTable().trim()}\n${after}`);
  console.log(`${relative}: settings table updated.`);
}
