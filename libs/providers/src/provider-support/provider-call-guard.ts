import { ImageGenError } from '@imagegen/common';
import type { ProviderCall } from '../contract';

/**
 * The checks every provider makes before it spends a network call: the caller has not already given up, the model
 * belongs to this provider, and an edit has an image. Throws `cancelled` or `invalid_request`.
 */
export function guardProviderCall(providerId: string, vendorName: string, operation: 'generate' | 'edit', call: ProviderCall): void {
  if (call.signal?.aborted)
    throw new ImageGenError({ code: 'cancelled', message: `The ${vendorName} request was cancelled.`, provider: providerId });
  if (call.model.provider !== providerId) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `${call.model.id} belongs to provider '${call.model.provider}', not ${providerId}.`,
      details: { setting: 'model' },
    });
  }
  if (operation === 'edit' && (call.images === undefined || call.images.length === 0)) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: 'An edit needs at least one input image.',
      details: { setting: 'images' },
    });
  }
}
