import { loadTestConfig, loadTestConfigError, testCwd } from './test-support/load-test-config';

const openaiKey = 'sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0wxyz';
const otherOpenaiKey = 'sk-proj-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0abcd';
const googleKey = 'AIzaSyGoogleKey0123456789abcdefghijklm';
const geminiKey = 'AIzaSyGeminiKey0123456789abcdefghijklm';

describe('loadConfig sources and precedence', () => {
  it('uses the built-in defaults when nothing is set', () => {
    const loaded = loadTestConfig();
    expect(loaded.config.server).toMatchObject({ port: 3001, host: '127.0.0.1', log_level: 'info', rate_limit_rpm: 50 });
    expect(loaded.config.providers.openai).toMatchObject({ base_url: 'https://api.openai.com/v1', timeout: 300, max_retries: 3 });
    expect(loaded.config.providers.openai.api_key).toBeUndefined();
    expect(loaded.config.images).toMatchObject({ default_model: 'gpt-image-2', default_size: '1536x1024', default_quality: 'auto' });
    expect(loaded.config.images.default_style).toBeUndefined();
    expect(new Set(Object.values(loaded.sources))).toEqual(new Set(['default']));
    expect(loaded.warnings).toEqual([]);
    expect(loaded.configFilePath).toBeUndefined();
    expect(loaded.envFilePath).toBeUndefined();
  });

  it('layers file < .env < environment < --set < flags, setting by setting', () => {
    const loaded = loadTestConfig({
      files: {
        '/work/project/imagegen.json': JSON.stringify({
          server: { port: 1001, name: 'from file', host: '10.0.0.1', log_level: 'debug', rate_limit_rpm: 7 },
        }),
        '/work/project/.env': 'SERVER__PORT=1002\nSERVER__NAME="from dotenv"\nSERVER__HOST=10.0.0.2\nSERVER__RATE_LIMIT_RPM=8\n',
      },
      argv: ['--config', 'imagegen.json', '--set', 'SERVER__PORT=1004', '--set=server.rate_limit_rpm=9'],
      env: { SERVER__PORT: '1003', SERVER__NAME: 'from env', SERVER__RATE_LIMIT_RPM: '10' },
      flags: { 'server.rate_limit_rpm': 11 },
    });
    expect(loaded.config.server).toMatchObject({
      port: 1004,
      name: 'from env',
      host: '10.0.0.2',
      log_level: 'debug',
      rate_limit_rpm: 11,
      client_rate_limit_rpm: 120,
    });
    expect(loaded.sources).toMatchObject({
      'server.port': 'flag',
      'server.name': 'env',
      'server.host': '.env',
      'server.log_level': 'file',
      'server.rate_limit_rpm': 'flag',
      'server.client_rate_limit_rpm': 'default',
    });
    expect(loaded.origins['server.port']).toEqual({ source: 'flag', name: '--set' });
    expect(loaded.origins['server.rate_limit_rpm']).toEqual({ source: 'flag', name: 'flags' });
    expect(loaded.configFilePath).toBe('/work/project/imagegen.json');
    expect(loaded.envFilePath).toBe('/work/project/.env');
  });

  it('maps __ to nesting in every source, and the config file uses the same nested lower-case keys', () => {
    const loaded = loadTestConfig({
      files: { '/etc/imagegen.json': JSON.stringify({ providers: { gemini: { location: 'europe-west4' } } }) },
      env: { IMAGEGEN_CONFIG: '/etc/imagegen.json', PROVIDERS__OPENAI__MAX_RETRIES: '5' },
      argv: ['--set', 'providers.gemini.max_concurrency=2'],
    });
    expect(loaded.config.providers.openai.max_retries).toBe(5);
    expect(loaded.config.providers.gemini.location).toBe('europe-west4');
    expect(loaded.config.providers.gemini.max_concurrency).toBe(2);
  });

  it('coerces text from the environment to numbers, booleans, lists, JSON and lower-case choices', () => {
    const loaded = loadTestConfig({
      env: {
        STORAGE__MAX_SIZE_GB: '2.5',
        SERVER__STATELESS: 'YES',
        CACHE__ENABLED: '0',
        TEMPLATES__AUTO_SIZE_OPTIMIZATION: 'False',
        SERVER__ALLOWED_HOSTS: 'a.example, b.example,,',
        SERVER__CORS_ORIGINS: '["https://x.example","https://y.example"]',
        SERVER__LOG_LEVEL: 'DEBUG',
        IMAGES__DEFAULT_SIZE: '1024X1536',
        STORAGE__FILE_PERMISSIONS: '0640',
        IMAGES__CUSTOM_MODELS: '[{"id":"my-model","provider":"openai","maxImagesPerCall":4}]',
      },
    });
    expect(loaded.config.storage.max_size_gb).toBe(2.5);
    expect(loaded.config.server.stateless).toBe(true);
    expect(loaded.config.cache.enabled).toBe(false);
    expect(loaded.config.templates.auto_size_optimization).toBe(false);
    expect(loaded.config.server.allowed_hosts).toEqual(['a.example', 'b.example']);
    expect(loaded.config.server.cors_origins).toEqual(['https://x.example', 'https://y.example']);
    expect(loaded.config.server.log_level).toBe('debug');
    expect(loaded.config.images.default_size).toBe('1024x1536');
    expect(loaded.config.storage.file_permissions).toBe(0o640);
    expect(loaded.config.images.custom_models).toEqual([{ id: 'my-model', provider: 'openai', maxImagesPerCall: 4 }]);
  });

  it('accepts typed values in the config file and in flags', () => {
    const loaded = loadTestConfig({
      files: {
        '/work/project/c.json': JSON.stringify({
          cache: { enabled: false, ttl_hours: 1.5 },
          server: { allowed_origins: ['https://a.example'] },
          images: { custom_models: [{ id: 'm', provider: 'gemini' }] },
        }),
      },
      argv: ['--config=c.json'],
      flags: { 'server.stateless': true, 'server.port': 8080, 'server.host': undefined },
    });
    expect(loaded.config.cache).toMatchObject({ enabled: false, ttl_hours: 1.5 });
    expect(loaded.config.server).toMatchObject({ allowed_origins: ['https://a.example'], stateless: true, port: 8080, host: '127.0.0.1' });
    expect(loaded.config.images.custom_models).toEqual([{ id: 'm', provider: 'gemini' }]);
  });

  it('treats empty values as not set, so a blank template line changes nothing', () => {
    const loaded = loadTestConfig({
      files: { '/work/project/.env': 'SERVER__PORT=\nPROVIDERS__OPENAI__API_KEY=\n' },
      env: { OPENAI_API_KEY: openaiKey, SERVER__HOST: '' },
    });
    expect(loaded.config.server.port).toBe(3001);
    expect(loaded.config.server.host).toBe('127.0.0.1');
    expect(loaded.config.providers.openai.api_key).toBe(openaiKey);
  });
});

