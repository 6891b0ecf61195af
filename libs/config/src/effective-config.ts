/**
 * What `imagegen config show` prints: every setting's effective value (secrets masked) and where it came from.
 */
import type { ConfigSourceName } from './config-problems';
import type { LoadedConfig } from './load-config';
import { displayValue } from './secret-masking';
import { settingEntries } from './setting-catalog';

/** One setting's effective value. */
export interface EffectiveSetting {
  /** Environment variable name, e.g. `STORAGE__BASE_PATH`. */
  envName: string;
  /** Dotted path, e.g. `storage.base_path`. */
  path: string;
  /** The value in effect, secrets masked; `undefined` when unset. Permission bits are shown as octal text (`"0644"`). */
  value: unknown;
  /** The source the value came from. */
  source: ConfigSourceName;
  /** The variable or flag that set it when not the setting's own name (`OPENAI_API_KEY`, `--set`, `flags`). */
  setBy?: string;
}

/** Every setting of a loaded configuration, in schema order, with its redacted value and its source. */
export function describeEffectiveConfig(loaded: LoadedConfig): EffectiveSetting[] {
  return settingEntries.map((entry) => {
    let value: unknown = loaded.config;
    for (const segment of entry.segments) value = (value as Record<string, unknown> | undefined)?.[segment];
    if (entry.metadata.secret || entry.metadata.kind === 'url') value = displayValue(value, entry.metadata);
    else if (entry.metadata.kind === 'octal' && typeof value === 'number') value = `0${value.toString(8).padStart(3, '0')}`;
    const origin = loaded.origins[entry.path] ?? { source: 'default' as const };
    return {
      envName: entry.envName,
      path: entry.path,
      value: structuredClone(value),
      source: origin.source,
      ...(origin.name === undefined ? {} : { setBy: origin.name }),
    };
  });
}
