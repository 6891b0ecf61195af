import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ClientRateLimiter } from '@imagegen/cache';
import { bearerTokenOf } from './auth/authentication';

/** Host names a loopback server answers to. */
const loopbackHostnames = ['localhost', '127.0.0.1', '[::1]'];
const loopbackBindAddresses = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return loopbackBindAddresses.has(host);
}

const refuse = (response: Response, status: number, error: string, message: string) => {
  response.status(status).json({ error, message });
};

/** Hostname of a Host header or an origin's host, lower-cased; IPv6 keeps its brackets. Undefined when unreadable. */
function hostnameOf(hostAndPort: string): string | undefined {
  try {
    return new URL(`http://${hostAndPort}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** `allowed_hosts` entries may be names, `name:port` or bracketed IPv6; compare hostnames only. */
function normalizeHostnames(names: readonly string[]): string[] {
  return names.map(
    (name) =>
      hostnameOf(name.includes(':') && !name.startsWith('[') && name.split(':').length > 2 ? `[${name}]` : name) ?? name.toLowerCase(),
  );
}

/** An origin as browsers send it: scheme://host[:port], lower-case, no trailing slash. */
function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

export interface RequestGuardOptions {
  /** The address the server binds to. */
  bindHost: string;
  /** Extra Host names accepted (`SERVER__ALLOWED_HOSTS`). */
  allowedHosts: readonly string[];
  /** Extra Origin values accepted (`SERVER__ALLOWED_ORIGINS`); `*` accepts any. */
  allowedOrigins: readonly string[];
  /** Origins that get CORS headers (`SERVER__CORS_ORIGINS`); `*` means any accepted origin. They are accepted origins too. */
  corsOrigins: readonly string[];
}

/**
 * DNS-rebinding protection, part one: the Host header must name this server. A loopback server accepts loopback
 * names plus `allowedHosts`; any other server accepts exactly `allowedHosts` when given, else loopback names only
 * (as documented for an empty SERVER__ALLOWED_HOSTS): a public server must be told its own names, since a bearer
 * token does not stop a browser that a rebound name leads here.
 */
export function hostValidation(options: RequestGuardOptions): RequestHandler | undefined {
  const configured = normalizeHostnames(options.allowedHosts);
  const accepted = new Set(
    isLoopbackHost(options.bindHost) || configured.length === 0 ? [...loopbackHostnames, ...configured] : configured,
  );
  return (request, response, next) => {
    const header = request.headers.host;
    const hostname = header ? hostnameOf(header) : undefined;
    if (hostname && accepted.has(hostname)) return next();
    refuse(
      response,
      403,
      'forbidden_host',
      `Host ${header ?? '(none)'} is not served here; add it to SERVER__ALLOWED_HOSTS if it is this server's name.`,
    );
  };
}

/** Whether an Origin header may talk to this server, and whether it gets CORS headers. */
export function createOriginPolicy(options: RequestGuardOptions) {
  const corsAny = options.corsOrigins.includes('*');
  const anyOrigin = options.allowedOrigins.includes('*') || corsAny;
  const cors = new Set(options.corsOrigins.filter((origin) => origin !== '*').map(normalizeOrigin));
  const accepted = new Set([...options.allowedOrigins.filter((origin) => origin !== '*').map(normalizeOrigin), ...cors]);
  const trustedHostnames = new Set([
    ...(isLoopbackHost(options.bindHost) ? loopbackHostnames : []),
    ...normalizeHostnames(options.allowedHosts),
  ]);
  const accepts = (origin: string): boolean => {
    const normalized = normalizeOrigin(origin);
    if (anyOrigin || accepted.has(normalized)) return true;
    let url: URL;
    try {
      url = new URL(normalized);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return trustedHostnames.has(url.hostname.toLowerCase());
  };
  return {
    accepts,
    /** Whether the origin gets `Access-Control-Allow-Origin`. */
    corsAllows: (origin: string) => accepts(origin) && (corsAny || cors.has(normalizeOrigin(origin))),
  };
}

/**
 * DNS-rebinding protection, part two: a browser's Origin must be one this server trusts (its own loopback or
 * allowed host names, `SERVER__ALLOWED_ORIGINS` or `SERVER__CORS_ORIGINS`). Requests without Origin (every
 * non-browser client) pass.
 */
export function originValidation(policy: ReturnType<typeof createOriginPolicy>): RequestHandler {
  return (request, response, next) => {
    const origin = request.headers.origin;
    if (origin === undefined || policy.accepts(origin)) return next();
    refuse(
      response,
      403,
      'forbidden_origin',
      `Origin ${origin} may not use this server; add it to SERVER__ALLOWED_ORIGINS (or SERVER__CORS_ORIGINS for browser apps).`,
    );
  };
}

// Mcp-Method and Mcp-Name: 2026-07-28 clients send them on every request (the server checks them against the body).
const allowedHeaders = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'Mcp-Method',
  'Mcp-Name',
  'Last-Event-ID',
];
const exposedHeaders = ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate', 'Retry-After', 'RateLimit', 'RateLimit-Policy'];

