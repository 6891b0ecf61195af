import type { ImageGenErrorCode } from '@imagegen/core';

/** Documented exit codes; scripts can rely on them. Listed in `imagegen --help` and the README. */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  providerRefused: 3,
  providerUnavailable: 4,
  budgetReached: 5,
  notFound: 6,
  invalidInput: 7,
  storageFailed: 8,
  keyRejected: 9,
  configError: 78,
  cancelled: 130,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** One line per exit code, for `imagegen --help` and the README (kept in one place so they cannot drift apart). */
export const exitCodeDescriptions: ReadonlyArray<readonly [number, string]> = [
  [exitCodes.ok, 'success'],
  [exitCodes.failure, 'unexpected failure (a defect; run with --verbose and report it)'],
  [exitCodes.usage, 'usage error: unknown command or option, missing or malformed argument'],
  [exitCodes.providerRefused, "the provider's safety system refused the prompt or image"],
  [exitCodes.providerUnavailable, 'unavailable: the provider (5xx, rate limit, time-out, unreachable, bad answer) or the Redis cache'],
  [exitCodes.budgetReached, 'a budget is reached (COST__DAILY_BUDGET_USD, COST__MONTHLY_BUDGET_USD)'],
  [exitCodes.notFound, 'not found: image id, file, template or model'],
  [exitCodes.invalidInput, 'invalid input: parameters the model does not accept, bad image, unknown or retired model'],
  [exitCodes.storageFailed, 'the storage folder cannot be written or read (permissions, disk full)'],
  [exitCodes.keyRejected, 'the provider rejected the API key, or the key has no access to the model'],
  [exitCodes.configError, 'configuration error: invalid setting, or no provider configured'],
  [exitCodes.cancelled, 'cancelled with Ctrl-C (nothing is left behind)'],
];

const exitCodeByErrorCode: Record<ImageGenErrorCode, ExitCode> = {
  invalid_config: exitCodes.configError,
  provider_not_configured: exitCodes.configError,
  content_blocked: exitCodes.providerRefused,
  authentication_failed: exitCodes.keyRejected,
  permission_denied: exitCodes.keyRejected,
  upstream_unavailable: exitCodes.providerUnavailable,
  rate_limited: exitCodes.providerUnavailable,
  timeout: exitCodes.providerUnavailable,
  upstream_error: exitCodes.providerUnavailable,
  queue_full: exitCodes.providerUnavailable,
  budget_exceeded: exitCodes.budgetReached,
  not_found: exitCodes.notFound,
  invalid_request: exitCodes.invalidInput,
  invalid_image: exitCodes.invalidInput,
  model_not_found: exitCodes.invalidInput,
  model_retired: exitCodes.invalidInput,
  storage_failed: exitCodes.storageFailed,
  cancelled: exitCodes.cancelled,
  internal: exitCodes.failure,
};

/** The exit code for an `ImageGenError` code (unknown codes, from a newer library, are plain failures). */
export function exitCodeForErrorCode(code: string): ExitCode {
  return (exitCodeByErrorCode as Record<string, ExitCode>)[code] ?? exitCodes.failure;
}

/** The exit-code table as help text. */
export function describeExitCodes(): string {
  return exitCodeDescriptions.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`).join('\n');
}
