import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';
import type { ToolContext } from './request-context';

/** How one tool call ended: a result, an `isError` result (or a thrown error), or the client cancelled it. */
export type ToolCallOutcome = 'success' | 'error' | 'cancelled';

/**
 * Watches every tool call of a server, whatever carries it (stdio, a 2025 session, a 2026-07-28 request, legacy
 * SSE): the HTTP app counts and times calls with it and waits for running ones before shutting down.
 */
export interface ToolCallObserver {
  /** A call started; `finished` is called exactly once when it ends. */
  started(tool: string): { finished(outcome: ToolCallOutcome): void };
}

type AnyToolCallback = (...parameters: unknown[]) => CallToolResult | Promise<CallToolResult>;

/**
 * Wraps every tool the server registers from now on (the tool files register as usual) so the observer sees each
 * call start and end. The SDK passes the handler context last: `(args, context)`, or `(context)` for a tool without
 * input schema.
 */
export function observeToolCalls(server: McpServer, observer: ToolCallObserver): void {
  const register = server.registerTool.bind(server) as (name: string, config: unknown, callback: AnyToolCallback) => unknown;
  const observed = (name: string, config: unknown, callback: AnyToolCallback) =>
    register(name, config, async (...parameters: unknown[]) => {
      const context = parameters[parameters.length - 1] as ToolContext;
      const call = observer.started(name);
      try {
        const result = await callback(...parameters);
        call.finished(context.mcpReq.signal.aborted ? 'cancelled' : result.isError ? 'error' : 'success');
        return result;
      } catch (error) {
        call.finished(context.mcpReq.signal.aborted ? 'cancelled' : 'error');
        throw error;
      }
    });
  server.registerTool = observed as unknown as McpServer['registerTool'];
}
