import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';

/** What a tool call still running when the server stops answers. */
export const shuttingDownResult: CallToolResult = {
  isError: true,
  content: [
    {
      type: 'text',
      text: 'The server is shutting down, so this call was stopped before it finished. Call again once the server is back; if the generation had already reached the provider it may have been stored, and a repeated call then returns it at no new cost.\n(error code: shutting_down)',
    },
  ],
};

type AnyToolCallback = (...parameters: unknown[]) => CallToolResult | Promise<CallToolResult>;

/**
 * Wraps every tool the server registers from now on so that, once `shutdown` aborts, a call still running answers
 * at once with {@link shuttingDownResult}: its client hears why instead of waiting for its own time-out when the
 * transport closes. The work itself is left to the transport's close, which aborts it (a generation that reached the
 * provider is finished and stored by the engine as on any cancel, per IMAGES__CONTINUE_ON_CANCEL).
 */
export function answerToolCallsOnShutdown(server: McpServer, shutdown: AbortSignal): void {
  const register = server.registerTool.bind(server) as (name: string, config: unknown, callback: AnyToolCallback) => unknown;
  const answering = (name: string, config: unknown, callback: AnyToolCallback) =>
    register(name, config, async (...parameters: unknown[]) => {
      if (shutdown.aborted) return shuttingDownResult;
      let stopListening = () => undefined as void;
      const stopped = new Promise<CallToolResult>((resolve) => {
        const onAbort = () => resolve(shuttingDownResult);
        shutdown.addEventListener('abort', onAbort, { once: true });
        stopListening = () => shutdown.removeEventListener('abort', onAbort);
      });
      try {
        return await Promise.race([Promise.resolve(callback(...parameters)), stopped]);
      } finally {
        stopListening();
      }
    });
  server.registerTool = answering as unknown as McpServer['registerTool'];
}
