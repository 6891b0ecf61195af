import type { ProviderCall, ProviderResult } from './request';

/**
 * The provider contract: small on purpose. A provider talks to one vendor; the engine owns validation,
 * defaults, fan-out beyond `maxImagesPerCall`, retries, rate and concurrency limits, caching, storage and cost.
 *
 * Errors: a provider throws `ImageGenError` only, with `retryable` and `retryAfterMs` set from the vendor's answer
 * (the engine decides whether to retry), `content_blocked` for safety refusals, `cancelled` when `signal` fired.
 * Providers disable their SDK's own retries so one call is never retried twice over (and billed twice).
 */
export interface ImageProvider {
  /** Provider id used in the registry and in `providerOptions` (e.g. `openai`). */
  readonly id: string;
  /** Text-to-image. */
  generate(call: ProviderCall): Promise<ProviderResult>;
  /** Image-to-image; `call.images` holds at least one image. */
  edit(call: ProviderCall): Promise<ProviderResult>;
  /**
   * Model ids the configured credentials can use, as the vendor lists them; used to show real availability.
   * Throws `ImageGenError` like the calls above.
   */
  listAvailableModels(signal?: AbortSignal): Promise<string[]>;
}
