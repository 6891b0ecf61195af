import type { ProgressEvent } from '@imagegen/core';
import type { ToolContext } from './request-context';

/**
 * Sends `notifications/progress` while a long call runs: on every engine event and every few seconds in between, so
 * clients with short time-outs keep waiting. Silent when the client sent no progress token. In both eras the
 * notification rides the request's own exchange (the 2026-07-28 response stream, or the 2025 session).
 */
export function startProgress(context: ToolContext, heartbeatMs = 5_000) {
  const token = context.mcpReq._meta?.progressToken;
  let progress = 0;
  let lastMessage = 'Working on it.';
  const send = (message: string) => {
    if (token === undefined || context.mcpReq.signal.aborted) return;
    progress += 1;
    lastMessage = message;
    void context.mcpReq
      .notify({ method: 'notifications/progress', params: { progressToken: token, progress, message } })
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
