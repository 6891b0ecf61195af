import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { isPrincipalId, localPrincipalId } from '@imagegen/common';

/** What {@link createJwtAccessTokenVerifier} checks tokens against. */
export interface JwtVerifierOptions {
  /** The identity provider's issuer URL (`AUTH__ISSUER`): the `iss` every token must carry. */
  issuer: string;
  /** This server's resource URL (`AUTH__AUDIENCE`, RFC 8707): every token's `aud` must name it. */
  audience: string;
  /** The claim naming the user (`AUTH__TENANT_CLAIM`, default `sub`). */
  tenantClaim: string;
  /** Allowed clock difference with the identity provider, in seconds (default 30). */
  clockToleranceSeconds?: number;
  /** `fetch` for the issuer's metadata document (tests); the JWKS itself is fetched by `jose`. */
  fetch?: typeof globalThis.fetch;
}

/** Signature algorithms accepted: asymmetric only, so a token signed with a shared secret or `none` never passes. */
const acceptedAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** The principal and admin standing the verifier found, kept on `AuthInfo.extra`. */
export const principalOf = (authInfo: AuthInfo): string | undefined => {
  const value = authInfo.extra?.['principalId'];
  return typeof value === 'string' ? value : undefined;
};

const invalid = (message: string) => new OAuthError(OAuthErrorCode.InvalidToken, message);

/** `jose`, loaded on first use: it is ESM-only, and the app's CommonJS tests never verify a JWT in process. */
const loadJose = () => import('jose');

/**
 * Verifies access tokens as JWTs issued by the identity provider: signature through the issuer's JWKS (found from its
 * metadata document; `jose` caches the keys and fetches again when a token names a key it does not know, so key
 * rotation needs nothing), `iss`, `aud` (this server's resource URL), `exp` (required) and `nbf`. The user is the
 * tenant claim; scopes come from `scope` (space-separated) or `scp` (a list). Every refusal is an `invalid_token`
 * OAuthError with a short reason (never the token).
 */
export function createJwtAccessTokenVerifier(options: JwtVerifierOptions): OAuthTokenVerifier {
  const fetchMetadata = options.fetch ?? globalThis.fetch;
  let keys: Promise<Parameters<typeof import('jose').jwtVerify>[1]> | undefined;
  const keySet = () =>
    (keys ??= (async () => {
      const jose = await loadJose();
      const jwksUri = await discoverJwksUri(options.issuer, fetchMetadata);
      return jose.createRemoteJWKSet(new URL(jwksUri)) as unknown as Parameters<typeof jose.jwtVerify>[1];
    })().catch((error: unknown) => {
      // A failed discovery is tried again on the next request, not remembered.
      keys = undefined;
      throw error;
    }));

  return {
    async verifyAccessToken(token) {
      const jose = await loadJose();
      let payload: import('jose').JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(token, await keySet(), {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: acceptedAlgorithms,
          requiredClaims: ['exp'],
          clockTolerance: options.clockToleranceSeconds ?? 30,
        }));
      } catch (error) {
        throw invalid(describeJoseFailure(error));
      }
      const principalId = payload[options.tenantClaim];
      if (!isPrincipalId(principalId)) throw invalid(`The token has no usable ${options.tenantClaim} claim naming the user`);
      // `local` owns everything made without sign-in: no signed-in user may take that name.
      if (principalId === localPrincipalId) throw invalid(`The token's ${options.tenantClaim} claim names a reserved user`);
      const scopes = scopesOf(payload);
      const clientId =
        typeof payload['client_id'] === 'string' ? payload['client_id'] : typeof payload['azp'] === 'string' ? payload['azp'] : '';
      const authInfo: AuthInfo = {
        token,
        clientId,
        scopes,
        expiresAt: payload.exp as number,
        // jwtVerify has checked that `aud` names this server: report it as the token's resource.
        resource: new URL(options.audience),
        extra: { principalId },
      };
      return authInfo;
    },
  };
}

function scopesOf(payload: Record<string, unknown>): string[] {
  const scope = payload['scope'];
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  const scp = payload['scp'];
  if (Array.isArray(scp)) return scp.filter((item): item is string => typeof item === 'string');
  return [];
}

/** A refusal reason a client may see: which check failed, never token contents. */
function describeJoseFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const claim = (error as { claim?: unknown }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'The token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'aud'
        ? 'The token was not issued for this resource'
        : claim === 'iss'
          ? 'The token was not issued by the trusted identity provider'
          : `The token's ${String(claim)} claim is not acceptable`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The token signature is not valid';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'The token is not a valid JWT';
    default:
      return 'The token could not be verified';
  }
}

/**
 * The JWKS URL of an issuer, from its OAuth 2.0 authorization server metadata (RFC 8414) or, failing that, its OpenID
 * Connect discovery document; the document must name the same issuer.
 */
async function discoverJwksUri(issuer: string, fetchDocument: typeof globalThis.fetch): Promise<string> {
  const base = new URL(issuer);
  const path = base.pathname.replace(/\/$/, '');
  const candidates = [
    new URL(`/.well-known/oauth-authorization-server${path}`, base),
    new URL(`${path}/.well-known/openid-configuration`, base),
  ];
  for (const candidate of candidates) {
    const response = await fetchDocument(candidate, { headers: { accept: 'application/json' } }).catch(() => undefined);
    if (!response?.ok) continue;
    const document = (await response.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
    if (document?.issuer === issuer && typeof document.jwks_uri === 'string') return document.jwks_uri;
  }
  throw new OAuthError(OAuthErrorCode.ServerError, `The identity provider ${issuer} publishes no usable metadata with a jwks_uri`);
}