/** CORS for the origins in `SERVER__CORS_ORIGINS`: answers preflights and exposes `Mcp-Session-Id`. */
export function corsHeaders(policy: ReturnType<typeof createOriginPolicy>): RequestHandler {
  return (request, response, next) => {
    const origin = request.headers.origin;
    if (origin === undefined || !policy.corsAllows(origin)) return next();
    response.vary('Origin');
    response.set('Access-Control-Allow-Origin', origin);
    response.set('Access-Control-Expose-Headers', exposedHeaders.join(', '));
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      response.set('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
      response.set('Access-Control-Allow-Headers', allowedHeaders.join(', '));
      response.set('Access-Control-Max-Age', '600');
      response.status(204).end();
      return;
    }
    next();
  };
}

function tokensMatch(expected: string, presented: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(presented);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The credentials of an `Authorization: Bearer <token>` header; the scheme name is case-insensitive (RFC 7235 §2.1). */
export const presentedToken = (request: Pick<Request, 'headers'>): string => bearerTokenOf(request.headers.authorization);

/**
 * At most `requestsPerMinute` requests per client per minute; more are answered 429 with `Retry-After`. A client is
 * its signed-in user when `principalOf` is given (with sign-in: however many tokens the user holds), else its bearer
 * token when it presents one (a valid one, when a token is configured), else its IP address (IPv6 by /56).
 * The counts live in `limiter` (rate-limiter-flexible): in this process, or in Redis so every replica behind a load
 * balancer counts the same allowance. A limiter that fails (Redis down, no insurance) lets the request through.
 */
export function clientRateLimit(
  requestsPerMinute: number,
  token: string | undefined,
  limiter: Promise<ClientRateLimiter> | undefined,
  principalOf?: (request: Request) => string,
): RequestHandler | undefined {
  if (requestsPerMinute <= 0 || !limiter) return undefined;
  const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
  const clientOf = (request: Request) => {
    if (principalOf) return `principal:${hashed(principalOf(request))}`;
    const presented = presentedToken(request);
    if (presented && (!token || tokensMatch(token, presented))) return `token:${hashed(presented)}`;
    return `ip:${ipKeyGenerator(request.ip ?? request.socket.remoteAddress ?? 'unknown')}`;
  };
  return (request, response, next) => {
    limiter
      .then((ready) => ready.consume(clientOf(request)))
      .then(
        ({ allowed, remaining, msBeforeNext }) => {
          const resetSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
          // The IETF draft's headers (draft-7), as the express limiter sent them before.
          response.set('RateLimit-Policy', `${requestsPerMinute};w=60`);
          response.set('RateLimit', `limit=${requestsPerMinute}, remaining=${Math.max(0, remaining)}, reset=${resetSeconds}`);
          if (allowed) return next();
          response.set('Retry-After', String(resetSeconds));
          refuse(
            response,
            429,
            'rate_limited',
            `Too many requests: at most ${requestsPerMinute} per minute per ${principalOf ? 'user' : 'client'} (SERVER__CLIENT_RATE_LIMIT_RPM). Retry after ${resetSeconds} seconds.`,
          );
        },
        () => next(),
      );
  };
}
