/**
 * The flat list of settings, read once from the schema: path, environment name and metadata of every leaf,
 * in schema order. Everything that needs "all settings" (sources, redaction, documentation) reads it here.
 */
import { z } from 'zod';
import { imageGenConfigSchema } from './config-schema';
import { settingRegistry, type SettingMetadata } from './setting-builders';

/** One leaf of the configuration. */
export interface SettingEntry {
  /** Dotted path, e.g. `providers.openai.api_key`. */
  path: string;
  /** Path segments, e.g. `['providers', 'openai', 'api_key']`. */
  segments: readonly string[];
  /** Environment variable name, e.g. `PROVIDERS__OPENAI__API_KEY`. */
  envName: string;
  /** How the setting is read and documented. */
  metadata: SettingMetadata;
}

/** Environment variable name of a dotted path. */
export function envNameOf(path: string): string {
  return path.split('.').join('__').toUpperCase();
}

function collect(schema: z.ZodType, segments: string[], entries: SettingEntry[], groups: string[]): void {
  if (schema instanceof z.ZodObject) {
    if (segments.length > 0) groups.push(segments.join('.'));
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      collect(child, [...segments, key], entries, groups);
    }
    return;
  }
  const metadata = settingRegistry.get(schema);
  const path = segments.join('.');
  if (!metadata) throw new Error(`The configuration schema has a leaf without documentation: ${path}`);
  entries.push({ path, segments, envName: envNameOf(path), metadata });
}

const entries: SettingEntry[] = [];
const groupPaths: string[] = [];
collect(imageGenConfigSchema, [], entries, groupPaths);

/** Every setting, in schema order. */
export const settingEntries: readonly SettingEntry[] = entries;

/** Dotted paths of the nested groups (`providers`, `providers.openai`, `storage`, …). */
export const settingGroupPaths: ReadonlySet<string> = new Set(groupPaths);

const entriesByPath = new Map(entries.map((entry) => [entry.path, entry]));

/** The setting at a dotted path, if there is one. */
export function settingAt(path: string): SettingEntry | undefined {
  return entriesByPath.get(path);
}

/** Upper-case prefixes (`PROVIDERS__`, `STORAGE__`, …) of the environment variables this library owns. */
export const environmentNamespaces: readonly string[] = Object.keys(imageGenConfigSchema.shape).map((key) => `${key.toUpperCase()}__`);