describe('provider key fallbacks', () => {
  it('uses OPENAI_API_KEY from the environment when no source sets the OpenAI key', () => {
    const loaded = loadTestConfig({ env: { OPENAI_API_KEY: openaiKey } });
    expect(loaded.config.providers.openai.api_key).toBe(openaiKey);
    expect(loaded.origins['providers.openai.api_key']).toEqual({ source: 'env', name: 'OPENAI_API_KEY' });
  });

  it('uses OPENAI_API_KEY from the .env file too', () => {
    const loaded = loadTestConfig({ files: { '/work/project/.env': `OPENAI_API_KEY=${openaiKey}\n` } });
    expect(loaded.config.providers.openai.api_key).toBe(openaiKey);
    expect(loaded.sources['providers.openai.api_key']).toBe('.env');
  });

  it('lets an explicit PROVIDERS__OPENAI__API_KEY from any source beat the fallback', () => {
    const fromEnv = loadTestConfig({ env: { OPENAI_API_KEY: otherOpenaiKey, PROVIDERS__OPENAI__API_KEY: openaiKey } });
    expect(fromEnv.config.providers.openai.api_key).toBe(openaiKey);
    const fromFile = loadTestConfig({
      files: { '/work/project/c.json': JSON.stringify({ providers: { openai: { api_key: openaiKey } } }) },
      argv: ['--config', 'c.json'],
      env: { OPENAI_API_KEY: otherOpenaiKey },
    });
    expect(fromFile.config.providers.openai.api_key).toBe(openaiKey);
    expect(fromFile.sources['providers.openai.api_key']).toBe('file');
  });

  it('uses GEMINI_API_KEY alone, GOOGLE_API_KEY alone, and GOOGLE_API_KEY when both are set', () => {
    expect(loadTestConfig({ env: { GEMINI_API_KEY: geminiKey } }).config.providers.gemini.api_key).toBe(geminiKey);
    expect(loadTestConfig({ env: { GOOGLE_API_KEY: googleKey } }).config.providers.gemini.api_key).toBe(googleKey);
    const both = loadTestConfig({ env: { GEMINI_API_KEY: geminiKey, GOOGLE_API_KEY: googleKey } });
    expect(both.config.providers.gemini.api_key).toBe(googleKey);
    expect(both.warnings).toEqual([expect.objectContaining({ code: 'conflicting_key_fallbacks', setting: 'GOOGLE_API_KEY' })]);
    expect(JSON.stringify(both.warnings)).not.toContain(geminiKey.slice(8, 30));
  });

  it('prefers GOOGLE_API_KEY from .env over GEMINI_API_KEY from the environment, as the SDK would', () => {
    const loaded = loadTestConfig({ files: { '/work/project/.env': `GOOGLE_API_KEY=${googleKey}\n` }, env: { GEMINI_API_KEY: geminiKey } });
    expect(loaded.config.providers.gemini.api_key).toBe(googleKey);
    expect(loaded.origins['providers.gemini.api_key']).toEqual({ source: '.env', name: 'GOOGLE_API_KEY' });
  });

  it('lets PROVIDERS__GEMINI__API_KEY beat both fallbacks', () => {
    const loaded = loadTestConfig({ env: { GOOGLE_API_KEY: googleKey, PROVIDERS__GEMINI__API_KEY: geminiKey } });
    expect(loaded.config.providers.gemini.api_key).toBe(geminiKey);
    expect(loaded.sources['providers.gemini.api_key']).toBe('env');
  });
});

