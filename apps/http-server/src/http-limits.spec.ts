/**
 * What the HTTP server answers at its limits and to requests it does not serve: unknown routes and methods, bodies
 * too large, too slow or too many, sessions beyond the caps, oversized batches. Real sockets on loopback.
 */
import { connect } from 'node:net';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createAuthentication, scopeNamesWith } from './auth/authentication';
import { waitFor } from './test-support/built-http-server';
import { startInProcessApp, testToken, type InProcessApp } from './test-support/in-process-app';

jest.setTimeout(30_000);

const auth = { Authorization: `Bearer ${testToken}` };

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await createFakeOpenAIServer();
});
afterAll(async () => {
  await fake.close();
});

describe('routes nothing serves', () => {
  let app: InProcessApp;
  beforeAll(async () => {
    app = await startInProcessApp(fake);
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers an unknown path with JSON 404, not an HTML page', async () => {
    for (const target of ['/nothing-here', '/mcp/extra', '/images']) {
      const response = await fetch(`${app.baseUrl}${target}`, { headers: auth });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/json');
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).toBe('not_found');
      expect(body.message).toContain('/mcp');
    }
  });

  it('answers a known path asked with the wrong method with JSON 405 and Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['POST', '/healthz', 'GET, HEAD'],
      ['DELETE', '/images/img_20200101000000_000000000000', 'GET, HEAD'],
      ['POST', '/sse', 'GET, HEAD'],
      ['GET', '/messages', 'POST'],
      ['PUT', '/metrics', 'GET, HEAD'],
    ];
    for (const [method, target, allowed] of cases) {
      const response = await fetch(`${app.baseUrl}${target}`, { method, headers: auth });
      expect({ target, status: response.status }).toEqual({ target, status: 405 });
      expect(response.headers.get('allow')).toBe(allowed);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(((await response.json()) as { error: string }).error).toBe('method_not_allowed');
    }
  });
});

describe('JSON-RPC batches', () => {
  let app: InProcessApp;
  beforeAll(async () => {
    app = await startInProcessApp(fake);
  });
  afterAll(async () => {
    await app.close();
  });

  const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });
  const batch = Array.from({ length: 5000 }, (_unused, index) => ping(index));

  /** Opens a legacy SSE stream and resolves with its message endpoint (from the first `endpoint` event). */
  async function openSseStream(): Promise<{ endpoint: string; close(): void }> {
    const controller = new AbortController();
    const response = await fetch(`${app.baseUrl}/sse`, { headers: auth, signal: controller.signal });
    if (!response.body) throw new Error('the SSE stream has no body');
    const reader = response.body.getReader();
    let text = '';
    while (!/event: endpoint\ndata: (\S+)/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const endpoint = /event: endpoint\ndata: (\S+)/.exec(text)?.[1] ?? '';
    return { endpoint: new URL(endpoint, app.baseUrl).href, close: () => controller.abort() };
  }

  it('on the legacy SSE transport, a 5,000-message batch gets one short JSON-RPC error, not the messages echoed', async () => {
    const stream = await openSseStream();
    try {
      const response = await fetch(stream.endpoint, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(batch),
      });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(text.length).toBeLessThan(300);
      expect(text).not.toContain('[object Object]');
      expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
      expect(text).toContain('batch of 5000 messages');
      // A body that is no JSON-RPC message at all gets the same kind of answer.
      const shapeless = await fetch(stream.endpoint, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ hello: 'world' }),
      });
      expect(shapeless.status).toBe(400);
      expect(((await shapeless.json()) as { error: { message: string } }).error.message).toContain('not a JSON-RPC 2.0 message');
      // The stream still serves single messages.
      const single = await fetch(stream.endpoint, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(ping(1)),
      });
      expect(single.status).toBe(202);
    } finally {
      stream.close();
    }
  });

  it('on Streamable HTTP, a 5,000-message batch is refused in one short JSON-RPC error (batches hold at most 100)', async () => {
    const response = await fetch(`${app.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text.length).toBeLessThan(300);
    expect(JSON.parse(text)).toMatchObject({ error: { code: -32600 } });
  });
});

describe('session caps', () => {
  let app: InProcessApp;
  beforeAll(async () => {
    app = await startInProcessApp(fake, { maxSessions: 3, maxSessionsPerClient: 2 });
  });
  afterAll(async () => {
    await app.close();
  });

  const initialize = (headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
      }),
    });
  const closeSession = (sessionId: string) =>
    fetch(`${app.baseUrl}/mcp`, {
      method: 'DELETE',
      headers: { ...auth, 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-06-18' },
    });

  it('refuses a client its third session (Streamable HTTP or SSE) with 429 and Retry-After; a closed one frees its place', async () => {
    const opened: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const response = await initialize();
      expect(response.status).toBe(200);
      await response.body?.cancel();
      opened.push(response.headers.get('mcp-session-id') ?? '');
    }
    const third = await initialize();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const refusal = (await third.json()) as { jsonrpc: string; error: { code: number; message: string } };
    expect(refusal).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    expect(refusal.error.message).toContain('SERVER__MAX_SESSIONS_PER_CLIENT');
    expect(app.http.sessionCount()).toBe(2);

    // A legacy SSE stream counts too: this client's share is used up.
    const stream = await fetch(`${app.baseUrl}/sse`, { headers: auth });
    expect(stream.status).toBe(429);
    await stream.body?.cancel();

    expect((await closeSession(opened[0] ?? '')).status).toBe(200);
    expect(app.http.sessionCount()).toBe(1);
    const again = await initialize();
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  it('does not count requests that open no session (a plain request without a session id)', async () => {
    const before = app.http.sessionCount();
    const response = await fetch(`${app.baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await response.body?.cancel();
    expect(app.http.sessionCount()).toBe(before);
  });
});

