import { ImageGenError } from '@imagegen/common';
import { parseRetryAfter } from './retry-after';
import { withRetries, type RetryEvent } from './with-retries';

function rateLimited(retryAfterMs?: number): ImageGenError {
  return new ImageGenError({
    code: 'rate_limited',
    message: 'Slow down.',
    retryable: true,
    statusCode: 429,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A sleep that records the waits and returns at once. */
function recordingSleep(): { waits: number[]; sleep: (delayMs: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (delayMs) => void waits.push(delayMs) };
}

/** An operation that fails with the given errors, then succeeds. */
function failingThen<T>(errors: unknown[], value: T): { attempts: number[]; operation: (attempt: number) => Promise<T> } {
  const attempts: number[] = [];
  return {
    attempts,
    operation: async (attempt) => {
      attempts.push(attempt);
      const error = errors.shift();
      if (error !== undefined) throw error;
      return value;
    },
  };
}

describe('withRetries', () => {
  it('retries a 429 after the server-given delay, then succeeds', async () => {
    const { waits, sleep } = recordingSleep();
    const events: RetryEvent[] = [];
    const { attempts, operation } = failingThen([rateLimited(1500)], 'image');
    await expect(withRetries(operation, { sleep, onRetry: (event) => events.push(event) })).resolves.toBe('image');
    expect(attempts).toEqual([1, 2]);
    expect(waits).toEqual([1500]);
    expect(events).toEqual([expect.objectContaining({ nextAttempt: 2, delayMs: 1500 })]);
  });

  it('caps a server-given delay at maxDelayMs', async () => {
    const { waits, sleep } = recordingSleep();
    await withRetries(failingThen([rateLimited(600_000)], 1).operation, { sleep, maxDelayMs: 60_000 });
    expect(waits).toEqual([60_000]);
  });

  it('backs off exponentially with jitter when the server names no delay', async () => {
    const { waits, sleep } = recordingSleep();
    const unavailable = () => new ImageGenError({ code: 'upstream_unavailable', message: 'Down.', retryable: true, statusCode: 503 });
    await withRetries(failingThen([unavailable(), unavailable(), unavailable()], 1).operation, {
      sleep,
      maxRetries: 3,
      baseDelayMs: 1000,
      random: () => 1,
    });
    expect(waits).toEqual([1000, 2000, 4000]);
    const halves = recordingSleep();
    await withRetries(failingThen([unavailable()], 1).operation, { sleep: halves.sleep, baseDelayMs: 1000, random: () => 0 });
    expect(halves.waits).toEqual([500]);
  });

  it('never retries a content block, even one marked retryable', async () => {
    const blocked = new ImageGenError({ code: 'content_blocked', message: 'Refused.', retryable: true, statusCode: 400 });
    const { attempts, operation } = failingThen([blocked], 1);
    await expect(withRetries(operation, { sleep: recordingSleep().sleep })).rejects.toBe(blocked);
    expect(attempts).toEqual([1]);
  });

  it('never retries other 4xx answers or foreign errors', async () => {
    const badRequest = new ImageGenError({ code: 'invalid_request', message: 'No.', retryable: true, statusCode: 400 });
    const first = failingThen([badRequest], 1);
    await expect(withRetries(first.operation, { sleep: recordingSleep().sleep })).rejects.toBe(badRequest);
    expect(first.attempts).toEqual([1]);
    const foreign = new TypeError('bug');
    const second = failingThen([foreign], 1);
    await expect(withRetries(second.operation, { sleep: recordingSleep().sleep })).rejects.toBe(foreign);
    expect(second.attempts).toEqual([1]);
  });

  it('stops after maxRetries and rethrows the last failure', async () => {
    const { waits, sleep } = recordingSleep();
    const last = rateLimited(10);
    const { attempts, operation } = failingThen([rateLimited(10), rateLimited(10), last, rateLimited(10)], 1);
    await expect(withRetries(operation, { sleep, maxRetries: 2 })).rejects.toBe(last);
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toHaveLength(2);
  });

  it('stops at once when aborted during a back-off, even if the sleep ignores the signal', async () => {
    const controller = new AbortController();
    const { attempts, operation } = failingThen([rateLimited(30_000)], 1);
    const never = () => new Promise<void>(() => undefined);
    const running = withRetries(operation, { signal: controller.signal, sleep: never, onRetry: () => controller.abort() });
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect(attempts).toEqual([1]);
  });

  it('stops at once when aborted while a back-off is under way', async () => {
    const controller = new AbortController();
    const { attempts, operation } = failingThen([rateLimited(30_000)], 1);
    const sleepStarted = jest.fn();
    const never = () => {
      sleepStarted();
      setImmediate(() => controller.abort());
      return new Promise<void>(() => undefined);
    };
    await expect(withRetries(operation, { signal: controller.signal, sleep: never })).rejects.toMatchObject({ code: 'cancelled' });
    expect(sleepStarted).toHaveBeenCalledTimes(1);
    expect(attempts).toEqual([1]);
  });

  it('does not start when the signal already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const { attempts, operation } = failingThen([], 1);
    await expect(withRetries(operation, { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(attempts).toEqual([]);
  });

  it('waits with a real timer by default', async () => {
    const started = Date.now();
    await withRetries(failingThen([rateLimited(30)], 1).operation);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const headers = (values: Record<string, string>) => new Headers(values);

  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1250.5' }), now)).toBe(1251);
    expect(parseRetryAfter(headers({ 'retry-after': '7' }), now)).toBe(7000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 25 Nov 2026 12:00:30 GMT' }), now)).toBe(30_000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '200', 'retry-after': '9' }), now)).toBe(200);
  });

  it('ignores absent, past and unreadable values', () => {
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 25 Nov 2026 11:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
