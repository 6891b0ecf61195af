import type { ResolvedSize } from '../contract';

/**
 * The size a call is priced (and its resolution tier chosen) by: the requested size, or for an unsized edit the first
 * input image's, which is what the provider sizes its answer from. Estimates and actual costs share this rule, so an
 * estimate never prices a cheaper tier than the call will use.
 */
export function pricedSize(call: { size: ResolvedSize; images?: readonly { width: number; height: number }[] | undefined }): ResolvedSize {
  if (call.size !== 'auto') return call.size;
  const first = call.images?.[0];
  return first === undefined ? 'auto' : { width: first.width, height: first.height };
}
