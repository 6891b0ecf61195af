import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeSettings, renderSettingsTable } from './settings-documentation';
import { loadTestConfig } from './test-support/load-test-config';

describe('describeSettings', () => {
  const settings = describeSettings();

  it('describes every setting of the configuration once, with its env name derived from its path', () => {
    const leafPaths: string[] = [];
    const walk = (node: object, prefix: string) => {
      for (const [key, value] of Object.entries(node)) {
        const path = prefix ? `${prefix}.${key}` : key;
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) walk(value, path);
        else leafPaths.push(path);
      }
    };
    walk(loadTestConfig().config, '');
    const described = settings.map((setting) => setting.path);
    expect(new Set(described).size).toBe(described.length);
    for (const path of leafPaths) expect(described).toContain(path);
    for (const setting of settings) {
      expect(setting.envName).toBe(setting.path.toUpperCase().replace(/\./g, '__'));
      expect(setting.description.length).toBeGreaterThan(10);
    }
  });

  it('documents the defaults the loader actually applies', () => {
    const config: object = loadTestConfig().config;
    for (const setting of settings) {
      if (setting.path === 'storage.base_path') continue;
      let value: unknown = config;
      for (const segment of setting.path.split('.')) value = (value as Record<string, unknown> | undefined)?.[segment];
      expect([setting.path, value]).toEqual([setting.path, setting.defaultValue]);
    }
  });

  it('marks exactly the secrets as secret and lists the choices of choice settings', () => {
    expect(settings.filter((setting) => setting.secret).map((setting) => setting.envName)).toEqual([
      'PROVIDERS__OPENAI__API_KEY',
      'PROVIDERS__GEMINI__API_KEY',
      'SERVER__AUTH_TOKEN',
      'DATABASE__URL',
      'CACHE__REDIS_URL',
    ]);
    expect(settings.find((setting) => setting.path === 'server.log_level')?.choices).toEqual(['debug', 'info', 'warn', 'error']);
  });
});

describe('renderSettingsTable', () => {
  it('renders one Markdown row per setting, the same every time', () => {
    const table = renderSettingsTable();
    expect(table).toBe(renderSettingsTable());
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toBe('| Variable | Allowed | Default | Description |');
    expect(lines).toHaveLength(describeSettings().length + 2);
    expect(lines).toContain(
      '| `SERVER__PORT` | a whole number from 0 to 65535 | `3001` | TCP port of the HTTP transport; 0 picks a free one (logged at start). |',
    );
    expect(table).toContain('| `STORAGE__BASE_PATH` | a folder path (absolute, relative, or starting with ~/) | per-user data folder |');
  });
});

describe('the README', () => {
  it('embeds the current settings table verbatim', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const embedded = /<!-- settings-table:start -->\n([\s\S]*?)<!-- settings-table:end -->/.exec(readme)?.[1];
    expect(embedded).toBe(renderSettingsTable());
  });
});
