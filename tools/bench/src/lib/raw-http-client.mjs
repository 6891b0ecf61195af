// A lean Streamable HTTP MCP client for load loops: node:http with a keep-alive agent the caller owns (destroyed at
// the end, so servers can shut down at once), JSON-RPC over POST, answers read as JSON or SSE.
import * as http from 'node:http';
// The SDK Client compiles JSON-Schema validators for every tool's output schema after each tools/list and validates
// every structured result, all in the benchmark process; that client-side work would be measured as server latency,
// so the HTTP figures use this client (the SDK Client is still used once per run to check the server end to end).
const protocolVersion = '2025-06-18';

function firstMessage(contentType, text) {
  if (contentType.includes('text/event-stream')) {
    // One event per message; the answer is the `data:` lines of the event that carries a result or an error.
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      const message = JSON.parse(data);
      if ('result' in message || 'error' in message) return message;
    }
    throw new Error(`no JSON-RPC answer in the event stream: ${text.slice(0, 200)}`);
  }
  return JSON.parse(text);
}

function send(agent, endpoint, method, headers, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(endpoint, { method, headers, agent }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A keep-alive agent for a set of clients; destroy it when done. */
export const createAgent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });

export async function connectRawClient(agent, endpoint, name) {
  let sessionId;
  let nextId = 0;
  const headers = () => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': protocolVersion,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
  });
  const post = async (body) => {
    const answer = await send(agent, endpoint, 'POST', headers(), JSON.stringify(body));
    if (answer.status !== 200 && answer.status !== 202)
      throw new Error(`POST ${endpoint} ${body.method}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
    return answer;
  };
  const request = async (method, params = {}) => {
    nextId += 1;
    const answer = await post({ jsonrpc: '2.0', id: nextId, method, params });
    const message = firstMessage(String(answer.headers['content-type'] ?? ''), answer.text);
    if (message.error) throw new Error(`${method}: ${message.error.message}`);
    return message.result;
  };

  nextId += 1;
  const init = await post({
    jsonrpc: '2.0',
    id: nextId,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name, version: '1.0.0' } },
  });
  const session = init.headers['mcp-session-id'];
  sessionId = typeof session === 'string' ? session : undefined;
  firstMessage(String(init.headers['content-type'] ?? ''), init.text);
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });

  return {
    sessionId,
    request,
    listTools: () => request('tools/list'),
    callTool: (toolName, args) => request('tools/call', { name: toolName, arguments: args }),
    async close() {
      if (!sessionId) return;
      await send(agent, endpoint, 'DELETE', headers()).catch(() => undefined);
    },
  };
}
