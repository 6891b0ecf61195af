import { lazyModule } from '@imagegen/common';

/**
 * The OpenAI SDK, loaded on the first OpenAI request: a server starts (and answers `initialize`) without paying for a
 * vendor SDK it may never call. `loaded()` tells error mapping whether an error can be one of the SDK's own.
 */
export const openaiSdk = lazyModule(() => import('openai'));
