import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderSettingsTable } from '@imagegen/config';
import { workspaceRoot } from './workspace-root';

describe('README settings tables', () => {
  it.each(['README.md', 'libs/config/README.md'])(
    '%s matches the configuration schema (run `npm run docs:settings` to refresh it)',
    (relative) => {
      const readme = fs.readFileSync(path.join(workspaceRoot, relative), 'utf8');
      const block = readme.slice(readme.indexOf('<!-- settings-table:start -->'), readme.indexOf('<!-- settings-table:end -->'));
      expect(block.replace('<!-- settings-table:start -->', '').trim()).toBe(renderSettingsTable().trim());
    },
  );
});
