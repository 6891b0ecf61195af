import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createMemoryLogger } from '@imagegen/common';
import { hasLargeBody, largeBodyGate } from './body-gate';

describe('large-body gate', () => {
  let server: Server;
  let baseUrl: string;
  const held: Array<() => void> = [];
  const served: string[] = [];

  beforeAll(async () => {
    const app = express();
    const gate = largeBodyGate({ largeBodyBytes: 1024, maxConcurrent: 1, maxWaiting: 1, maxWaitMs: 2_000, logger: createMemoryLogger() });
    // The handler keeps each request open until the test lets it finish, as a slow tool call would.
    app.post('/work', gate, express.raw({ type: '*/*', limit: '1mb' }), (request, response) => {
      served.push(String(request.query['name']));
      held.push(() => response.status(200).json({ name: request.query['name'] }));
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (name: string, bytes: number) => fetch(`${baseUrl}/work?name=${name}`, { method: 'POST', body: Buffer.alloc(bytes, 120) });
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('serves one large body at a time, queues the next unread, refuses beyond the queue with 503, never delays small ones', async () => {
    const first = post('first', 4096);
    await until(() => served.includes('first'));
    const second = post('second', 4096);
    // Let the second reach the queue, then a third finds the queue full.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await post('third', 4096);
    expect(third.status).toBe(503);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain('SERVER__MAX_CONCURRENT_LARGE_BODIES');
    // A small body passes while the large one holds its turn.
    const small = post('small', 10);
    await until(() => served.includes('small'));
    expect(served).not.toContain('second');
    // The small one is the last held.
    held.pop()?.();
    expect((await small).status).toBe(200);
    // The first finishes: the second gets its turn.
    held.shift()?.();
    expect((await first).status).toBe(200);
    await until(() => served.includes('second'));
    held.shift()?.();
    expect((await second).status).toBe(200);
  });

  it('refuses a large body that waited too long for its turn with 503', async () => {
    const first = post('long-first', 4096);
    await until(() => served.includes('long-first'));
    const waiting = await post('long-waiting', 4096);
    expect(waiting.status).toBe(503);
    expect(served).not.toContain('long-waiting');
    held.shift()?.();
    expect((await first).status).toBe(200);
  });

  it('counts as large a body declared above the threshold or sent without a declared length', () => {
    expect(hasLargeBody({ headers: { 'content-length': '2048' } }, 1024)).toBe(true);
    expect(hasLargeBody({ headers: { 'content-length': '512' } }, 1024)).toBe(false);
    expect(hasLargeBody({ headers: { 'transfer-encoding': 'chunked' } }, 1024)).toBe(true);
    expect(hasLargeBody({ headers: {} }, 1024)).toBe(false);
  });
});
