import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

/** How many MCP sessions (2025 Streamable HTTP sessions and legacy SSE streams) may be open. */
export interface SessionLimits {
  /** In total (`SERVER__MAX_SESSIONS`). */
  total: number;
  /** Per client (`SERVER__MAX_SESSIONS_PER_CLIENT`). */
  perClient: number;
}

/** A place held for one session; `release` may be called any number of times. */
export interface SessionPlace {
  client: string;
  release(): void;
}

/** Why a session was refused: the server is full (`total`), or this client holds its share (`client`). */
export type SessionRefusal = { scope: 'total' | 'client'; limit: number };

/**
 * Who holds a session: the authenticated principal when the request carries one (OAuth sets `request.auth`), else
 * the remote address (IPv6 by /56, as the rate limit counts). The shared `SERVER__AUTH_TOKEN` names no principal:
 * every client presents the same one.
 */
export function sessionClientKey(request: Request): string {
  const principal = (request as Request & { auth?: { clientId?: unknown } }).auth?.clientId;
  if (typeof principal === 'string' && principal !== '') return `principal:${principal}`;
  return `ip:${ipKeyGenerator(request.ip ?? request.socket.remoteAddress ?? 'unknown')}`;
}

/**
 * Counts open sessions in total and per client, so a flood of unclosed `initialize` calls or SSE streams (each
 * holds a whole MCP server, a few hundred KB) cannot exhaust memory. A place is taken before the session's server is
 * built and given back when the session closes, so concurrent openings cannot overshoot.
 */
export function createSessionCaps(limits: SessionLimits) {
  const perClient = new Map<string, number>();
  let total = 0;
  return {
    /** Takes a place for a new session of `client`, or says which cap stands in the way. */
    take(client: string): SessionPlace | SessionRefusal {
      const held = perClient.get(client) ?? 0;
      if (held >= limits.perClient) return { scope: 'client', limit: limits.perClient };
      if (total >= limits.total) return { scope: 'total', limit: limits.total };
      perClient.set(client, held + 1);
      total += 1;
      let released = false;
      return {
        client,
        release() {
          if (released) return;
          released = true;
          total -= 1;
          const left = (perClient.get(client) ?? 1) - 1;
          if (left <= 0) perClient.delete(client);
          else perClient.set(client, left);
        },
      };
    },
    /** Sessions open now. */
    total: () => total,
  };
}

export const isSessionRefusal = (outcome: SessionPlace | SessionRefusal): outcome is SessionRefusal => 'scope' in outcome;