describe('session caps with sign-in', () => {
  let app: InProcessApp;
  let resourceUrl = 'http://127.0.0.1:1/mcp';
  beforeAll(async () => {
    // Tokens name their user and their client app: "alice-desktop" and "alice-web" are two apps of alice.
    const authentication = createAuthentication({
      mode: 'oauth',
      issuer: 'http://127.0.0.1:2',
      resourceUrl: () => resourceUrl,
      scopes: scopeNamesWith('images:admin'),
      verifier: {
        verifyAccessToken: async (token) => ({
          token,
          clientId: token.split('-')[1] ?? 'app',
          scopes: ['images:generate', 'images:read'],
          expiresAt: Math.floor(Date.now() / 1000) + 60,
          resource: new URL(resourceUrl),
          extra: { principalId: token.split('-')[0] },
        }),
      },
    });
    app = await startInProcessApp(fake, { maxSessions: 10, maxSessionsPerClient: 2, authentication });
    resourceUrl = `${app.baseUrl}/mcp`;
  });
  afterAll(async () => {
    await app.close();
  });

  const initializeAs = async (token: string) => {
    const response = await fetch(`${app.baseUrl}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
      }),
    });
    await response.body?.cancel();
    return response.status;
  };

  it("counts a user's sessions together whichever client app opens them, and leaves other users their own share", async () => {
    expect(await initializeAs('alice-desktop')).toBe(200);
    expect(await initializeAs('alice-web')).toBe(200);
    expect(await initializeAs('alice-cli')).toBe(429);
    expect(await initializeAs('bob-desktop')).toBe(200);
    expect(await initializeAs('bob-web')).toBe(200);
  });
});

describe('session caps in total', () => {
  let app: InProcessApp;
  beforeAll(async () => {
    app = await startInProcessApp(fake, { maxSessions: 2, maxSessionsPerClient: 10 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 503 with Retry-After once the server holds its cap of sessions and SSE streams', async () => {
    const streams: AbortController[] = [];
    try {
      for (let index = 0; index < 2; index += 1) {
        const controller = new AbortController();
        streams.push(controller);
        const response = await fetch(`${app.baseUrl}/sse`, { headers: auth, signal: controller.signal });
        expect(response.status).toBe(200);
      }
      const refused = await fetch(`${app.baseUrl}/sse`, { headers: auth });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('SERVER__MAX_SESSIONS');
    } finally {
      for (const controller of streams) controller.abort();
    }
    // Dropped streams give their places back.
    await waitFor(() => app.http.sessionCount() === 0, 'the SSE streams to close');
    const controller = new AbortController();
    const reopened = await fetch(`${app.baseUrl}/sse`, { headers: auth, signal: controller.signal });
    expect(reopened.status).toBe(200);
    controller.abort();
  });
});

/** Sends raw bytes on a fresh connection; resolves with all the server wrote once it closes the connection. */
function rawExchange(port: number, head: string, bodyPart: string): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head + bodyPart));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closed: true }));
  });
}

describe('request bodies', () => {
  let app: InProcessApp;
  beforeAll(async () => {
    app = await startInProcessApp(fake, { requestTimeoutMs: 1_000, maxConcurrentLargeBodies: 1, maxBodyBytes: 8 * 1024 * 1024 });
  });
  afterAll(async () => {
    await app.close();
  });

  const head = (length: number) =>
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nAuthorization: Bearer ${testToken}\r\nContent-Type: application/json\r\n` +
    `Accept: application/json, text/event-stream\r\nContent-Length: ${length}\r\n\r\n`;

  it('answers a body that never arrives in full with 408 and closes the connection', async () => {
    const { answer, closed } = await rawExchange(app.port, head(5_000_000), '{"jsonrpc":"2.0",');
    expect(answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect(closed).toBe(true);
  });

  it('keeps /healthz answering while large bodies stall and wait for their turn', async () => {
    const stalled = [rawExchange(app.port, head(5_000_000), '{"jsonrpc"'), rawExchange(app.port, head(5_000_000), '{"jsonrpc"')];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const answers = await Promise.all(stalled);
    // Each is cut by the request time-out (the waiting one too: its turn never came).
    for (const { answer } of answers) expect(answer).toMatch(/^HTTP\/1\.1 (408|503)/);
  });

  it('refuses a body declared larger than the limit with 413 before reading it', async () => {
    const { answer, closed } = await rawExchange(app.port, head(64 * 1024 * 1024), '{"jsonrpc":"2.0"');
    expect(answer.startsWith('HTTP/1.1 413')).toBe(true);
    expect(answer).toContain('SERVER__MAX_BODY_MB');
    expect(closed).toBe(true);
  });
});

describe('shutting down with calls still running', () => {
  let slow: FakeOpenAIServer;
  let app: InProcessApp;
  beforeAll(async () => {
    slow = await createFakeOpenAIServer({ latencyMs: 20_000 });
    app = await startInProcessApp(slow);
  });
  afterAll(async () => {
    await app.close();
    await slow.close();
  });

  it('answers a call still running after the grace period with an error result saying the server is shutting down', async () => {
    const post = (body: unknown, sessionId?: string) =>
      fetch(`${app.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          ...auth,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          ...(sessionId ? { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-06-18' } : {}),
        },
        body: JSON.stringify(body),
      });
    const initialized = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
    });
    const sessionId = initialized.headers.get('mcp-session-id') ?? '';
    await initialized.body?.cancel();
    await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).body?.cancel();
    const call = post(
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'generate_image', arguments: { prompt: 'a slow kite', wait_seconds: 60 } },
      },
      sessionId,
    ).then((response) => response.text());
    await waitFor(() => app.http.inFlightToolCalls() === 1, 'the call to start');
    // What the server's stop does: wait out the grace period, then close the sessions.
    expect(await app.http.drain(50)).toBe(false);
    await app.http.closeSessions();
    const answer = await call;
    expect(answer).toContain('"id":2');
    expect(answer).toContain('"isError":true');
    expect(answer).toContain('shutting down');
  });
});
