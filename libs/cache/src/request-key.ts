import { createHash } from 'node:crypto';

/**
 * Bumped whenever the normalisation below changes, so keys written by an older version never match a request
 * they were not made from.
 */
const keyFormatVersion = 'imagegen-request-v1';

/** SHA-256 of bytes, hex. Input images and masks enter the request key by their hash, never by their bytes. */
export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so two requests that differ only in
 * property order or in unset options produce the same text. Strings are kept exactly: a prompt with one more space
 * is a different prompt and may give a different image.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Uint8Array) return JSON.stringify(hashBytes(value));
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/**
 * The cache key of a request: SHA-256 hex of its canonical form. Pass everything that changes the image — the
 * model, the prompt as sent, every parameter, and the hashes of input images and masks (raw bytes are hashed here
 * too, if given).
 */
export function computeRequestKey(request: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(keyFormatVersion).update('\n').update(canonicalJson(request)).digest('hex');
}
