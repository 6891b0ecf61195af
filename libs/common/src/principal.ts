/**
 * The principal of a single-user setup (stdio, the CLI, an HTTP server with no sign-in or a shared token): every
 * image, job, ledger entry and cache entry made without a signed-in user belongs to it, and data written before
 * principals existed reads back as its.
 */
export const localPrincipalId = 'local';

/** Longest principal id accepted (identity providers' subject claims are far shorter). */
export const maxPrincipalIdLength = 256;

/**
 * Whether a value can be a principal id: a non-empty string of at most {@link maxPrincipalIdLength} characters
 * with no control characters (it is written into index lines, ledger lines and cache keys).
 */
export function isPrincipalId(value: unknown): value is string {
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' && value.length > 0 && value.length <= maxPrincipalIdLength && !/[\u0000-\u001f\u007f]/.test(value);
}
