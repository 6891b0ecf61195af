import express from 'express';
import type { AddressInfo } from 'node:net';
import { OAuthError, OAuthErrorCode, type AuthInfo } from '@modelcontextprotocol/server';
import { createMemoryClientRateLimiter } from '@imagegen/cache';
import { clientRateLimit } from '../request-guards';
import { bearerTokenOf, createAuthentication, scopeNamesWith } from './authentication';

/** Serves one protected route behind the authentication and answers with who the request acts for. */
async function serve(authentication: ReturnType<typeof createAuthentication>) {
  const app = express();
  authentication.mountMetadata(app);
  app.get('/protected', authentication.gate, (request, response) => {
    response.json(authentication.accessOf(request));
  });
  const listener = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return { baseUrl, close: () => new Promise((resolve) => listener.close(resolve)) };
}

describe('authentication', () => {
  it('reads a bearer token whatever the case of the scheme, and nothing else', () => {
    expect(bearerTokenOf('Bearer abc')).toBe('abc');
    expect(bearerTokenOf('bearer abc')).toBe('abc');
    expect(bearerTokenOf('BEARER   abc ')).toBe('abc');
    expect(bearerTokenOf('Basic abc')).toBe('');
    expect(bearerTokenOf('Bearer')).toBe('');
    expect(bearerTokenOf(undefined)).toBe('');
  });

  it('with the shared token, accepts it in any case of "Bearer" and acts for the local principal', async () => {
    const server = await serve(createAuthentication({ mode: 'token', token: 'secret-token' }));
    try {
      for (const scheme of ['Bearer', 'bearer', 'BeArEr']) {
        const response = await fetch(`${server.baseUrl}/protected`, { headers: { authorization: `${scheme} secret-token` } });
        expect(await response.json()).toEqual({ principalId: 'local', admin: true });
      }
      const refused = await fetch(`${server.baseUrl}/protected`, { headers: { authorization: 'Bearer wrong' } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${server.baseUrl}/.well-known/oauth-protected-resource`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('with sign-in, challenges, verifies through the verifier and acts for the token’s user', async () => {
    let resourceUrl = 'http://127.0.0.1:1/mcp';
    const verifier = {
      async verifyAccessToken(token: string): Promise<AuthInfo> {
        if (token === 'expired') throw new OAuthError(OAuthErrorCode.InvalidToken, 'The token has expired');
        const audience = token === 'elsewhere' ? 'http://127.0.0.1:9/mcp' : resourceUrl;
        return {
          token,
          clientId: 'client',
          scopes: token === 'admin' ? ['images:read', 'org:admin'] : ['images:read'],
          expiresAt: Math.floor(Date.now() / 1000) + 60,
          resource: new URL(audience),
          extra: { principalId: token === 'admin' ? 'carol' : 'alice' },
        };
      },
    };
    const authentication = createAuthentication({
      mode: 'oauth',
      issuer: 'http://127.0.0.1:2',
      resourceUrl: () => resourceUrl,
      verifier,
      scopes: scopeNamesWith('org:admin'),
    });
    const server = await serve(authentication);
    resourceUrl = `${server.baseUrl}/mcp`;
    const metadataUrl = `${server.baseUrl}/.well-known/oauth-protected-resource/mcp`;
    try {
      const bare = await fetch(`${server.baseUrl}/protected`);
      expect(bare.status).toBe(401);
      expect(bare.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
      const expired = await fetch(`${server.baseUrl}/protected`, { headers: { authorization: 'Bearer expired' } });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_token", error_description="The token has expired", resource_metadata="${metadataUrl}"`,
      );
      const elsewhere = await fetch(`${server.baseUrl}/protected`, { headers: { authorization: 'Bearer elsewhere' } });
      expect(elsewhere.headers.get('www-authenticate')).toContain('Token was not issued for this resource');
      expect(await (await fetch(`${server.baseUrl}/protected`, { headers: { authorization: 'bearer user' } })).json()).toEqual({
        principalId: 'alice',
        admin: false,
      });
      expect(await (await fetch(`${server.baseUrl}/protected`, { headers: { authorization: 'Bearer admin' } })).json()).toEqual({
        principalId: 'carol',
        admin: true,
      });
      const metadata = await (await fetch(metadataUrl)).json();
      expect(metadata).toMatchObject({ resource: resourceUrl, authorization_servers: ['http://127.0.0.1:2'] });
      expect(await (await fetch(`${server.baseUrl}/.well-known/oauth-protected-resource`)).json()).toEqual(metadata);
    } finally {
      await server.close();
    }
  });

  it('refuses an issuer that is neither HTTPS nor loopback at start', () => {
    expect(() =>
      createAuthentication({
        mode: 'oauth',
        issuer: 'http://login.example.com',
        resourceUrl: () => 'https://images.example.com/mcp',
        verifier: { verifyAccessToken: () => Promise.reject(new Error('unused')) },
        scopes: scopeNamesWith('images:admin'),
      }),
    ).toThrow(/HTTPS/);
  });
});

describe('the per-client rate limit with sign-in', () => {
  it('counts per user, however many tokens the user holds', async () => {
    // Tokens name their user: "alice-1" and "alice-2" are two tokens of alice.
    const authentication = createAuthentication({
      mode: 'oauth',
      issuer: 'http://127.0.0.1:2',
      resourceUrl: () => 'http://127.0.0.1:1/mcp',
      verifier: {
        verifyAccessToken: async (token) => ({
          token,
          clientId: 'client',
          scopes: [],
          expiresAt: Math.floor(Date.now() / 1000) + 60,
          resource: new URL('http://127.0.0.1:1/mcp'),
          extra: { principalId: token.split('-')[0] },
        }),
      },
      scopes: scopeNamesWith('images:admin'),
    });
    const limit = clientRateLimit(
      2,
      undefined,
      createMemoryClientRateLimiter(2, 60),
      (request) => authentication.accessOf(request).principalId,
    );
    const app = express();
    app.get('/limited', authentication.gate, limit as express.RequestHandler, (_request, response) => {
      response.json({ ok: true });
    });
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/limited`;
    const statusWith = async (token: string) => (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status;
    try {
      expect([await statusWith('alice-1'), await statusWith('alice-2')]).toEqual([200, 200]);
      const refused = await fetch(url, { headers: { authorization: 'Bearer alice-3' } });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { message: string }).message).toContain('per minute per user');
      expect(await statusWith('bob-1')).toBe(200);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});
