import type * as OpenAISdk from 'openai';

/** The `openai` module, as `import('openai')` returns it. */
export type OpenAISdkModule = typeof OpenAISdk;

let loaded: OpenAISdkModule | undefined;
let loading: Promise<OpenAISdkModule> | undefined;

/**
 * Loads the OpenAI SDK on first use. A server starts (and answers `initialize`) without paying for a vendor SDK it
 * may never call; the first OpenAI request loads it once.
 */
export function loadOpenAISdk(): Promise<OpenAISdkModule> {
  loading ??= import('openai').then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** The SDK when it has been loaded; errors can only be its own once it has. */
export function loadedOpenAISdk(): OpenAISdkModule | undefined {
  return loaded;
}