describe('locating the config file and the .env file', () => {
  const configText = JSON.stringify({ server: { name: 'configured' } });

  it('takes the config file from --config over IMAGEGEN_CONFIG, and from IMAGEGEN_CONFIG in the .env file last', () => {
    const files = {
      '/work/project/flag.json': JSON.stringify({ server: { name: 'flag file' } }),
      '/opt/env.json': JSON.stringify({ server: { name: 'env file' } }),
      '/work/project/.env': 'IMAGEGEN_CONFIG=dotenv.json\n',
      '/work/project/dotenv.json': JSON.stringify({ server: { name: 'dotenv file' } }),
    };
    expect(loadTestConfig({ files, argv: ['--config', 'flag.json'], env: { IMAGEGEN_CONFIG: '/opt/env.json' } }).config.server.name).toBe(
      'flag file',
    );
    expect(loadTestConfig({ files, env: { IMAGEGEN_CONFIG: '/opt/env.json' } }).config.server.name).toBe('env file');
    const fromDotenv = loadTestConfig({ files });
    expect(fromDotenv.config.server.name).toBe('dotenv file');
    expect(fromDotenv.configFilePath).toBe('/work/project/dotenv.json');
  });

  it('reads the .env file named by --env-file or IMAGEGEN_ENV_FILE instead of ./.env', () => {
    const files = {
      '/work/project/.env': 'SERVER__NAME=cwd\n',
      '/secrets/imagegen.env': 'SERVER__NAME=named\n',
      '/work/project/other.env': 'SERVER__NAME=flagged\n',
    };
    expect(loadTestConfig({ files }).config.server.name).toBe('cwd');
    expect(loadTestConfig({ files, env: { IMAGEGEN_ENV_FILE: '/secrets/imagegen.env' } }).config.server.name).toBe('named');
    const flagged = loadTestConfig({ files, argv: ['--env-file', 'other.env'], env: { IMAGEGEN_ENV_FILE: '/secrets/imagegen.env' } });
    expect(flagged.config.server.name).toBe('flagged');
    expect(flagged.envFilePath).toBe('/work/project/other.env');
  });

  it('expands ~/ in the config file path', () => {
    const loaded = loadTestConfig({
      files: { '/home/ada/.config/imagegen.json': configText },
      argv: ['--config', '~/.config/imagegen.json'],
    });
    expect(loaded.config.server.name).toBe('configured');
  });

  it('is fine without any .env file, but not when a named one is missing', () => {
    expect(() => loadTestConfig()).not.toThrow();
    const error = loadTestConfigError({ argv: ['--env-file', 'missing.env'] });
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('--env-file = "/work/project/missing.env"');
    expect(error.message).toContain('no file exists at this path');
  });

  it('passes the rest of argv without complaint', () => {
    expect(() => loadTestConfig({ argv: ['serve', '--port', '8080', '--verbose'] })).not.toThrow();
  });
});

