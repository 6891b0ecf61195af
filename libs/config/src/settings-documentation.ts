/**
 * Documentation generated from the schema, so the README table can never drift from the code.
 */
import { settingEntries } from './setting-catalog';
import type { SecretKind, SettingKind } from './setting-builders';

/** One setting, as documentation shows it. */
export interface SettingDescription {
  /** Environment variable name, e.g. `STORAGE__BASE_PATH`. */
  envName: string;
  /** Dotted path, which is also the nested key in the JSON config file, e.g. `storage.base_path`. */
  path: string;
  /** How the value is written and read. */
  type: SettingKind;
  /** The built-in default; `undefined` when unset by default or computed at load time (`storage.base_path`). */
  defaultValue: unknown;
  /** The default as the settings table shows it (`300`, `(not set)`, `per-user data folder`). */
  defaultLabel: string;
  /** What the setting does. */
  description: string;
  /** True when the value is masked in every output. */
  secret: boolean;
  /** What is allowed, in words. */
  allowed: string;
  /** The accepted values of a choice setting. */
  choices?: string[];
}

/** Every setting, in schema order (providers, images, server, storage, cache, cost, templates). */
export function describeSettings(): SettingDescription[] {
  return settingEntries.map(({ envName, path, metadata }) => ({
    envName,
    path,
    type: metadata.kind,
    defaultValue: structuredClone(metadata.defaultValue),
    defaultLabel: metadata.defaultLabel,
    description: metadata.description,
    secret: metadata.secret !== undefined,
    allowed: metadata.allowed,
    ...(metadata.choices ? { choices: [...metadata.choices] } : {}),
  }));
}

/**
 * A Markdown table of every setting (variable, allowed values, default, description), one row per setting in
 * schema order. The output is deterministic: the README embeds it verbatim and a workspace test compares them.
 */
export function renderSettingsTable(): string {
  const secretNotes: Record<SecretKind, string> = {
    whole: 'Secret: masked in all output.',
    'url-password': 'Secret: its password is masked in all output.',
  };
  const rows = settingEntries.map(({ envName, metadata }) => {
    const defaultCell = isLiteralDefault(metadata.defaultValue)
      ? `\`${escapeCell(metadata.defaultLabel)}\``
      : escapeCell(metadata.defaultLabel);
    const description = metadata.secret ? `${metadata.description} ${secretNotes[metadata.secret]}` : metadata.description;
    return `| \`${envName}\` | ${escapeCell(metadata.allowed)} | ${defaultCell} | ${escapeCell(description)} |`;
  });
  return ['| Variable | Allowed | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

function isLiteralDefault(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

function escapeCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
