import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  bearerAuthChallengeResponse,
  buildOAuthProtectedResourceMetadata,
  getOAuthProtectedResourceMetadataUrl,
  verifyBearerToken,
  type AuthInfo,
  type OAuthMetadata,
  type OAuthTokenVerifier,
} from '@modelcontextprotocol/server';
import { localAccess, type PrincipalAccess } from '@imagegen/core';
import { defaultScopeNames, type ScopeNames } from '@imagegen/mcp';
import { principalOf } from './jwt-verifier';

/** How clients authenticate (`AUTH__MODE`). */
export type AuthMode = 'none' | 'token' | 'oauth';

/** Sign-in through an identity provider: the app is an OAuth 2.1 resource server (MCP authorization). */
export interface OAuthResourceServerOptions {
  /** The identity provider's issuer URL (`AUTH__ISSUER`), named in the protected resource metadata. */
  issuer: string;
  /** This server's resource URL, the audience tokens must carry (`AUTH__AUDIENCE`, default the server's `/mcp` URL); read per request because the port may be known only after listening. */
  resourceUrl: () => string;
  /** Checks access tokens (the JWT verifier in production). */
  verifier: OAuthTokenVerifier;
  /** The scope names; the admin one is `AUTH__ADMIN_SCOPE`. */
  scopes: ScopeNames;
}

/** What {@link createAuthentication} is configured with. */
export type AuthenticationOptions = { mode: 'none' } | { mode: 'token'; token: string } | ({ mode: 'oauth' } & OAuthResourceServerOptions);

/** The authentication of one app: the gate for protected routes and who a request acts for. */
export interface Authentication {
  /** The mode in force. */
  readonly mode: AuthMode;
  /** Refuses requests without valid credentials (401 with a `WWW-Authenticate: Bearer` challenge); passes the rest. */
  gate: RequestHandler;
  /** Who an authenticated request acts for: the signed-in user, or the local principal without sign-in. */
  accessOf(request: Request): PrincipalAccess;
  /** The verified token of a signed-in request (what the MCP transports pass to handlers). */
  authInfoOf(request: Request): AuthInfo | undefined;
  /** The scope names (oauth mode), for the MCP server's scope checks. */
  readonly scopes?: ScopeNames;
  /** Mounts the protected resource metadata documents (oauth mode only). */
  mountMetadata(app: { get: (paths: string[], handler: RequestHandler) => unknown }): void;
}

type AuthenticatedRequest = Request & { auth?: AuthInfo };

/** The token of an `Authorization` header, whatever the case of its `Bearer` scheme (RFC 9110: schemes are case-insensitive). */
export function bearerTokenOf(header: string | undefined): string {
  const match = /^bearer[ \t]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? '';
}

