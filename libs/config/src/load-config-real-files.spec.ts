import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from './load-config';

const describeOnPosix = process.platform === 'win32' ? describe.skip : describe;

describeOnPosix('loadConfig with real files', () => {
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-config-'));
  });

  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('reads the config file and ./.env from disk and warns only about the file others can read', () => {
    const configPath = path.join(folder, 'config.json');
    fs.writeFileSync(
      configPath,
      JSON.stringify({ providers: { openai: { api_key: 'sk-file-key-0123456789abcdef' } }, storage: { base_path: 'images' } }),
    );
    fs.chmodSync(configPath, 0o644);
    const envPath = path.join(folder, '.env');
    fs.writeFileSync(envPath, 'GEMINI_API_KEY=gemini-key-0123456789abcdef\nSERVER__PORT=4123\n');
    fs.chmodSync(envPath, 0o600);

    const loaded = loadConfig({
      env: {},
      argv: ['--config', 'config.json'],
      cwd: folder,
      homeDirectory: folder,
      platform: process.platform,
    });

    expect(loaded.config.providers.openai.api_key).toBe('sk-file-key-0123456789abcdef');
    expect(loaded.config.providers.gemini.api_key).toBe('gemini-key-0123456789abcdef');
    expect(loaded.config.server.port).toBe(4123);
    expect(loaded.config.storage.base_path).toBe(path.join(folder, 'images'));
    expect(loaded.envFilePath).toBe(envPath);
    expect(loaded.warnings).toEqual([
      expect.objectContaining({
        code: 'readable_secret_file',
        file: configPath,
        message: expect.stringContaining(`chmod 600 ${configPath}`),
      }),
    ]);
  });

  it('reports a config path that is a folder as unreadable', () => {
    expect(() => loadConfig({ env: { IMAGEGEN_CONFIG: folder }, cwd: folder, homeDirectory: folder, platform: process.platform })).toThrow(
      /IMAGEGEN_CONFIG = ".*" \(from env\): the file could not be read \(EISDIR\)/,
    );
  });
});
