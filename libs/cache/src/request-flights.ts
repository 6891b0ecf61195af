import { setTimeout as delay } from 'node:timers/promises';
import { ImageGenError } from '@imagegen/common';
import { tryTakeLease, type Lease, type LeaseRedis } from './redis-lease';

/** How a request produced on some replica ended: what it made, or the error every waiter gets. */
export interface FlightOutcome<S> {
  /** What the producer made (the engine's cached-generation summary). */
  summary?: S;
  /** Why it failed, as the producer's callers saw it. */
  error?: { code: string; message: string };
}

/** A flight this replica produces: exactly one of its methods ends it. */
export interface ProducingFlight<S> {
  /** Publishes the outcome to the replicas waiting for it, then lets the request key go. */
  finish(outcome: FlightOutcome<S>): Promise<void>;
}

/** What {@link SharedFlights.claim} found. */
export type FlightClaim<S> =
  | { kind: 'producer'; flight: ProducingFlight<S> }
  /** Another replica produces it; `jobId` is its job there (any replica answers for it from the shared job store). */
  | { kind: 'elsewhere'; jobId: string }
  /** It finished a moment ago (between the caller's cache lookup and this claim). */
  | { kind: 'done'; outcome: FlightOutcome<S> };

/**
 * Single flight across replicas: the first replica to claim a request key produces it while holding a renewed lease
 * on the key; the others wait for its published outcome. A producer that dies lets its lease expire, and a waiter
 * then claims the key itself. The in-process counterpart is {@link createRequestCoalescer}.
 */
export interface SharedFlights<S> {
  /** Becomes the producer of `key` (as job `jobId`), or learns who is. */
  claim(key: string, jobId: string): Promise<FlightClaim<S>>;
  /**
   * Waits for the outcome of a flight produced elsewhere. Undefined when its producer went away without one (it
   * died, or its lease expired): the caller then claims the key itself. Rejects with `cancelled` when `signal` fires.
   */
  awaitOutcome(key: string, signal?: AbortSignal): Promise<FlightOutcome<S> | undefined>;
}

/** Settings of {@link createRedisRequestFlights}. */
export interface RequestFlightsOptions {
  client: LeaseRedis;
  /** Prefix of the keys written (`…flight:<key>`, `…flight-outcome:<key>`). */
  keyPrefix: string;
  /** This replica's token, written into the leases it holds. */
  owner: string;
  /** How long a producer's lease lives without renewal; a dead producer's request is free again after this. */
  leaseTtlMs: number;
  /** How often a waiter looks for the outcome. */
  pollMs: number;
  /** How long a published outcome stays readable for waiters. Default 60 000 (failures: a quarter of it). */
  outcomeTtlMs?: number;
}

interface HolderFacts {
  owner: string;
  jobId: string;
}

const cancelled = () => new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });

export function createRedisRequestFlights<S>(options: RequestFlightsOptions): SharedFlights<S> {
  const { client, keyPrefix, leaseTtlMs, pollMs } = options;
  const outcomeTtlMs = options.outcomeTtlMs ?? 60_000;
  const leaseKey = (key: string) => `${keyPrefix}flight:${key}`;
  const outcomeKey = (key: string) => `${keyPrefix}flight-outcome:${key}`;

  const readOutcome = async (key: string): Promise<FlightOutcome<S> | undefined> => {
    const text = await client.get(outcomeKey(key));
    return text === null ? undefined : (JSON.parse(text) as FlightOutcome<S>);
  };
  const readHolder = async (key: string): Promise<HolderFacts | undefined> => {
    const text = await client.get(leaseKey(key));
    return text === null ? undefined : (JSON.parse(text) as HolderFacts);
  };

  const producing = (key: string, lease: Lease): ProducingFlight<S> => ({
    async finish(outcome) {
      // Written before the lease goes, so a waiter that sees the lease gone finds the outcome.
      const ttl = outcome.error ? Math.max(pollMs * 10, Math.round(outcomeTtlMs / 4)) : outcomeTtlMs;
      await client.set(outcomeKey(key), JSON.stringify(outcome), 'PX', ttl).catch(() => undefined);
      await lease.release();
    },
  });

  return {
    async claim(key, jobId) {
      // A few rounds: the holder may let go between our failed take and our read of who holds it.
      for (let round = 0; round < 5; round += 1) {
        const facts: HolderFacts = { owner: options.owner, jobId };
        const lease = await tryTakeLease(client, leaseKey(key), JSON.stringify(facts), leaseTtlMs);
        if (lease) {
          const finished = await readOutcome(key);
          if (finished?.summary !== undefined) {
            await lease.release();
            return { kind: 'done', outcome: finished };
          }
          // A failure published by an earlier producer is for its waiters; this request tries again.
          await client.unlink(outcomeKey(key));
          return { kind: 'producer', flight: producing(key, lease) };
        }
        const holder = await readHolder(key);
        if (holder) return { kind: 'elsewhere', jobId: holder.jobId };
      }
      throw new ImageGenError({
        code: 'upstream_unavailable',
        message: 'Could not agree with the other replicas on who makes this request (Redis keeps changing hands); try again.',
        retryable: true,
      });
    },
    async awaitOutcome(key, signal) {
      for (;;) {
        if (signal?.aborted) throw cancelled();
        const outcome = await readOutcome(key);
        if (outcome) return outcome;
        if (!(await readHolder(key))) return readOutcome(key);
        try {
          await delay(pollMs, undefined, signal ? { signal } : {});
        } catch {
          throw cancelled();
        }
      }
    },
  };
}
