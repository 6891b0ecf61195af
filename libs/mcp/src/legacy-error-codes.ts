import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';

/** The 2025 revisions' code for "resource not found" (2026-07-28 answers -32602 with `data.uri`). */
export const legacyResourceNotFoundCode = -32002;

/**
 * Makes a transport answer resource-not-found with the 2025 code while `isLegacy()` holds. The SDK answers a missing
 * resource with the 2026-07-28 code (-32602, `data: { uri }`) whatever the era; 2025 clients were promised -32002.
 */
export function withLegacyResourceNotFoundCode<T extends Transport>(transport: T, isLegacy: () => boolean): T {
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) => {
    const error = (message as { error?: { code?: number; data?: unknown } }).error;
    const data = error?.data as Record<string, unknown> | undefined;
    if (isLegacy() && error?.code === -32602 && data && typeof data['uri'] === 'string' && Object.keys(data).length === 1) {
      return send({ ...message, error: { ...error, code: legacyResourceNotFoundCode } } as JSONRPCMessage, options);
    }
    return send(message, options);
  };
  return transport;
}
