/**
 * The environment a user's shell would give a server: this machine's PATH and HOME, none of the settings or keys of
 * whoever runs the tests, and none of the `npm_*` variables of the `npm test` that started Jest (they would steer the
 * npm commands a test runs, e.g. into workspace mode).
 */
const keptNpmVariables = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
const settingPrefixes = ['PROVIDERS__', 'IMAGES__', 'SERVER__', 'STORAGE__', 'CACHE__', 'COST__', 'TEMPLATES__', 'IMAGEGEN_'];
const vendorKeys = new Set(['OPENAI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY']);

export function cleanEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (upper.startsWith('NPM_') && !keptNpmVariables.has(name.toLowerCase())) continue;
    if (upper.startsWith('NX_') || vendorKeys.has(upper) || settingPrefixes.some((prefix) => upper.startsWith(prefix))) continue;
    if (upper === 'INIT_CWD' || upper === 'NODE_OPTIONS') continue;
    environment[name] = value;
  }
  return { ...environment, ...extra };
}
