import { lazyModule } from '@imagegen/common';

/**
 * The Google SDK, loaded on the first Gemini request, so a server that never calls Gemini never pays for it.
 * `loaded()` tells error mapping whether an error can be one of the SDK's own.
 */
export const googleGenAISdk = lazyModule(() => import('@google/genai'));
