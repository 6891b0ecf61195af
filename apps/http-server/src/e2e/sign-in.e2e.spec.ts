/**
 * Sign-in for teams, end to end: the BUILT `imagegen-mcp-http` with AUTH__MODE=oauth against a real identity provider
 * (`oidc-provider`, started by the test), driven by the MCP SDK's own client OAuth support — discovery from the 401,
 * dynamic client registration, authorization code with PKCE and the resource indicator — and by client credentials.
 * Two users generate; neither can see, read, fetch or delete the other's images, jobs or gallery; each user's budget
 * holds on its own; expired, wrong-audience, wrong-issuer and forged tokens are refused.
 */
import { Client, ClientCredentialsProvider, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { startBuiltHttpServer, type BuiltHttpServer } from '../test-support/built-http-server';
import { startTestIdentityProvider, type TestIdentityProvider } from '../test-support/identity-provider';
import { InMemoryOAuthClient, signInInBrowser } from '../test-support/oauth-client';

jest.setTimeout(120_000);

type ToolResult = { isError?: boolean; content?: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };
const textOf = (result: unknown) => JSON.stringify((result as ToolResult).content ?? []);

let fake: FakeOpenAIServer;
let idp: TestIdentityProvider;
let server: BuiltHttpServer;
let mcpUrl: string;

beforeAll(async () => {
  [fake, idp] = await Promise.all([createFakeOpenAIServer(), startTestIdentityProvider()]);
  server = await startBuiltHttpServer({
    OPENAI_API_KEY: 'sk-e2e-sign-in',
    PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
    AUTH__MODE: 'oauth',
    AUTH__ISSUER: idp.issuer,
    SERVER__CLIENT_RATE_LIMIT_RPM: '0',
  });
  mcpUrl = `${server.baseUrl}/mcp`;
});
afterAll(async () => {
  await server?.dispose();
  await Promise.all([fake?.close(), idp?.close()]);
});

/** A user signs in as an MCP client does: 401 → metadata → registration → authorize (PKCE) → token, then connects. */
async function signIn(
  user: string,
  era: 'modern' | 'legacy',
  scope = 'images:generate images:read',
): Promise<{ client: Client; oauth: InMemoryOAuthClient }> {
  const oauth = new InMemoryOAuthClient(scope);
  const options = { versionNegotiation: { mode: era === 'modern' ? ({ pin: '2026-07-28' } as const) : ('legacy' as const) } };
  const first = new Client({ name: `sign-in-${user}`, version: '1.0.0' }, options);
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: oauth });
  await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(oauth.authorizationUrl?.origin).toBe(idp.issuer);
  expect(oauth.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
  expect(oauth.authorizationUrl?.searchParams.get('resource')).toBe(mcpUrl);
  const callback = await signInInBrowser(oauth.authorizationUrl as URL, user, oauth.redirectUrl);
  expect(callback.get('iss')).toBe(idp.issuer);
  await transport.finishAuth(callback);
  const client = new Client({ name: `sign-in-${user}`, version: '1.0.0' }, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: oauth }));
  return { client, oauth };
}

async function generate(client: Client, prompt: string) {
  const result = (await client.callTool(
    { name: 'generate_image', arguments: { prompt, size: '1024x1024', quality: 'low', fresh: true } },
    { timeout: 60_000 },
  )) as ToolResult;
  return result;
}
const imageIdOf = (result: ToolResult) => /img_\d{14}_[0-9a-f]{12}/.exec(textOf(result))?.[0] as string;
const jobIdOf = (result: ToolResult) => /job_[0-9a-f-]{36}/.exec(textOf(result))?.[0];

