import { createRequestCoalescer } from './request-coalescer';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('createRequestCoalescer', () => {
  it('makes five concurrent identical requests share one call', async () => {
    const coalescer = createRequestCoalescer();
    const gate = deferred<string>();
    let calls = 0;
    const produce = () => {
      calls += 1;
      return gate.promise;
    };
    const results = Array.from({ length: 5 }, () => coalescer.run('same', produce));
    gate.resolve('image');
    expect(await Promise.all(results)).toEqual(['image', 'image', 'image', 'image', 'image']);
    expect(calls).toBe(1);
    expect(coalescer.inFlight()).toBe(0);
  });

  it('gives every waiter the failure and remembers nothing', async () => {
    const coalescer = createRequestCoalescer();
    const gate = deferred<string>();
    const first = coalescer.run('key', () => gate.promise);
    const second = coalescer.run('key', () => gate.promise);
    gate.reject(new Error('upstream down'));
    await expect(first).rejects.toThrow('upstream down');
    await expect(second).rejects.toThrow('upstream down');
    await expect(coalescer.run('key', async () => 'retried')).resolves.toBe('retried');
  });

  it('lets one waiter abort without cancelling the shared call', async () => {
    const coalescer = createRequestCoalescer();
    const gate = deferred<string>();
    let sharedSignal: AbortSignal | undefined;
    const impatient = new AbortController();
    const leaving = coalescer.run(
      'key',
      (signal) => {
        sharedSignal = signal;
        return gate.promise;
      },
      impatient.signal,
    );
    const staying = coalescer.run('key', () => gate.promise);
    impatient.abort();
    await expect(leaving).rejects.toMatchObject({ code: 'cancelled' });
    expect(sharedSignal?.aborted).toBe(false);
    gate.resolve('image');
    await expect(staying).resolves.toBe('image');
  });

  it('aborts the shared call once every waiter has aborted', async () => {
    const coalescer = createRequestCoalescer();
    let sharedSignal: AbortSignal | undefined;
    const controllers = [new AbortController(), new AbortController()];
    const waiting = controllers.map((controller) =>
      coalescer.run(
        'key',
        (signal) => {
          sharedSignal = signal;
          return new Promise<string>(() => undefined);
        },
        controller.signal,
      ),
    );
    controllers.forEach((controller) => controller.abort());
    await Promise.all(waiting.map((promise) => expect(promise).rejects.toMatchObject({ code: 'cancelled' })));
    expect(sharedSignal?.aborted).toBe(true);
    expect(coalescer.inFlight()).toBe(0);
  });
});
