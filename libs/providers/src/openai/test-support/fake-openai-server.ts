import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny OpenAI look-alike on 127.0.0.1 and an ephemeral port, for tests: it records every request exactly as it
 * arrived and answers with scripted responses, one per request, in order.
 */

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON. */
  json(): Record<string, unknown>;
  /** The body parsed as multipart form data (with the platform's own parser). */
  formData(): Promise<FormData>;
}

/** One scripted answer. */
export type ScriptedResponse =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'sse'; events: ReadonlyArray<{ event: string; data: unknown }>; delayMs?: number; holdOpen?: boolean }
  | { kind: 'raw'; status: number; body: string; contentType: string }
  /** Never answers; the connection stays open until the client gives up. */
  | { kind: 'hang' };

/** A running fake server. */
export interface FakeOpenAIServer {
  /** Base URL to give the provider (ends in `/v1`). */
  baseUrl: string;
  /** Requests received so far. */
  requests: RecordedRequest[];
  /** Queues answers for the next requests. */
  enqueue(...responses: ScriptedResponse[]): void;
  /** Resolves when the server has received `count` requests. */
  waitForRequests(count: number): Promise<void>;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** A 1×1 PNG, base64. */
export const tinyPngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** Bytes that start like a JPEG. */
export const jpegBytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

/** Bytes that start like a WebP. */
export const webpBytes = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c]);

/** The bytes of {@link tinyPngBase64}. */
export const pngBytes = new Uint8Array(Buffer.from(tinyPngBase64, 'base64'));

/** Starts a fake server on 127.0.0.1:0. */
export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = request.headers;
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers,
        body,
        json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
        formData: () => new Response(body, { headers: { 'content-type': String(headers['content-type'] ?? '') } }).formData(),
      });
      for (const waiter of [...waiters]) {
        if (requests.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      const scripted = queue.shift() ?? { kind: 'json', status: 500, body: { error: { message: 'No scripted response left.' } } };
      void answer(scripted, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    waitForRequests: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(scripted: ScriptedResponse, response: http.ServerResponse): Promise<void> {
  switch (scripted.kind) {
    case 'json':
      response.writeHead(scripted.status ?? 200, {
        'content-type': 'application/json',
        'x-request-id': 'req_test_123',
        ...scripted.headers,
      });
      response.end(JSON.stringify(scripted.body));
      return;
    case 'raw':
      response.writeHead(scripted.status, { 'content-type': scripted.contentType, 'x-request-id': 'req_test_123' });
      response.end(scripted.body);
      return;
    case 'sse':
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_stream_456' });
      for (const event of scripted.events) {
        if (response.destroyed) return;
        response.write(`event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
        if (scripted.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
      }
      if (scripted.holdOpen !== true) response.end();
      return;
    case 'hang':
      return;
  }
}
