import type { Redis } from 'ioredis';

/**
 * A key held by one owner for a while in Redis (`SET NX PX`): a request being generated, a provider concurrency
 * slot, a replica's presence. The owner renews it while it works; when the owner dies the key expires by itself, so
 * nothing held by a dead replica stays held longer than one time-to-live.
 */
export interface Lease {
  /** The Redis key held. */
  readonly key: string;
  /** What the key holds: the owner's token (and whatever the owner wants others to read). */
  readonly value: string;
  /** True once a renewal found the key gone or taken by someone else (the owner stalled past the time-to-live). */
  readonly lost: boolean;
  /** Lets the key go, only if this owner still holds it; stops the renewals. Never rejects. */
  release(): Promise<void>;
}

// Compare-and-renew and compare-and-delete: Redis 7 has no single command for "only if the value is still mine"
// (8.4's IFEQ is too new to require), WATCH is per connection and unsafe on a shared one, and no maintained lock
// library fits ioredis 6 (redlock 4 pins ioredis 4 and bluebird; 5 has been a beta since 2022). These two are the
// lock-release scripts the Redis documentation gives for SET NX locks.
const renewScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** An ioredis client with the lease commands defined on it. */
export type LeaseRedis = Redis & {
  imagegenLeaseRenew(key: string, value: string, ttlMs: number): Promise<number>;
  imagegenLeaseRelease(key: string, value: string): Promise<number>;
};

/** Defines the lease commands on a client (once per connection). */
export function defineLeaseCommands(client: Redis): LeaseRedis {
  client.defineCommand('imagegenLeaseRenew', { numberOfKeys: 1, lua: renewScript });
  client.defineCommand('imagegenLeaseRelease', { numberOfKeys: 1, lua: releaseScript });
  return client as LeaseRedis;
}

/**
 * Takes `key` for `ttlMs` when nobody holds it, renewing it every third of the time-to-live until released.
 * Undefined when someone else holds it.
 */
export async function tryTakeLease(client: LeaseRedis, key: string, value: string, ttlMs: number): Promise<Lease | undefined> {
  const taken = await client.set(key, value, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;
  let lost = false;
  let released = false;
  const timer = setInterval(
    () => {
      client.imagegenLeaseRenew(key, value, ttlMs).then(
        (renewed) => {
          if (renewed === 0 && !released) {
            lost = true;
            clearInterval(timer);
          }
        },
        // A failed renewal is retried at the next tick; the key lives a whole time-to-live from the last success.
        () => undefined,
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  // Renewals must never keep a finished process alive.
  timer.unref();
  return {
    key,
    value,
    get lost() {
      return lost;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await client.imagegenLeaseRelease(key, value).catch(() => undefined);
    },
  };
}
