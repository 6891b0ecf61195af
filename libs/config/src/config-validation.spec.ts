import type { ConfigProblem } from './config-problems';
import { loadTestConfigError, type TestLoadOptions } from './test-support/load-test-config';

function problemsOf(options: TestLoadOptions): { message: string; problems: ConfigProblem[] } {
  const error = loadTestConfigError(options);
  expect(error.code).toBe('invalid_config');
  return { message: error.message, problems: error.details['problems'] as ConfigProblem[] };
}

/** The single problem line for one environment variable. */
function lineFor(env: Record<string, string>): string {
  const { message, problems } = problemsOf({ env });
  expect(problems).toHaveLength(1);
  const lines = message.split('\n');
  expect(lines[0]).toBe('Invalid configuration (1 problem):');
  return lines[1] ?? '';
}

describe('invalid values fail fast with a line naming the setting, the value, the source and what is allowed', () => {
  it.each([
    [
      'a bad number',
      { PROVIDERS__OPENAI__TIMEOUT: 'soon' },
      '  - PROVIDERS__OPENAI__TIMEOUT = "soon" (from env): expected a number greater than 0',
    ],
    [
      'a number out of range',
      { PROVIDERS__OPENAI__MAX_RETRIES: '11' },
      '  - PROVIDERS__OPENAI__MAX_RETRIES = "11" (from env): expected a whole number from 0 to 10',
    ],
    [
      'a fraction where a whole number is needed',
      { SERVER__PORT: '80.5' },
      '  - SERVER__PORT = "80.5" (from env): expected a whole number from 0 to 65535',
    ],
    [
      'a bad choice',
      { IMAGES__DEFAULT_QUALITY: 'ultra' },
      '  - IMAGES__DEFAULT_QUALITY = "ultra" (from env): expected one of auto, low, medium, high, xhigh, max',
    ],
    [
      'a bad boolean',
      { SERVER__STATELESS: 'maybe' },
      '  - SERVER__STATELESS = "maybe" (from env): expected true or false (also 1/0, yes/no)',
    ],
    [
      'a boolean named like an Object.prototype member',
      { SERVER__STATELESS: 'constructor' },
      '  - SERVER__STATELESS = "constructor" (from env): expected true or false (also 1/0, yes/no)',
    ],
    [
      'a response byte budget too small for a tool result',
      { SERVER__RESPONSE_BYTE_BUDGET: '2000' },
      '  - SERVER__RESPONSE_BYTE_BUDGET = "2000" (from env): expected a whole number, 16384 or more (smaller budgets leave no room for the text and structured parts of a tool result)',
    ],
    [
      'a bad URL',
      { PROVIDERS__OPENAI__BASE_URL: 'api.openai.com' },
      '  - PROVIDERS__OPENAI__BASE_URL = "api.openai.com" (from env): not a URL; expected a URL starting with http:// or https://',
    ],
    [
      'a URL with the wrong scheme',
      { IMAGES__BASE_HOST: 'ftp://images.example' },
      '  - IMAGES__BASE_HOST = "ftp://images.example" (from env): the scheme ftp:// is not allowed; expected a URL starting with http:// or https://',
    ],
    [
      'a bad size',
      { IMAGES__DEFAULT_SIZE: '1536by1024' },
      '  - IMAGES__DEFAULT_SIZE = "1536by1024" (from env): expected auto, or WIDTHxHEIGHT with positive whole numbers (e.g. 1536x1024)',
    ],
    [
      'a zero size',
      { IMAGES__DEFAULT_SIZE: '0x1024' },
      '  - IMAGES__DEFAULT_SIZE = "0x1024" (from env): expected auto, or WIDTHxHEIGHT with positive whole numbers (e.g. 1536x1024)',
    ],
    [
      'bad octal digits',
      { STORAGE__FILE_PERMISSIONS: '688' },
      '  - STORAGE__FILE_PERMISSIONS = "688" (from env): not 3 or 4 octal digits; expected 3 or 4 octal digits as text, at most 0777 (e.g. "644" or "0600")',
    ],
    [
      'octal permissions above 0777',
      { STORAGE__FILE_PERMISSIONS: '1777' },
      '  - STORAGE__FILE_PERMISSIONS = "1777" (from env): expected 3 or 4 octal digits as text, at most 0777 (e.g. "644" or "0600")',
    ],
    [
      'bad JSON',
      { IMAGES__CUSTOM_MODELS: '[{"id": "x",' },
      '  - IMAGES__CUSTOM_MODELS = "[{\\"id\\": \\"x\\"," (from env): not valid JSON; expected a JSON array of objects, each with a string "id" and "provider"',
    ],
    [
      'JSON of the wrong shape',
      { IMAGES__CUSTOM_MODELS: '[{"id":"x"}]' },
      '  - IMAGES__CUSTOM_MODELS = "[{\\"id\\":\\"x\\"}]" (from env): item 0, "provider": Invalid input: expected string, received undefined; expected a JSON array of objects, each with a string "id" and "provider"',
    ],
    [
      'a missing redis_url',
      { CACHE__BACKEND: 'redis' },
      '  - CACHE__REDIS_URL: not set, but required when CACHE__BACKEND is redis (or set REDIS__URL); expected a URL starting with redis:// or rediss://',
    ],
  ])('reports %s', (_kind, env, expectedLine) => {
    expect(lineFor(env)).toBe(expectedLine);
  });

  it('refuses permission bits written as a JSON number, which would be ambiguous', () => {
    const { problems } = problemsOf({
      files: { '/work/project/c.json': JSON.stringify({ storage: { file_permissions: 644 } }) },
      argv: ['--config', 'c.json'],
    });
    expect(problems).toEqual([
      expect.objectContaining({
        setting: 'STORAGE__FILE_PERMISSIONS',
        value: '644',
        source: 'file',
        origin: 'file /work/project/c.json',
        reason: 'write the octal digits as a quoted string',
      }),
    ]);
  });

  it('collects every problem from every source instead of stopping at the first', () => {
    const { message, problems } = problemsOf({
      files: {
        '/work/project/c.json': JSON.stringify({ server: { port: 70000 }, cache: { backend: 'redis' } }),
        '/work/project/.env': 'SERVER__LOG_LEVEL=loud\n',
      },
      env: { STORAGE__RETENTION_DAYS: '-1' },
      argv: ['--config', 'c.json', '--set', 'cache.ttl_hours=0', '--set', 'SERVER__PROT=1'],
    });
    expect(message.split('\n')[0]).toBe('Invalid configuration (6 problems):');
    expect(problems.map((problem) => [problem.setting, problem.source])).toEqual([
      ['--set SERVER__PROT', 'flag'],
      ['SERVER__PORT', 'file'],
      ['SERVER__LOG_LEVEL', '.env'],
      ['STORAGE__RETENTION_DAYS', 'env'],
      ['CACHE__TTL_HOURS', 'flag'],
      ['CACHE__REDIS_URL', 'default'],
    ]);
    expect(problems[0]?.message).toBe('--set SERVER__PROT (from command line): unknown setting; did you mean SERVER__PORT?');
    expect(problems[2]).toEqual({
      setting: 'SERVER__LOG_LEVEL',
      path: 'server.log_level',
      value: '"loud"',
      source: '.env',
      origin: '.env file /work/project/.env',
      allowed: 'one of debug, info, warn, error',
      message: 'SERVER__LOG_LEVEL = "loud" (from .env file /work/project/.env): expected one of debug, info, warn, error',
    });
    for (const problem of problems) expect(message).toContain(problem.message);
  });

  it('appends warnings to the error, since a typo often explains the problem', () => {
    const { message } = problemsOf({ env: { CACHE__BACKEND: 'redis', CACHE__REDIS_ULR: 'redis://cache:6379' } });
    expect(message).toContain(
      'Warnings:\n  - Unknown setting CACHE__REDIS_ULR in the environment is ignored; did you mean CACHE__REDIS_URL?',
    );
  });

  it('reports an unknown key in the flags option as a problem', () => {
    const { problems } = problemsOf({ flags: { 'server.prot': 8080 } });
    expect(problems[0]?.message).toBe('flags server.prot (from the flags option): unknown setting; did you mean server.port?');
  });

  it('reports malformed configuration arguments', () => {
    const { problems } = problemsOf({ argv: ['--set', 'NO_EQUALS_SIGN', '--config'] });
    expect(problems.map((problem) => problem.message)).toEqual([
      '--set (from command line): --set needs KEY=VALUE, e.g. --set STORAGE__BASE_PATH=/data/images',
      '--config (from command line): --config needs a value',
    ]);
  });
});

