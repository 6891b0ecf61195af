/**
 * What the HTTP server answers at its limits and to requests it does not serve: unknown routes and methods, bodies
 * too large, too slow or too many, sessions beyond the caps, oversized batches. Real sockets on loopback.
 */
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
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
    const reader = response.body!.getReader();
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
