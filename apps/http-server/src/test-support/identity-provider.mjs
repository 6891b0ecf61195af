// A real OpenID Connect / OAuth 2.1 identity provider for the sign-in tests: `oidc-provider` (a certified
// implementation) on a free loopback port, started as a child process because it is ESM-only and Jest runs the
// tests as CommonJS. Prints one JSON line on stdout once listening: { "issuer": "http://127.0.0.1:PORT" }.
//
// Users sign in without a form: the interaction handler logs in the user named by the authorization request's
// `login_hint` and approves the scopes that user may have (the test's "organisation policy" below). Clients:
// dynamic registration is open (MCP clients register themselves), and three pre-registered confidential clients get
// tokens with client credentials. Access tokens for any resource indicator are JWTs (RS256) with aud = the resource.
//
// Test-only helper: POST /test/mint signs a token with arbitrary claims, with the provider's own key (to test
// expired, wrong-issuer and wrong-audience tokens) or, with "forged": true, a different key under the same key id.
import * as http from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Provider } from 'oidc-provider';

const allScopes = ['images:generate', 'images:read', 'images:admin'];
/** Which scopes each person may grant (login_hint → scopes). */
const userScopes = {
  alice: ['images:generate', 'images:read'],
  bob: ['images:generate', 'images:read'],
  reader: ['images:read'],
  carol: allScopes,
};

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const signing = await generateKeyPair('RS256', { extractable: true });
const forgery = await generateKeyPair('RS256', { extractable: true });
const kid = 'test-signing-key';
const publicJwk = { ...(await exportJWK(signing.privateKey)), kid, alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  jwks: { keys: [publicJwk] },
  cookies: { keys: ['imagegen-test-cookie-key'] },
  clients: [
    {
      client_id: 'svc-alice',
      client_secret: 'svc-alice-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'images:generate images:read',
    },
    {
      client_id: 'svc-bob',
      client_secret: 'svc-bob-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'images:generate images:read',
    },
    {
      client_id: 'svc-admin',
      client_secret: 'svc-admin-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: allScopes.join(' '),
    },
  ],
  scopes: ['openid', 'offline_access', ...allScopes],
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => ({
        scope: allScopes.join(' '),
        audience: resourceIndicator,
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  if (ctx.path.startsWith('/interaction/')) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const user = String(details.params.login_hint ?? 'alice');
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user } }, { mergeWithLastSubmission: false });
      ctx.respond = false;
      return;
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const allowed = userScopes[user] ?? [];
    const missing = details.prompt.details.missingResourceScopes ?? {};
    for (const [resource, scopes] of Object.entries(missing)) {
      grant.addResourceScope(resource, scopes.filter((scope) => allowed.includes(scope)).join(' '));
    }
    if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    ctx.respond = false;
    return;
  }
  if (ctx.path === '/test/mint' && ctx.method === 'POST') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const { claims, forged } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    ctx.body = {
      token: await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .sign(forged ? forgery.privateKey : signing.privateKey),
    };
    return;
  }
  await next();
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
