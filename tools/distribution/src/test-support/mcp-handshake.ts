/**
 * The first exchange any MCP client has with a server: `initialize` with a 2025 protocol revision (which servers on
 * the 2026 revision still answer), `notifications/initialized`, then `tools/list`. Enough to prove a started server
 * speaks MCP, whichever SDK version it is built on.
 */
import type { ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';

export const clientProtocolVersion = '2025-06-18';

export interface Handshake {
  /** The `initialize` result: `protocolVersion`, `serverInfo`, `capabilities`. */
  initialize: { protocolVersion: string; serverInfo: { name: string; version: string }; capabilities: Record<string, unknown> };
  /** The names `tools/list` returned. */
  toolNames: string[];
}

const initializeParams = {
  protocolVersion: clientProtocolVersion,
  capabilities: {},
  clientInfo: { name: 'imagegen-distribution-check', version: '1.0.0' },
};

interface JsonRpcAnswer {
  id?: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** Runs the handshake over a child's stdin/stdout (newline-delimited JSON-RPC); rejects with its stderr on failure. */
export function handshakeOverStdio(child: ChildProcess, timeoutMs: number): Promise<Handshake> {
  let standardError = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    standardError = (standardError + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise<Handshake>((resolve, reject) => {
    const pending = new Map<number, (answer: JsonRpcAnswer) => void>();
    const fail = (reason: string) => reject(new Error(`${reason}\n--- server stderr (last lines) ---\n${standardError}`));
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code, signal) => fail(`the server exited (code ${code}, signal ${signal}) before answering`));
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let message: JsonRpcAnswer;
      try {
        message = JSON.parse(line) as JsonRpcAnswer;
      } catch {
        fail(`stdout carried a line that is not JSON-RPC: ${line.slice(0, 200)}`);
        return;
      }
      if (typeof message.id === 'number') pending.get(message.id)?.(message);
    });
    const request = (id: number, method: string, params: unknown) =>
      new Promise<JsonRpcAnswer>((answered) => {
        pending.set(id, answered);
        child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      });
    void (async () => {
      const initialized = await request(1, 'initialize', initializeParams);
      if (!initialized.result) return fail(`initialize failed: ${JSON.stringify(initialized.error)}`);
      child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      const listed = await request(2, 'tools/list', {});
      if (!listed.result) return fail(`tools/list failed: ${JSON.stringify(listed.error)}`);
      clearTimeout(timer);
      resolve({
        initialize: initialized.result as unknown as Handshake['initialize'],
        toolNames: ((listed.result['tools'] as { name: string }[]) ?? []).map((tool) => tool.name),
      });
    })();
  });
}

/** Reads a JSON-RPC answer from a Streamable HTTP response, which may be plain JSON or a server-sent event stream. */
async function answerOf(response: Response): Promise<JsonRpcAnswer> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return JSON.parse(text) as JsonRpcAnswer;
  for (const line of text.split('\n')) {
    if (line.startsWith('data:')) {
      const message = JSON.parse(line.slice(5)) as JsonRpcAnswer;
      if (message.id !== undefined) return message;
    }
  }
  throw new Error(`no JSON-RPC answer in the event stream: ${text.slice(0, 300)}`);
}

/** Runs the handshake against a Streamable HTTP endpoint (`…/mcp`). */
export async function handshakeOverHttp(url: string, headers: Record<string, string> = {}): Promise<Handshake> {
  const post = async (body: unknown, sessionId?: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': clientProtocolVersion,
        ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    if (response.status >= 400) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
    return response;
  };
  const initializeResponse = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: initializeParams });
  const sessionId = initializeResponse.headers.get('mcp-session-id') ?? undefined;
  const initialized = await answerOf(initializeResponse);
  if (!initialized.result) throw new Error(`initialize failed: ${JSON.stringify(initialized.error)}`);
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).text();
  const listed = await answerOf(await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }, sessionId));
  if (!listed.result) throw new Error(`tools/list failed: ${JSON.stringify(listed.error)}`);
  return {
    initialize: initialized.result as unknown as Handshake['initialize'],
    toolNames: ((listed.result['tools'] as { name: string }[]) ?? []).map((tool) => tool.name),
  };
}
