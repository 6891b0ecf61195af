/**
 * Masking of secrets for every place a setting's value is shown: redacted configurations, `config show`, and
 * the values quoted in configuration errors.
 */
import type { ImageGenConfig } from './config-schema';
import type { SecretKind } from './setting-builders';
import { settingEntries } from './setting-catalog';

/** Below this length a secret is fully masked: showing 7 of its characters would give away too much of it. */
const shortSecretLength = 20;

/**
 * Masks a secret: `sk-…wxyz` (first 3 and last 4 characters) for values of 20 characters or more, `****` for
 * shorter ones.
 */
export function maskSecret(value: string): string {
  return value.length >= shortSecretLength ? `${value.slice(0, 3)}…${value.slice(-4)}` : '****';
}

/**
 * Masks the password of a URL (`redis://user:****@host:6379`). A URL without a password is returned as is;
 * text that does not parse as a URL is fully masked, since where its password sits cannot be known.
 */
export function maskUrlPassword(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return '****';
  }
  if (parsed.password === '') return value;
  // Rewriting the text rather than the parsed URL keeps it as written (URL.toString() would normalise it).
  const masked = value.replace(/^([^:/?#]+:\/\/[^:@/?#]*:)[^/?#]*@/, '$1****@');
  return masked === value ? '****' : masked;
}

/**
 * Masks the user part of a URL (`http://****@proxy/v1`), a user name alone included (it may be a token). Works on the
 * text, so a value that is not a valid URL is masked too; text with no user part is returned as is.
 */
export function maskUrlCredentials(value: string): string {
  return value.replace(/^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#@\s]*@/i, (_userPart, scheme: string | undefined) => `${scheme ?? ''}****@`);
}

/** How a setting's value may be shown: secrets masked, and the user part of any URL setting. */
export function displayValue(value: unknown, metadata: { secret?: SecretKind; kind: string }): unknown {
  if (metadata.secret !== undefined) return maskValue(value, metadata.secret);
  return metadata.kind === 'url' && typeof value === 'string' ? maskUrlCredentials(value) : value;
}

/** Masks a value of the given secret kind; non-text values are fully masked. */
export function maskValue(value: unknown, kind: SecretKind): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return '****';
  return kind === 'url-password' ? maskUrlPassword(value) : maskSecret(value);
}

/**
 * A deep copy of the configuration with every secret masked (API keys, the auth token, the password of the
 * Redis URL). Unset secrets stay unset. Safe to log or print.
 */
export function redactConfig(config: ImageGenConfig): ImageGenConfig {
  const copy = structuredClone(config);
  for (const entry of settingEntries) {
    if (entry.metadata.secret === undefined && entry.metadata.kind !== 'url') continue;
    const parent = parentObject(copy, entry.segments);
    const key = entry.segments[entry.segments.length - 1];
    if (parent === undefined || key === undefined || parent[key] === undefined) continue;
    parent[key] = displayValue(parent[key], entry.metadata);
  }
  return copy;
}

function parentObject(root: object, segments: readonly string[]): Record<string, unknown> | undefined {
  let current: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : undefined;
}
