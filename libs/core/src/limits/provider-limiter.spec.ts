import { createProviderLimiter } from './provider-limiter';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Waits until `condition` holds (the limiter schedules asynchronously; a loaded machine may take a while). */
async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('createProviderLimiter', () => {
  it('runs at most maxConcurrency calls at once and queues the rest', async () => {
    const limiter = createProviderLimiter({ provider: 'openai', requestsPerMinute: 0, maxConcurrency: 2, maxQueued: 10 });
    let running = 0;
    let peak = 0;
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const calls = gates.map((gate) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
      }),
    );
    await waitFor(() => running === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(running).toBe(2);
    gates.forEach((gate) => gate.resolve());
    await Promise.all(calls);
    expect(peak).toBe(2);
    await limiter.close();
  });

  it('refuses with queue_full when the queue is at its bound', async () => {
    const limiter = createProviderLimiter({ provider: 'openai', requestsPerMinute: 0, maxConcurrency: 1, maxQueued: 1 });
    const gate = deferred();
    let firstStarted = false;
    const first = limiter.run(() => {
      firstStarted = true;
      return gate.promise;
    });
    await waitFor(() => firstStarted);
    const second = limiter.run(async () => 'second');
    const third = limiter.run(async () => 'third');
    await expect(third).rejects.toMatchObject({ code: 'queue_full', retryable: true });
    gate.resolve();
    await first;
    await expect(second).resolves.toBe('second');
    await limiter.close();
  });

  it('holds calls beyond the per-minute budget instead of failing them', async () => {
    const limiter = createProviderLimiter({ provider: 'openai', requestsPerMinute: 2, maxConcurrency: 5, maxQueued: 10 });
    const started: number[] = [];
    const calls = [1, 2, 3].map((index) => limiter.run(async () => started.push(index)));
    await Promise.all(calls.slice(0, 2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual([1, 2]);
    const thirdOutcome = expect(calls[2]).rejects.toMatchObject({ code: 'cancelled' });
    await limiter.close();
    await thirdOutcome;
    expect(started).toEqual([1, 2]);
  });

  it('lets a queued call be cancelled without ever running it', async () => {
    const limiter = createProviderLimiter({ provider: 'openai', requestsPerMinute: 0, maxConcurrency: 1, maxQueued: 5 });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const queuedAhead: number[] = [];
    const second = limiter.run(
      async () => {
        ran = true;
      },
      { signal: controller.signal, onQueued: (ahead) => queuedAhead.push(ahead) },
    );
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'cancelled' });
    gate.resolve();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toBe(false);
    expect(queuedAhead).toEqual([1]);
    await limiter.close();
  });

  it('holds a slot of the shared gate around each call and gives it back even when the call fails', async () => {
    const events: string[] = [];
    const sharedGate = {
      acquire: async () => {
        events.push('acquire');
        return async () => {
          events.push('release');
        };
      },
    };
    const limiter = createProviderLimiter({ provider: 'openai', requestsPerMinute: 1, maxConcurrency: 2, maxQueued: 10, sharedGate });
    await limiter.run(async () => {
      events.push('call');
    });
    await expect(
      limiter.run(async () => {
        events.push('failing call');
        throw new Error('vendor said no');
      }),
    ).rejects.toThrow('vendor said no');
    // The per-minute budget is the shared gate's: this process no longer counts it (a second call was not held back).
    expect(events).toEqual(['acquire', 'call', 'release', 'acquire', 'failing call', 'release']);
    await limiter.close();
  });
});
