import { TRACEPARENT_META_KEY, type ServerContext } from '@modelcontextprotocol/server';

/** The handler context the SDK passes to tool, resource and prompt callbacks (both protocol eras). */
export type ToolContext = ServerContext;

/** W3C trace context: version, 32-hex trace id, 16-hex parent span id, flags. */
const traceparentPattern = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * The OpenTelemetry trace a client sent in the request's `_meta.traceparent` (2026-07-28 carries W3C trace context
 * there), as log fields: the engine logs the call under the trace id, so a request's server lines can be found from
 * the client's trace. Empty when the client sent none or an unreadable value.
 */
export function traceCorrelation(context: ToolContext): { correlationId?: string } {
  const value = context.mcpReq._meta?.[TRACEPARENT_META_KEY];
  const match = typeof value === 'string' ? traceparentPattern.exec(value.trim().toLowerCase()) : null;
  if (!match?.[1] || /^0+$/.test(match[1])) return {};
  return { correlationId: match[1] };
}