describe('sign-in through the identity provider', () => {
  it('answers 401 with a pointer to its protected resource metadata, which names the identity provider', async () => {
    const refused = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    const metadataUrl = `${server.baseUrl}/.well-known/oauth-protected-resource/mcp`;
    expect(refused.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    for (const url of [metadataUrl, `${server.baseUrl}/.well-known/oauth-protected-resource`]) {
      const metadata = (await (await fetch(url)).json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        resource: mcpUrl,
        authorization_servers: [idp.issuer],
        scopes_supported: ['images:generate', 'images:read'],
      });
    }
  });

  it('refuses expired, wrong-audience, wrong-issuer and forged tokens, and accepts any case of "Bearer"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const valid = { iss: idp.issuer, aud: mcpUrl, sub: 'mallory', scope: 'images:generate images:read', iat: now, exp: now + 600 };
    const wrongAudience = await idp.clientCredentialsToken('svc-alice', 'http://127.0.0.1:9/other/mcp', 'images:read');
    const refusals: Array<[string, string, string]> = [
      ['expired', await idp.mint({ ...valid, iat: now - 7200, exp: now - 3600 }), 'expired'],
      ['wrong audience', wrongAudience, 'not issued for this resource'],
      ['wrong issuer', await idp.mint({ ...valid, iss: 'http://127.0.0.1:9' }), 'not issued by the trusted identity provider'],
      ['forged', await idp.mint(valid, { forged: true }), 'signature is not valid'],
      ['not a JWT', 'not-a-token', 'not a valid JWT'],
      ['the reserved local user', await idp.mint({ ...valid, sub: 'local' }), 'names a reserved user'],
      ['without exp', await idp.mint({ ...valid, exp: undefined }), 'exp claim is not acceptable'],
    ];
    for (const [what, token, reason] of refusals) {
      const response = await fetch(`${server.baseUrl}/gallery/api/images`, { headers: { authorization: `Bearer ${token}` } });
      expect([what, response.status]).toEqual([what, 401]);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect([what, challenge]).toEqual([what, expect.stringContaining('error="invalid_token"')]);
      expect(challenge).toContain(`resource_metadata="${server.baseUrl}/.well-known/oauth-protected-resource/mcp"`);
      expect([what, challenge]).toEqual([what, expect.stringContaining(reason)]);
    }
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const response = await fetch(`${server.baseUrl}/gallery/api/images`, {
        headers: { authorization: `${scheme} ${await idp.mint(valid)}` },
      });
      expect([scheme, response.status]).toEqual([scheme, 200]);
    }
  });

  it('lets two signed-in users generate, and keeps each one’s images, jobs, gallery and budget to themselves', async () => {
    const alice = await signIn('alice', 'modern');
    const bob = await signIn('bob', 'legacy');
    try {
      expect(alice.client.getProtocolEra()).toBe('modern');
      expect(bob.client.getProtocolEra()).toBe('legacy');
      const aliceResult = await generate(alice.client, 'alice: a lighthouse at dawn');
      expect(aliceResult.isError).toBeFalsy();
      const aliceImage = imageIdOf(aliceResult);
      const bobImage = imageIdOf(await generate(bob.client, 'bob: a fox in the snow'));
      expect(aliceImage).toBeDefined();
      expect(bobImage).toBeDefined();

      // Each sees their own only: history, stats, resources list, completion, gallery.
      const historyOf = async (client: Client) => textOf(await client.callTool({ name: 'get_image_history', arguments: { limit: 50 } }));
      expect(await historyOf(alice.client)).toContain(aliceImage);
      expect(await historyOf(alice.client)).not.toContain(bobImage);
      expect(await historyOf(bob.client)).toContain(bobImage);
      expect(await historyOf(bob.client)).not.toContain(aliceImage);
      const stats = (await bob.client.callTool({ name: 'get_storage_stats', arguments: {} })) as ToolResult;
      expect(stats.structuredContent).toMatchObject({ total_images: 1 });
      const listed = (await bob.client.listResources()).resources.map((resource) => resource.uri);
      expect(listed).toContain(`generated-images://${bobImage}`);
      expect(listed).not.toContain(`generated-images://${aliceImage}`);
      const completion = await bob.client.complete({
        ref: { type: 'ref/resource', uri: 'generated-images://{image_id}' },
        argument: { name: 'image_id', value: 'img_' },
      });
      expect(completion.completion.values).toEqual([bobImage]);
      const bobGallery =
        textOf(await bob.client.callTool({ name: 'open_gallery', arguments: {} })) +
        JSON.stringify(
          await (
            await fetch(`${server.baseUrl}/gallery/api/images`, { headers: { authorization: `Bearer ${bob.oauth.accessToken}` } })
          ).json(),
        );
      expect(bobGallery).toContain(bobImage);
      expect(bobGallery).not.toContain(aliceImage);

      // Another's id answers exactly as an id that does not exist.
      const unknownImage = aliceImage.replace(/[0-9a-f]{12}$/, '000000000000');
      const readError = async (uri: string) =>
        bob.client.readResource({ uri }).then(
          () => 'read',
          (error: Error) => error.message.replaceAll(uri, 'URI'),
        );
      expect(await readError(`generated-images://${aliceImage}`)).toBe(
        (await readError(`generated-images://${unknownImage}`)).replaceAll(unknownImage, aliceImage),
      );
      expect(await readError(`generated-images://${aliceImage}`)).not.toBe('read');
      const deleteOthers = (await bob.client.callTool({ name: 'delete_image', arguments: { image_id: aliceImage } })) as ToolResult;
      const deleteUnknown = (await bob.client.callTool({ name: 'delete_image', arguments: { image_id: unknownImage } })) as ToolResult;
      expect(deleteOthers.isError).toBe(true);
      expect(textOf(deleteOthers)).toBe(textOf(deleteUnknown).replaceAll(unknownImage, aliceImage));
      const editOthers = (await bob.client.callTool({
        name: 'edit_image',
        arguments: { image: aliceImage, prompt: 'make it night' },
      })) as ToolResult;
      const editUnknown = (await bob.client.callTool({
        name: 'edit_image',
        arguments: { image: unknownImage, prompt: 'make it night' },
      })) as ToolResult;
      expect(editOthers.isError).toBe(true);
      expect(textOf(editOthers)).toBe(textOf(editUnknown).replaceAll(unknownImage, aliceImage));
      const resourceText = async (uri: string) => JSON.stringify((await bob.client.readResource({ uri })).contents);
      expect(await resourceText('image-history://recent?limit=50')).toContain(bobImage);
      expect(await resourceText('image-history://recent?limit=50')).not.toContain(aliceImage);
      const overview = (await bob.client.readResource({ uri: 'storage-stats://overview' })).contents[0] as { text: string };
      expect(JSON.parse(overview.text)).toMatchObject({ total_images: 1 });
      const asBob = { authorization: `Bearer ${bob.oauth.accessToken}` };
      const otherFile = await fetch(`${server.baseUrl}/images/${aliceImage}`, { headers: asBob });
      const unknownFile = await fetch(`${server.baseUrl}/images/${unknownImage}`, { headers: asBob });
      expect([otherFile.status, unknownFile.status]).toEqual([404, 404]);
      expect((await otherFile.text()).replaceAll(aliceImage, 'ID')).toBe((await unknownFile.text()).replaceAll(unknownImage, 'ID'));
      expect((await fetch(`${server.baseUrl}/gallery/api/images/${aliceImage}`, { method: 'DELETE', headers: asBob })).status).toBe(404);
      expect(
        (await fetch(`${server.baseUrl}/images/${aliceImage}`, { headers: { authorization: `Bearer ${alice.oauth.accessToken}` } })).status,
      ).toBe(200);

      // A job is its starter's: a slow generation answers with a job id that the other user cannot fetch.
      fake.injectFault({ kind: 'delay', delayMs: 2_500 });
      const running = (await alice.client.callTool(
        { name: 'generate_image', arguments: { prompt: 'alice: slow', size: '1024x1024', quality: 'low', fresh: true, wait_seconds: 1 } },
        { timeout: 60_000 },
      )) as ToolResult;
      const jobId = jobIdOf(running);
      expect(jobId).toBeDefined();
      const othersJob = (await bob.client.callTool({
        name: 'get_generation',
        arguments: { job_id: jobId, wait_seconds: 0 },
      })) as ToolResult;
      const unknownJob = (await bob.client.callTool({
        name: 'get_generation',
        arguments: { job_id: 'job_00000000-0000-4000-8000-000000000000', wait_seconds: 0 },
      })) as ToolResult;
      expect(othersJob.isError).toBe(true);
      expect(textOf(othersJob).replaceAll(jobId as string, 'JOB')).toBe(
        textOf(unknownJob).replaceAll('job_00000000-0000-4000-8000-000000000000', 'JOB'),
      );
      const own = (await alice.client.callTool(
        { name: 'get_generation', arguments: { job_id: jobId, wait_seconds: 30 } },
        {
          timeout: 60_000,
        },
      )) as ToolResult;
      expect(textOf(own)).toMatch(/img_\d{14}_[0-9a-f]{12}/);

      // Budgets: an administrator (a client-credentials token with the admin scope, asked for explicitly) gives alice a
      // cap of $0 today; alice is refused, bob is not.
      const adminToken = await idp.clientCredentialsToken('svc-admin', mcpUrl, 'images:generate images:read images:admin');
      const admin = new Client({ name: 'admin', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
      await admin.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: { token: async () => adminToken } }));
      try {
        expect((await admin.listTools()).tools.map((tool) => tool.name)).toContain('set_user_budget');
        // Metrics (everyone's traffic and spend) are the administrator's.
        expect((await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
        expect((await fetch(`${server.baseUrl}/metrics`, { headers: asBob })).status).toBe(403);
        expect((await alice.client.listTools()).tools.map((tool) => tool.name)).not.toContain('set_user_budget');
        const set = (await admin.callTool({ name: 'set_user_budget', arguments: { principal_id: 'alice', daily_usd: 0 } })) as ToolResult;
        expect(set.structuredContent).toMatchObject({ principal_id: 'alice', daily_usd: 0 });
        // The administrator sees everyone's images.
        const everything = textOf(await admin.callTool({ name: 'get_image_history', arguments: { limit: 50 } }));
        expect(everything).toContain(aliceImage);
        expect(everything).toContain(bobImage);
      } finally {
        await admin.close();
      }
      const refused = await generate(alice.client, 'alice: over budget');
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('Your daily budget of $0.0000 is reached');
      expect(textOf(refused)).toContain('budget_exceeded');
      const stillAllowed = await generate(bob.client, 'bob: within budget');
      expect(stillAllowed.isError).toBeFalsy();
    } finally {
      await alice.client.close();
      await bob.client.close();
    }
  });

  it('serves client-credentials tokens as their own principal, and answers 403 insufficient_scope without the needed scope', async () => {
    const service = new Client({ name: 'service', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await service.connect(
      new StreamableHTTPClientTransport(new URL(mcpUrl), {
        authProvider: new ClientCredentialsProvider({
          clientId: 'svc-alice',
          clientSecret: 'svc-alice-secret',
          scope: 'images:generate images:read',
          expectedIssuer: idp.issuer,
        }),
      }),
    );
    try {
      const made = imageIdOf(await generate(service, 'a service image'));
      expect(textOf(await service.callTool({ name: 'get_image_history', arguments: { limit: 50 } }))).toContain(made);
      expect(textOf(await service.callTool({ name: 'get_image_history', arguments: { limit: 50 } }))).not.toContain('alice: a lighthouse');
    } finally {
      await service.close();
    }

    const readOnly = await idp.clientCredentialsToken('svc-bob', mcpUrl, 'images:read');
    const call = await fetch(mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readOnly}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    expect(call.status).toBe(200);
    const sessionId = call.headers.get('mcp-session-id') as string;
    await call.text();
    const headers = {
      authorization: `Bearer ${readOnly}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      'mcp-session-id': sessionId,
    };
    await fetch(mcpUrl, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    const forbidden = await fetch(mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'generate_image', arguments: { prompt: 'no' } },
      }),
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="images:generate"');

    // Another user presenting this session's id finds no session.
    const otherUser = await idp.clientCredentialsToken('svc-alice', mcpUrl, 'images:read');
    const hijack = await fetch(mcpUrl, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${otherUser}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(404);
  });
});
