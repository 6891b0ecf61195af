import { createOriginPolicy } from './request-guards';

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
