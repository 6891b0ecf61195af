import { describeEffectiveConfig } from './effective-config';
import { maskSecret, maskUrlCredentials, maskUrlPassword, redactConfig } from './secret-masking';
import { loadTestConfig, loadTestConfigError } from './test-support/load-test-config';

const openaiKey = 'sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0wxyz';
const geminiKey = 'AIzaSyGeminiKey0123456789abcdefghijklm';
const authToken = 'short-token';
const redisPassword = 'correct-horse-battery';

function expectNoSecretIn(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    for (let start = 0; start + 6 <= secret.length; start += 3) expect(text).not.toContain(secret.slice(start, start + 6));
  }
}

describe('masking', () => {
  it('shows only the first 3 and last 4 characters of long secrets and nothing of short ones', () => {
    expect(maskSecret(openaiKey)).toBe('sk-…wxyz');
    expect(maskSecret('a-short-token-123')).toBe('****');
  });

  it('masks only the password of a URL and all of text that is not a URL', () => {
    expect(maskUrlPassword(`redis://default:${redisPassword}@cache.internal:6379/0`)).toBe('redis://default:****@cache.internal:6379/0');
    expect(maskUrlPassword(`rediss://:${redisPassword}@cache.internal`)).toBe('rediss://:****@cache.internal');
    expect(maskUrlPassword(`redis://:pa@ss@cache.internal`)).toBe('redis://:****@cache.internal');
    expect(maskUrlPassword('redis://cache.internal:6379')).toBe('redis://cache.internal:6379');
    expect(maskUrlPassword(`${redisPassword} not a url`)).toBe('****');
  });
});

describe('redactConfig', () => {
  const loaded = loadTestConfig({
    env: {
      OPENAI_API_KEY: openaiKey,
      PROVIDERS__GEMINI__API_KEY: geminiKey,
      SERVER__AUTH_TOKEN: authToken,
      CACHE__BACKEND: 'redis',
      CACHE__REDIS_URL: `redis://default:${redisPassword}@cache.internal:6379`,
    },
  });

  it('masks every secret in a deep copy and leaves the original untouched', () => {
    const redacted = redactConfig(loaded.config);
    expect(redacted.providers.openai.api_key).toBe('sk-…wxyz');
    expect(redacted.providers.gemini.api_key).toBe('AIz…jklm');
    expect(redacted.server.auth_token).toBe('****');
    expect(redacted.cache.redis_url).toBe('redis://default:****@cache.internal:6379');
    expect(redacted.server.port).toBe(3001);
    expect(loaded.config.providers.openai.api_key).toBe(openaiKey);
    expectNoSecretIn(JSON.stringify(redacted), [openaiKey, geminiKey, authToken, redisPassword]);
  });

  it('leaves unset secrets unset', () => {
    const redacted = redactConfig(loadTestConfig().config);
    expect(redacted.providers.openai.api_key).toBeUndefined();
    expect(redacted.server.auth_token).toBeUndefined();
    expect('api_key' in redacted.providers.gemini).toBe(false);
  });

  it('describes every effective setting with its masked value and source', () => {
    const effective = describeEffectiveConfig(loaded);
    expectNoSecretIn(JSON.stringify(effective), [openaiKey, geminiKey, authToken, redisPassword]);
    expect(effective.find((setting) => setting.path === 'providers.openai.api_key')).toEqual({
      envName: 'PROVIDERS__OPENAI__API_KEY',
      path: 'providers.openai.api_key',
      value: 'sk-…wxyz',
      source: 'env',
      setBy: 'OPENAI_API_KEY',
    });
    expect(effective.find((setting) => setting.path === 'server.port')).toEqual({
      envName: 'SERVER__PORT',
      path: 'server.port',
      value: 3001,
      source: 'default',
    });
    expect(effective.find((setting) => setting.path === 'storage.base_path')?.value).toBe('/home/ada/.local/share/imagegen-mcp');
  });

  it('shows permission bits as octal text', () => {
    const effective = describeEffectiveConfig(loadTestConfig({ env: { STORAGE__FILE_PERMISSIONS: '640' } }));
    expect(effective.find((setting) => setting.path === 'storage.file_permissions')?.value).toBe('0640');
  });
});

describe('credentials inside HTTP URL settings', () => {
  const proxyPassword = 'Xq7tWv9kLm2Zr9';

  it.each([
    ['PROVIDERS__OPENAI__BASE_URL', `http://user:${proxyPassword}@proxy.internal/v1`],
    ['PROVIDERS__GEMINI__BASE_URL', `https://user:${proxyPassword}@gemini-proxy.internal`],
    ['IMAGES__BASE_HOST', `https://${proxyPassword}@images.example`],
  ])('%s is refused at start with a clear message that never shows them', (variable, value) => {
    const error = loadTestConfigError({ env: { [variable]: value } });
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(`${variable} = "`);
    expect(error.message).toMatch(/a user name or password in the URL is not supported/);
    expectNoSecretIn(JSON.stringify({ message: error.message, details: error.details }), [proxyPassword]);
  });

  it('masks the whole user part of a URL', () => {
    expect(maskUrlCredentials(`http://user:${proxyPassword}@proxy.internal/v1`)).toBe('http://****@proxy.internal/v1');
    expect(maskUrlCredentials(`http://${proxyPassword}@proxy.internal/v1`)).toBe('http://****@proxy.internal/v1');
    expect(maskUrlCredentials('https://api.openai.com/v1')).toBe('https://api.openai.com/v1');
    expect(maskUrlCredentials(`user:${proxyPassword}@proxy.internal/v1`)).toBe('****@proxy.internal/v1');
    expect(maskUrlCredentials('not a url at all')).toBe('not a url at all');
  });

  it('masks them in config show and in redacted configurations, for every URL setting', () => {
    const proxyUrl = `redis://user:${proxyPassword}@cache.internal:6379`;
    const loaded = loadTestConfig({ env: { CACHE__BACKEND: 'redis', CACHE__REDIS_URL: proxyUrl } });
    expectNoSecretIn(JSON.stringify(describeEffectiveConfig(loaded)), [proxyPassword]);
    expectNoSecretIn(JSON.stringify(redactConfig(loaded.config)), [proxyPassword]);
  });
});