describe('typo hints', () => {
  it('warns about an unknown variable in the namespaces with the nearest valid name, and ignores it', () => {
    const loaded = loadTestConfig({ env: { STORAGE__RETENTON_DAYS: '3', PATH: '/usr/bin', STORAGE_BASE_PATH: '/x' } });
    expect(loaded.config.storage.retention_days).toBe(30);
    expect(loaded.warnings).toEqual([
      {
        code: 'unknown_setting',
        message: 'Unknown setting STORAGE__RETENTON_DAYS in the environment is ignored; did you mean STORAGE__RETENTION_DAYS?',
        setting: 'STORAGE__RETENTON_DAYS',
        suggestion: 'STORAGE__RETENTION_DAYS',
        source: 'env',
      },
    ]);
  });

  it('suggests the nested name for a single underscore and warns about typos in the .env file', () => {
    const loaded = loadTestConfig({ files: { '/work/project/.env': `PROVIDERS__OPENAI_API_KEY=${openaiKey}\n` } });
    expect(loaded.warnings).toEqual([
      expect.objectContaining({ code: 'unknown_setting', suggestion: 'PROVIDERS__OPENAI__API_KEY', source: '.env' }),
    ]);
    expect(loaded.warnings[0]?.message).not.toContain(openaiKey.slice(-10));
  });

  it('gives no suggestion when nothing is close', () => {
    const loaded = loadTestConfig({ env: { SERVER__COLOUR_SCHEME: 'dark' } });
    expect(loaded.warnings).toEqual([expect.objectContaining({ setting: 'SERVER__COLOUR_SCHEME' })]);
    expect(loaded.warnings[0]?.suggestion).toBeUndefined();
  });

  it('warns about an unknown config file key with the nearest valid key, and ignores it', () => {
    const loaded = loadTestConfig({
      files: {
        '/work/project/c.json': JSON.stringify({ $schema: './schema.json', storage: { retention_day: 3 }, servr: { port: 1 } }),
      },
      argv: ['--config', 'c.json'],
    });
    expect(loaded.config.storage.retention_days).toBe(30);
    expect(loaded.warnings.map((warning) => warning.message)).toEqual([
      'Unknown key "storage.retention_day" in config file /work/project/c.json is ignored; did you mean "storage.retention_days"?',
      'Unknown key "servr" in config file /work/project/c.json is ignored; did you mean "server"?',
    ]);
  });
});

describe('permission warnings for files that hold a secret', () => {
  const withKey = JSON.stringify({ providers: { openai: { api_key: openaiKey } } });
  const withoutKey = JSON.stringify({ server: { port: 4000 } });
  const permissionWarnings = (loaded: { warnings: Array<{ code: string }> }) =>
    loaded.warnings.filter((warning) => warning.code === 'readable_secret_file');

  it('warns about a config file with a key that others can read, naming the file and chmod 600', () => {
    const loaded = loadTestConfig({ files: { '/work/project/c.json': { text: withKey, mode: 0o100644 } }, argv: ['--config', 'c.json'] });
    expect(permissionWarnings(loaded)).toEqual([
      {
        code: 'readable_secret_file',
        message:
          'Config file /work/project/c.json holds a secret and can be read by other users (mode 0644); run: chmod 600 /work/project/c.json',
        file: '/work/project/c.json',
      },
    ]);
  });

  it('does not warn for mode 0600, nor for a readable file without a key', () => {
    const privateFile = loadTestConfig({
      files: { '/work/project/c.json': { text: withKey, mode: 0o100600 } },
      argv: ['--config', 'c.json'],
    });
    expect(permissionWarnings(privateFile)).toEqual([]);
    const noKey = loadTestConfig({ files: { '/work/project/c.json': { text: withoutKey, mode: 0o100644 } }, argv: ['--config', 'c.json'] });
    expect(permissionWarnings(noKey)).toEqual([]);
  });

  it('warns about a readable .env file holding a fallback key, and a Redis URL only when it has a password', () => {
    const dotenv = loadTestConfig({ files: { '/work/project/.env': { text: `GEMINI_API_KEY=${geminiKey}\n`, mode: 0o100640 } } });
    expect(permissionWarnings(dotenv)).toEqual([expect.objectContaining({ file: '/work/project/.env' })]);
    const redisWithoutPassword = JSON.stringify({ cache: { redis_url: 'redis://cache.internal:6379' } });
    const redisWithPassword = JSON.stringify({ cache: { redis_url: 'redis://:hunter2hunter2@cache.internal:6379' } });
    const load = (text: string) =>
      loadTestConfig({ files: { '/work/project/c.json': { text, mode: 0o100644 } }, argv: ['--config', 'c.json'] });
    expect(permissionWarnings(load(redisWithoutPassword))).toEqual([]);
    expect(permissionWarnings(load(redisWithPassword))).toHaveLength(1);
  });

  it('does not check modes on Windows', () => {
    const loaded = loadTestConfig({
      platform: 'win32',
      cwd: 'C:\\work',
      homeDirectory: 'C:\\Users\\ada',
      files: { 'C:\\work\\c.json': { text: withKey, mode: 0o100666 } },
      argv: ['--config', 'c.json'],
    });
    expect(permissionWarnings(loaded)).toEqual([]);
    expect(loaded.configFilePath).toBe('C:\\work\\c.json');
  });
});

describe('loadConfig purity', () => {
  it('reads nothing from the process: the same inputs give the same result', () => {
    const options = { env: { SERVER__PORT: '4444' }, files: { [`${testCwd}/.env`]: 'SERVER__NAME=n\n' } };
    expect(loadTestConfig(options)).toEqual(loadTestConfig(options));
  });
});
