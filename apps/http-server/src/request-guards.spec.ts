import { createOriginPolicy, hostValidation, presentedToken } from './request-guards';

describe('origin policy', () => {
  it('on a loopback server, trusts loopback origins on any port and nothing else by default', () => {
    const policy = createOriginPolicy({ bindHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [], corsOrigins: [] });
    expect(policy.accepts('http://localhost:6274')).toBe(true);
    expect(policy.accepts('http://127.0.0.1:3001')).toBe(true);
    expect(policy.accepts('http://[::1]:3001')).toBe(true);
    expect(policy.accepts('http://evil.example')).toBe(false);
    expect(policy.accepts('null')).toBe(false);
    expect(policy.accepts('file://localhost')).toBe(false);
    expect(policy.corsAllows('http://localhost:6274')).toBe(false);
  });

  it('on a public server, trusts only the allowed host names and the configured origins', () => {
    const policy = createOriginPolicy({
      bindHost: '0.0.0.0',
      allowedHosts: ['mcp.example.com:443'],
      allowedOrigins: ['https://tools.example.com/'],
      corsOrigins: ['https://app.example.com'],
    });
    expect(policy.accepts('http://localhost:6274')).toBe(false);
    expect(policy.accepts('https://mcp.example.com')).toBe(true);
    expect(policy.accepts('https://TOOLS.example.com')).toBe(true);
    expect(policy.accepts('https://app.example.com')).toBe(true);
    expect(policy.accepts('https://other.example.com')).toBe(false);
    expect(policy.corsAllows('https://app.example.com')).toBe(true);
    expect(policy.corsAllows('https://tools.example.com')).toBe(false);
  });

  it('accepts any origin when asked to with *', () => {
    expect(
      createOriginPolicy({ bindHost: '0.0.0.0', allowedHosts: [], allowedOrigins: ['*'], corsOrigins: [] }).accepts(
        'https://anything.example',
      ),
    ).toBe(true);
    const cors = createOriginPolicy({ bindHost: '0.0.0.0', allowedHosts: [], allowedOrigins: [], corsOrigins: ['*'] });
    expect(cors.corsAllows('https://anything.example')).toBe(true);
  });
});

describe('host validation', () => {
  /** Runs the Host check on one request: the status it refused with, or `passed`. */
  function check(options: Parameters<typeof hostValidation>[0], host: string | undefined): number | 'passed' {
    const handler = hostValidation(options);
    if (handler === undefined) return 'passed';
    let outcome: number | 'passed' = 'passed';
    const response = {
      status(code: number) {
        outcome = code;
        return { json: () => undefined };
      },
    };
    handler({ headers: host === undefined ? {} : { host } } as never, response as never, () => undefined);
    return outcome;
  }
  const server = (bindHost: string, allowedHosts: string[] = []) => ({ bindHost, allowedHosts, allowedOrigins: [], corsOrigins: [] });

  it.each(['0.0.0.0', '::', '192.168.1.20'])('on %s with SERVER__ALLOWED_HOSTS empty, answers loopback names only', (bindHost) => {
    expect(check(server(bindHost), 'evil.example')).toBe(403);
    expect(check(server(bindHost), 'evil.example:3001')).toBe(403);
    expect(check(server(bindHost), undefined)).toBe(403);
    expect(check(server(bindHost), 'localhost:3001')).toBe('passed');
    expect(check(server(bindHost), '127.0.0.1:3001')).toBe('passed');
    expect(check(server(bindHost), '[::1]:3001')).toBe('passed');
  });

  it('on a public server with SERVER__ALLOWED_HOSTS set, answers exactly those names', () => {
    const named = server('0.0.0.0', ['mcp.example.com']);
    expect(check(named, 'mcp.example.com')).toBe('passed');
    expect(check(named, 'MCP.example.com:443')).toBe('passed');
    expect(check(named, 'evil.example')).toBe(403);
  });

  it('on a loopback server, answers loopback names and the allowed hosts', () => {
    expect(check(server('127.0.0.1'), 'localhost:3001')).toBe('passed');
    expect(check(server('127.0.0.1'), 'evil.example')).toBe(403);
    expect(check(server('127.0.0.1', ['dev.internal']), 'dev.internal:3001')).toBe('passed');
  });
});

describe('bearer token', () => {
  const withAuthorization = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } });

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('reads the token whatever the case of the scheme (%s)', (scheme) => {
    expect(presentedToken(withAuthorization(`${scheme} secret-token`))).toBe('secret-token');
  });

  it('reads nothing from another scheme, a scheme without credentials or no header', () => {
    expect(presentedToken(withAuthorization('Basic c2VjcmV0'))).toBe('');
    expect(presentedToken(withAuthorization('Bearer'))).toBe('');
    expect(presentedToken(withAuthorization('Bearer   '))).toBe('');
    expect(presentedToken(withAuthorization('Bearersecret'))).toBe('');
    expect(presentedToken(withAuthorization())).toBe('');
  });
});
