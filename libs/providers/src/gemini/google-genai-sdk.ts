import type * as GoogleGenAISdk from '@google/genai';

/** The `@google/genai` module, as `import('@google/genai')` returns it. */
export type GoogleGenAISdkModule = typeof GoogleGenAISdk;

let loaded: GoogleGenAISdkModule | undefined;
let loading: Promise<GoogleGenAISdkModule> | undefined;

/** Loads the Google SDK on first use, so a server that never calls Gemini never pays for loading it. */
export function loadGoogleGenAISdk(): Promise<GoogleGenAISdkModule> {
  loading ??= import('@google/genai').then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** The SDK when it has been loaded; errors can only be its own once it has. */
export function loadedGoogleGenAISdk(): GoogleGenAISdkModule | undefined {
  return loaded;
}