describe('config file errors', () => {
  it('reports a malformed JSON file with its position', () => {
    const { problems } = problemsOf({
      files: { '/work/project/c.json': '{\n  "server": { "port": 8080, }\n}\n' },
      argv: ['--config', 'c.json'],
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(
      /^--config = "\/work\/project\/c\.json" \(from command line\): the file is not valid JSON( \(line 2, column \d+\))?$/,
    );
  });

  it('reports a named config file that is missing or unreadable', () => {
    const missing = problemsOf({ env: { IMAGEGEN_CONFIG: '/etc/imagegen/missing.json' } });
    expect(missing.problems[0]?.message).toBe('IMAGEGEN_CONFIG = "/etc/imagegen/missing.json" (from env): no file exists at this path');
    const unreadable = problemsOf({
      files: { '/etc/imagegen.json': { errorCode: 'EACCES' } },
      env: { IMAGEGEN_CONFIG: '/etc/imagegen.json' },
    });
    expect(unreadable.problems[0]?.message).toBe('IMAGEGEN_CONFIG = "/etc/imagegen.json" (from env): the file could not be read (EACCES)');
  });

  it('reports a config file that is not an object, and a group that is not an object', () => {
    const notObject = problemsOf({ files: { '/work/project/c.json': '["storage"]' }, argv: ['--config', 'c.json'] });
    expect(notObject.problems[0]?.reason).toBe('the file must hold a JSON object, e.g. { "storage": { "base_path": "…" } }');
    const badGroup = problemsOf({ files: { '/work/project/c.json': '{"storage": "/data"}' }, argv: ['--config', 'c.json'] });
    expect(badGroup.problems[0]?.message).toBe('storage (from file /work/project/c.json): "storage" must be an object of settings');
  });
});

describe('secrets in errors', () => {
  const apiKey = 'sk-proj-SECRETsecretSECRETsecret0123456789';
  const redisPassword = 'r3d1sPassw0rdThatIsLong';

  it('never prints a secret, whether in a problem, a warning, a malformed file, or the structured details', () => {
    const error = loadTestConfigError({
      files: {
        '/work/project/c.json': `{ "providers": { "openai": { "api_key": "${apiKey}" } }, }`,
        '/work/project/.env': `PROVIDERS__OPENAI_API_KEY=${apiKey}\nCACHE__REDIS_URL=http://admin:${redisPassword}@cache:6379\n`,
      },
      argv: ['--config', 'c.json'],
      env: { SERVER__AUTH_TOKEN: 'tok', OPENAI_API_KEY: apiKey },
    });
    const everything = `${error.message}\n${JSON.stringify(error.details)}`;
    expect(everything).toContain('CACHE__REDIS_URL = "http://admin:****@cache:6379"');
    for (const secret of [apiKey, redisPassword]) {
      for (let start = 0; start + 8 <= secret.length; start += 4) expect(everything).not.toContain(secret.slice(start, start + 8));
    }
  });

  it('masks a secret value that fails validation', () => {
    const error = loadTestConfigError({ env: { CACHE__REDIS_URL: `not a url ${redisPassword}` } });
    expect(error.message).toContain('CACHE__REDIS_URL = "****" (from env): not a URL');
    expect(error.message).not.toContain(redisPassword);
  });
});
