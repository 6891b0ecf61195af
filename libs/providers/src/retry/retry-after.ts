/** The part of `Headers` this module reads. */
export interface HeaderLookup {
  /** A header value, or null when absent. */
  get(name: string): string | null;
}

/**
 * How long a server asked the client to wait, in milliseconds: `retry-after-ms` (OpenAI's, milliseconds) first, then
 * `retry-after` as seconds or as an HTTP date (relative to `now`). `undefined` when absent or unreadable.
 */
export function parseRetryAfter(headers: HeaderLookup | undefined, now: Date): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = parseNonNegative(headers.get('retry-after-ms'));
  if (milliseconds !== undefined) return Math.ceil(milliseconds);
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter === undefined || retryAfter === '') return undefined;
  const seconds = parseNonNegative(retryAfter);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

function parseNonNegative(text: string | null): number | undefined {
  if (text === null || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}
