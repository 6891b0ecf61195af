import { ImageGenError } from '@imagegen/common';

/**
 * Makes concurrent identical requests share one underlying call ("single flight"). The shared call gets its own
 * AbortSignal, which fires only when every caller waiting on it has aborted: one impatient client must not cancel
 * the image four others are waiting for. A failure reaches every waiter and nothing is remembered afterwards.
 */
export interface RequestCoalescer {
  /**
   * Runs `produce` for `key`, or joins the call already running for it. Rejects with `cancelled` for a caller whose
   * own `signal` fires, without disturbing the other waiters.
   */
  run<T>(key: string, produce: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Keys with a call in flight. */
  inFlight(): number;
}

interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
}

const cancelled = () => new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });

export function createRequestCoalescer(): RequestCoalescer {
  const flights = new Map<string, Flight>();

  return {
    run<T>(key: string, produce: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) return Promise.reject(cancelled());
      let flight = flights.get(key);
      if (!flight) {
        const controller = new AbortController();
        const created: Flight = { controller, waiters: 0, promise: Promise.resolve() };
        created.promise = produce(controller.signal).finally(() => {
          if (flights.get(key) === created) flights.delete(key);
        });
        // Waiters may all leave before it settles; the rejection is then nobody's to handle.
        created.promise.catch(() => undefined);
        flights.set(key, created);
        flight = created;
      }
      const joined = flight;
      joined.waiters += 1;
      return new Promise<T>((resolve, reject) => {
        let settled = false;
        const leave = () => {
          signal?.removeEventListener('abort', onAbort);
          joined.waiters -= 1;
        };
        const onAbort = () => {
          if (settled) return;
          settled = true;
          leave();
          if (joined.waiters === 0) {
            joined.controller.abort();
            // The aborted call may still be unwinding; a new identical request must not join it.
            if (flights.get(key) === joined) flights.delete(key);
          }
          reject(cancelled());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        joined.promise.then(
          (value) => {
            if (settled) return;
            settled = true;
            leave();
            resolve(value as T);
          },
          (error: unknown) => {
            if (settled) return;
            settled = true;
            leave();
            reject(error);
          },
        );
      });
    },
    inFlight: () => flights.size,
  };
}
