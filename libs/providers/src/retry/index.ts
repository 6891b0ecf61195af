export { isRetryable, withRetries } from './with-retries';
export type { RetryEvent, RetryOptions } from './with-retries';
export { parseRetryAfter } from './retry-after';
export type { HeaderLookup } from './retry-after';