function tokensMatch(expected: string, presented: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(presented);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Sends a web `Response` (the SDK's challenge answers) through Express. */
async function sendWebResponse(response: Response, answer: globalThis.Response): Promise<void> {
  answer.headers.forEach((value, name) => response.setHeader(name, value));
  response.status(answer.status).send(Buffer.from(await answer.arrayBuffer()));
}

/**
 * The app's authentication for one mode: nothing (`none`), the shared static token (`token`), or OAuth 2.1 resource
 * server per the MCP authorization specification (`oauth`): protected resource metadata (RFC 9728) at
 * `/.well-known/oauth-protected-resource` and its `/mcp` path-suffixed form, naming the identity provider; 401 with
 * `WWW-Authenticate: Bearer resource_metadata="…"` (and `error="invalid_token"` for a refused token); access tokens
 * verified by the SDK's bearer check over our JWT verifier, bound to this server's resource URL (RFC 8707).
 */
export function createAuthentication(options: AuthenticationOptions): Authentication {
  if (options.mode === 'none') {
    return {
      mode: 'none',
      gate: (_request, _response, next) => next(),
      accessOf: () => localAccess,
      authInfoOf: () => undefined,
      mountMetadata: () => undefined,
    };
  }
  if (options.mode === 'token') {
    const { token } = options;
    return {
      mode: 'token',
      gate(request, response, next) {
        const presented = bearerTokenOf(request.headers.authorization);
        if (presented && tokensMatch(token, presented)) return next();
        response.set('WWW-Authenticate', 'Bearer');
        response.status(401).json({ error: 'unauthorized', message: 'Send Authorization: Bearer <SERVER__AUTH_TOKEN>.' });
      },
      accessOf: () => localAccess,
      authInfoOf: () => undefined,
      mountMetadata: () => undefined,
    };
  }

  const metadataUrl = () => getOAuthProtectedResourceMetadataUrl(new URL(options.resourceUrl()));
  const metadataDocument = () =>
    buildOAuthProtectedResourceMetadata({
      // Only the issuer is read from the authorization server metadata here (it is named, never served, by this server).
      oauthMetadata: { issuer: options.issuer } as OAuthMetadata,
      resourceServerUrl: new URL(options.resourceUrl()),
      // What a user needs, so MCP clients ask for it by default (they request `scopes_supported` when a challenge names
      // none); the admin scope is asked for explicitly by administrators' clients.
      scopesSupported: [options.scopes.generate, options.scopes.read],
      resourceName: 'imagegen image generation',
    });
  // Fail at start, not on the first request, when the issuer is unusable (not HTTPS beyond loopback, a query, …).
  buildOAuthProtectedResourceMetadata({
    oauthMetadata: { issuer: options.issuer } as OAuthMetadata,
    resourceServerUrl: new URL('https://resource.invalid/mcp'),
  });

  return {
    mode: 'oauth',
    scopes: options.scopes,
    async gate(request: AuthenticatedRequest, response: Response, next: NextFunction) {
      const resourceMetadataUrl = metadataUrl();
      if (request.headers.authorization === undefined) {
        // No credentials at all: the bare challenge (RFC 6750 §3.1), which tells an MCP client where to sign in.
        response.set('WWW-Authenticate', `Bearer resource_metadata="${resourceMetadataUrl}"`);
        response
          .status(401)
          .json({ error: 'unauthorized', message: 'Sign in: this server accepts access tokens from its identity provider.' });
        return;
      }
      try {
        // The SDK's check: header format (any case of "Bearer"), the verifier, audience = this resource, expiry.
        const header = request.headers.authorization;
        const authInfo = await verifyBearerToken(header === undefined ? undefined : `Bearer ${bearerTokenOf(header) || ' '}`.trimEnd(), {
          verifier: options.verifier,
          resourceMetadataUrl,
          expectedResource: new URL(options.resourceUrl()),
        });
        request.auth = authInfo;
      } catch (error) {
        await sendWebResponse(response, bearerAuthChallengeResponse(error, { resourceMetadataUrl }));
        return;
      }
      next();
    },
    accessOf(request: AuthenticatedRequest) {
      const authInfo = request.auth;
      const principalId = authInfo ? principalOf(authInfo) : undefined;
      // The gate runs first on every route that asks; a request without a verified user has no access of its own.
      if (!authInfo || !principalId) throw new Error('accessOf called on a request the sign-in gate did not pass');
      return { principalId, admin: authInfo.scopes.includes(options.scopes.admin) };
    },
    authInfoOf: (request: AuthenticatedRequest) => request.auth,
    mountMetadata(app) {
      // RFC 9728: the path-suffixed document for the /mcp resource, and the root form clients of the 2025 revisions probe.
      app.get(['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp'], (_request, response) => {
        response.set('Access-Control-Allow-Origin', '*').set('Cache-Control', 'public, max-age=300').json(metadataDocument());
      });
    },
  };
}

/** The scope names with the configured admin scope. */
export const scopeNamesWith = (adminScope: string): ScopeNames => ({ ...defaultScopeNames, admin: adminScope });
