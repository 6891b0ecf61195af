import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '@imagegen/core';

/** What the large-body gate admits. */
export interface LargeBodyGateOptions {
  /** A body declared larger than this (or of undeclared length) is large. */
  largeBodyBytes: number;
  /** Large-body requests served at once (`SERVER__MAX_CONCURRENT_LARGE_BODIES`). */
  maxConcurrent: number;
  /** Large-body requests waiting for a turn at most; more are refused at once. */
  maxWaiting: number;
  /** Longest wait for a turn before the request is refused. */
  maxWaitMs: number;
  logger: Logger;
}

/** Whether a request's body counts as large: declared above the threshold, or streamed without a declared length. */
export function hasLargeBody(request: Pick<Request, 'headers'>, largeBodyBytes: number): boolean {
  const declared = request.headers['content-length'];
  if (declared !== undefined) return Number(declared) > largeBodyBytes;
  return request.headers['transfer-encoding'] !== undefined;
}

function refuseBusy(response: Response, retryAfterSeconds: number, message: string): void {
  // The body is not read: close the connection rather than read megabytes only to drop them.
  response.set('Retry-After', String(retryAfterSeconds)).set('Connection', 'close');
  response.status(503).json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
}

/**
 * Lets at most `maxConcurrent` requests with a large body be read, parsed and served at once; the others wait their
 * turn unread (their bytes stay in the network buffers, costing nothing here) and are refused with 503 and
 * Retry-After when the queue is full or the wait too long. Parsing a JSON body costs several times its size while it
 * lasts (the raw bytes, the text, the parsed value, then the decoded images), so this bounds what bodies can cost
 * together; small requests (and `/healthz`) never wait. A turn lasts until the response is finished.
 */
export function largeBodyGate(options: LargeBodyGateOptions): RequestHandler {
  let active = 0;
  const queue: Array<() => void> = [];
  const handOn = () => {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  };
  return (request, response, next) => {
    if (!hasLargeBody(request, options.largeBodyBytes)) return next();
    const admit = () => {
      let finished = false;
      response.once('close', () => {
        if (finished) return;
        finished = true;
        handOn();
      });
      next();
    };
    if (active < options.maxConcurrent) {
      active += 1;
      admit();
      return;
    }
    const retryAfter = Math.max(1, Math.ceil(options.maxWaitMs / 1000));
    if (queue.length >= options.maxWaiting) {
      options.logger.warn('large request body refused: too many waiting', { waiting: queue.length });
      refuseBusy(
        response,
        retryAfter,
        `The server is reading as many large requests as it may (SERVER__MAX_CONCURRENT_LARGE_BODIES=${options.maxConcurrent}) and ${queue.length} more are waiting. Retry after ${retryAfter} seconds.`,
      );
      return;
    }
    const turn = () => {
      clearTimeout(timer);
      response.off('close', gaveUp);
      admit();
    };
    const leaveQueue = () => {
      const position = queue.indexOf(turn);
      if (position !== -1) queue.splice(position, 1);
    };
    const gaveUp = () => {
      clearTimeout(timer);
      leaveQueue();
    };
    const timer = setTimeout(() => {
      leaveQueue();
      response.off('close', gaveUp);
      options.logger.warn('large request body refused: waited too long', { waitedMs: options.maxWaitMs });
      refuseBusy(
        response,
        retryAfter,
        `The server is busy reading other large requests (SERVER__MAX_CONCURRENT_LARGE_BODIES=${options.maxConcurrent}); this one waited ${retryAfter} seconds. Retry later.`,
      );
    }, options.maxWaitMs);
    response.once('close', gaveUp);
    queue.push(turn);
  };
}

/** The refusal of a body over the limit (`SERVER__MAX_BODY_MB`). */
export const bodyTooLargeMessage = (maxBodyBytes: number) => `The request body is larger than ${maxBodyBytes} bytes (SERVER__MAX_BODY_MB).`;

/**
 * A body declared larger than `maxBodyBytes` is refused with 413 at once and the connection closed: the body parser
 * would first read the whole body (to discard it) before answering.
 */
export function refuseDeclaredOversizeBody(maxBodyBytes: number): RequestHandler {
  return (request, response, next) => {
    const declared = request.headers['content-length'];
    if (declared === undefined || !(Number(declared) > maxBodyBytes)) return next();
    response.set('Connection', 'close');
    response.status(413).json({ error: 'payload_too_large', message: bodyTooLargeMessage(maxBodyBytes) });
  };
}
