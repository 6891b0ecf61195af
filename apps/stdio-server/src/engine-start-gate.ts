import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/server';

/**
 * Requests the server answers before its engine has opened: the opening exchange, and lists that are fixed at start
 * (tool and prompt definitions, resource templates). Everything else (tool calls, resource reads and listings,
 * completions, prompts/get) needs the engine.
 */
const answerableBeforeEngine: ReadonlySet<string> = new Set([
  'initialize',
  'server/discover',
  'ping',
  'logging/setLevel',
  'tools/list',
  'prompts/list',
  'resources/templates/list',
  'subscriptions/listen',
]);

type JsonRpcId = string | number;

function requestOf(message: JSONRPCMessage): { id: JsonRpcId; method: string } | undefined {
  const candidate = message as { id?: unknown; method?: unknown };
  return typeof candidate.method === 'string' && (typeof candidate.id === 'string' || typeof candidate.id === 'number')
    ? { id: candidate.id, method: candidate.method }
    : undefined;
}

function answeredId(message: JSONRPCMessage): JsonRpcId | undefined {
  const candidate = message as { id?: unknown; method?: unknown };
  if (typeof candidate.method === 'string' || !('result' in message || 'error' in message)) return undefined;
  return typeof candidate.id === 'string' || typeof candidate.id === 'number' ? candidate.id : undefined;
}

/** What {@link holdUntilEngineOpens} gives back. */
export interface EngineStartGate<T extends Transport> {
  /** The same transport, now holding back what needs the engine. */
  transport: T;
  /** Lets every held message through, in the order it arrived, and every later one straight away. */
  open(): void;
  /** Resolves once every request that had to wait has been answered, or after `timeoutMs` at the latest. */
  heldRequestsAnswered(timeoutMs: number): Promise<void>;
}

/**
 * Lets the server answer `initialize` (or `server/discover`) and the fixed lists while its engine is still opening:
 * a message that needs the engine, and every message after it (so a cancellation never overtakes its request), waits
 * until {@link EngineStartGate.open}. `needEngine` is called when the engine is wanted: after each answer written (the
 * first one, to `initialize`, is the moment to start opening it) and when a message has to wait.
 */
export function holdUntilEngineOpens<T extends Transport>(transport: T, needEngine: () => void): EngineStartGate<T> {
  let opened = false;
  const held: Array<{ message: JSONRPCMessage; extra: MessageExtraInfo | undefined }> = [];
  const unanswered = new Set<JsonRpcId>();
  const onAllAnswered: Array<() => void> = [];
  let deliver: Transport['onmessage'];

  const receive = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
    const request = requestOf(message);
    const answerableNow = request === undefined || answerableBeforeEngine.has(request.method);
    if (opened || (held.length === 0 && answerableNow)) {
      deliver?.(message, extra);
      return;
    }
    held.push({ message, extra });
    if (request) unanswered.add(request.id);
    needEngine();
  };
  // The SDK's stdio entry sets `onmessage` on the transport it is given; the transport calls whatever is set there.
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => (deliver ? receive : undefined),
    set: (handler: Transport['onmessage']) => {
      deliver = handler;
    },
  });

  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    await send(message, options);
    const id = answeredId(message);
    if (id === undefined) return;
    if (unanswered.delete(id) && unanswered.size === 0) for (const resolve of onAllAnswered.splice(0)) resolve();
    needEngine();
  };

  return {
    transport,
    open() {
      if (opened) return;
      opened = true;
      for (const { message, extra } of held.splice(0)) deliver?.(message, extra);
    },
    heldRequestsAnswered(timeoutMs) {
      if (unanswered.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        onAllAnswered.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * The engine as the MCP layer sees it while it opens: `early` holds what the server needs to be built (its prompt
 * templates); every other member is the opened engine's, or throws `whenUnavailable()` — the start failure, which tool
 * calls then answer as an `isError` result. The gate above keeps requests away until the engine has opened or failed.
 */
export function engineOnceOpen<Engine extends object>(
  early: Partial<Engine>,
  current: () => Engine | undefined,
  whenUnavailable: () => Error,
): Engine {
  return new Proxy(early as Engine, {
    get(target, key) {
      if (Object.prototype.hasOwnProperty.call(target, key)) return Reflect.get(target, key);
      const engine = current();
      if (engine === undefined) throw whenUnavailable();
      const value: unknown = Reflect.get(engine, key);
      return typeof value === 'function' ? value.bind(engine) : value;
    },
    has: (target, key) => Object.prototype.hasOwnProperty.call(target, key) || key in (current() ?? {}),
  });
}
