import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { ImageGenError } from '@imagegen/common';
import { engineOnceOpen, holdUntilEngineOpens } from './engine-start-gate';

/** A transport whose inbound side the test drives (`arrive`) and whose outbound messages it records. */
function fakeTransport() {
  const sent: JSONRPCMessage[] = [];
  const transport: Transport = {
    start: async () => undefined,
    close: async () => undefined,
    send: async (message) => {
      sent.push(message);
    },
  };
  // What a transport does with a message it read: hands it to whoever set `onmessage`.
  const arrive = (message: JSONRPCMessage) => transport.onmessage?.(message);
  return { transport, sent, arrive };
}

const request = (id: number, method: string): JSONRPCMessage => ({ jsonrpc: '2.0', id, method, params: {} });

describe('holdUntilEngineOpens', () => {
  it('passes the opening exchange and the fixed lists through, and holds a tool call and everything after it until open()', async () => {
    const { transport, arrive } = fakeTransport();
    let engineWanted = 0;
    const gate = holdUntilEngineOpens(transport, () => (engineWanted += 1));
    const delivered: string[] = [];
    gate.transport.onmessage = (message) => delivered.push(`${String((message as { method?: string }).method)}`);

    arrive(request(1, 'initialize'));
    arrive({ jsonrpc: '2.0', method: 'notifications/initialized' });
    arrive(request(2, 'tools/list'));
    expect(delivered).toEqual(['initialize', 'notifications/initialized', 'tools/list']);
    expect(engineWanted).toBe(0);

    arrive(request(3, 'tools/call'));
    arrive({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } });
    arrive(request(4, 'prompts/list'));
    expect(delivered).toHaveLength(3);
    expect(engineWanted).toBeGreaterThan(0);

    gate.open();
    expect(delivered).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/list',
      'tools/call',
      'notifications/cancelled',
      'prompts/list',
    ]);
    arrive(request(5, 'resources/read'));
    expect(delivered.at(-1)).toBe('resources/read');
  });

  it('asks for the engine once an answer has been written, and tells when the held requests are answered', async () => {
    const { transport, sent, arrive } = fakeTransport();
    let engineWanted = 0;
    const gate = holdUntilEngineOpens(transport, () => (engineWanted += 1));
    gate.transport.onmessage = () => undefined;

    arrive(request(1, 'initialize'));
    await gate.transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(sent).toHaveLength(1);
    expect(engineWanted).toBe(1);

    arrive(request(2, 'tools/call'));
    let answered = false;
    const waiting = gate.heldRequestsAnswered(60_000).then(() => (answered = true));
    gate.open();
    await Promise.resolve();
    expect(answered).toBe(false);
    await gate.transport.send({ jsonrpc: '2.0', id: 2, result: { content: [], isError: true } });
    await waiting;
    expect(answered).toBe(true);
  });
});

describe('engineOnceOpen', () => {
  interface Engine {
    templateAutoSize: boolean;
    configuredProviders(): string[];
  }

  it('serves the early members at once, the opened engine afterwards, and the start failure when it failed', () => {
    const state: { opened?: Engine; failure?: Error } = {};
    const engine = engineOnceOpen<Engine>(
      { templateAutoSize: false },
      () => state.opened,
      () => state.failure ?? new Error('not yet'),
    );
    expect(engine.templateAutoSize).toBe(false);
    expect(() => engine.configuredProviders()).toThrow('not yet');

    state.failure = new ImageGenError({ code: 'storage_failed', message: 'The image server could not start: the folder is read-only.' });
    expect(() => engine.configuredProviders()).toThrow('the folder is read-only');

    state.opened = {
      templateAutoSize: true,
      configuredProviders() {
        // Called through the view, `this` is still the engine.
        return this === state.opened ? ['openai'] : [];
      },
    };
    expect(engine.configuredProviders()).toEqual(['openai']);
    expect(engine.templateAutoSize).toBe(false);
  });
});
