import type { Clock, Logger } from '@imagegen/common';

/** Settings every provider takes besides its credentials and endpoint. */
export interface CommonProviderSettings {
  /**
   * Deadline for one call, in milliseconds, including a streamed response's body. Default 300 000 (five minutes):
   * high-quality images can take over two minutes.
   */
  timeoutMs?: number;
  /** A `fetch` implementation (tests, proxies). Default: the global one. */
  fetch?: typeof globalThis.fetch;
  /** Where diagnostics go. Default: nowhere. */
  logger?: Logger;
  /** Time source, to read `Retry-After` dates. Default: the system clock. */
  clock?: Clock;
}

/** The default of {@link CommonProviderSettings.timeoutMs}. */
export const defaultProviderTimeoutMs = 300_000;
