import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ProgressEvent } from '@imagegen/core';

/** The handler context the SDK passes to tool callbacks. */
export type ToolContext = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * Sends `notifications/progress` while a long call runs: on every engine event and every few seconds in between, so
 * clients with short time-outs keep waiting. Silent when the client sent no progress token.
 */
export function startProgress(context: ToolContext, heartbeatMs = 5_000) {
  const token = context._meta?.progressToken;
  let progress = 0;
  let lastMessage = 'Working on it.';
  const send = (message: string) => {
    if (token === undefined) return;
    progress += 1;
    lastMessage = message;
    void context
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } })
      .catch(() => undefined);
  };
  const timer = token === undefined ? undefined : setInterval(() => send(lastMessage), heartbeatMs);
  timer?.unref();
  return {
    onProgress: (event: ProgressEvent) => send(event.message),
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
