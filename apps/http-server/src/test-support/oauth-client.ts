import type { OAuthClientProvider } from '@modelcontextprotocol/client';

type ProviderParts = Pick<
  OAuthClientProvider,
  'clientInformation' | 'saveClientInformation' | 'tokens' | 'saveTokens' | 'redirectToAuthorization' | 'saveCodeVerifier' | 'codeVerifier'
>;

/**
 * What an MCP client keeps for one signed-in user, in memory: the registration it got (dynamic client registration),
 * its tokens, the PKCE verifier, and the authorization URL it was sent to (the test plays the browser).
 */
export class InMemoryOAuthClient implements OAuthClientProvider, ProviderParts {
  authorizationUrl: URL | undefined;
  private client: Awaited<ReturnType<OAuthClientProvider['clientInformation']>>;
  private saved: Awaited<ReturnType<OAuthClientProvider['tokens']>>;
  private verifier = '';
  readonly redirectUrl = 'http://127.0.0.1:9/callback';

  constructor(private readonly scope: string) {}

  get clientMetadata() {
    return {
      client_name: 'imagegen sign-in test',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: this.scope,
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(information: NonNullable<Awaited<ReturnType<OAuthClientProvider['clientInformation']>>>) {
    this.client = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: NonNullable<Awaited<ReturnType<OAuthClientProvider['tokens']>>>) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  /** The access token it holds. */
  get accessToken(): string {
    return (this.saved as { access_token?: string } | undefined)?.access_token ?? '';
  }
}

/**
 * Plays the user's browser through the identity provider: follows the authorization URL's redirects (keeping its
 * cookies) through login and consent, which the test provider approves for `user` (its `login_hint`), and returns the
 * parameters sent back to the client's redirect URL (the code, and the issuer that RFC 9207 clients check).
 */
export async function signInInBrowser(authorizationUrl: URL, user: string, redirectUrl: string): Promise<URLSearchParams> {
  const cookies = new Map<string, string>();
  let next = new URL(authorizationUrl);
  next.searchParams.set('login_hint', user);
  const hops: string[] = [];
  for (let hop = 0; hop < 12; hop += 1) {
    hops.push(next.pathname);
    const response = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const separator = (pair ?? '').indexOf('=');
      if (separator > 0) cookies.set((pair as string).slice(0, separator), (pair as string).slice(separator + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the identity provider stopped at ${next.pathname} with ${response.status}: ${await response.text()}`);
    const target = new URL(location, next);
    if (target.href.startsWith(redirectUrl)) {
      if (!target.searchParams.get('code')) throw new Error(`the identity provider refused: ${target.search}`);
      return target.searchParams;
    }
    next = target;
  }
  throw new Error(`too many redirects at the identity provider: ${hops.join(' → ')}`);
}
