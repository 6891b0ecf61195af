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
