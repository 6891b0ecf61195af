/**
 * Reading each source into a flat map of dotted setting path → raw value, with warnings for names that look
 * like settings but are not, and problems for what cannot be read at all.
 */
import dotenv from 'dotenv';
import type { ConfigArgumentSetting } from './config-arguments';
import { createProblem, type ConfigProblem, type ConfigSourceName, type ConfigWarning, type SettingOrigin } from './config-problems';
import { nearestName } from './nearest-name';
import { maskUrlPassword } from './secret-masking';
import { environmentNamespaces, settingAt, settingEntries, settingGroupPaths } from './setting-catalog';

/** A value as a source gave it, before coercion and validation. */
export interface RawSetting {
  /** Text from the environment, `.env` and `--set`; any JSON value from the config file and `flags`. */
  value: unknown;
  /** Where it came from. */
  origin: SettingOrigin;
}

/** The values one source sets, by dotted path. */
export type SourceLayer = Map<string, RawSetting>;

/** Collects the problems and warnings of one load. */
export interface LoadReport {
  /** Problems found so far; any problem makes `loadConfig` throw. */
  problems: ConfigProblem[];
  /** Warnings found so far; returned with the configuration. */
  warnings: ConfigWarning[];
}

/** Empty text and JSON null mean "not set" in every source, so templates with blank entries change nothing. */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

const envNames = settingEntries.map((entry) => entry.envName);
const settingPaths = [...settingEntries.map((entry) => entry.path), ...settingGroupPaths];

function isOwnedVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return environmentNamespaces.some((namespace) => upper.startsWith(namespace));
}

/** Reads the namespaced variables (`PROVIDERS__…`, `STORAGE__…`) of an environment or a `.env` file. */
export function readEnvironmentLayer(
  variables: Readonly<Record<string, string | undefined>>,
  source: '.env' | 'env',
  report: LoadReport,
): SourceLayer {
  const layer: SourceLayer = new Map();
  for (const name of Object.keys(variables).sort()) {
    if (!isOwnedVariable(name)) continue;
    const value = variables[name];
    const entry = settingAt(name.toLowerCase().split('__').join('.'));
    if (entry === undefined) {
      report.warnings.push(unknownVariableWarning(name, source));
      continue;
    }
    if (isUnset(value)) continue;
    layer.set(entry.path, { value, origin: name === entry.envName ? { source } : { source, name } });
  }
  return layer;
}

function unknownVariableWarning(name: string, source: '.env' | 'env'): ConfigWarning {
  const suggestion = nearestName(name, envNames);
  const where = source === 'env' ? 'the environment' : 'the .env file';
  return {
    code: 'unknown_setting',
    message: `Unknown setting ${name} in ${where} is ignored${suggestion ? `; did you mean ${suggestion}?` : '.'}`,
    setting: name,
    ...(suggestion ? { suggestion } : {}),
    source,
  };
}

/** The provider key variables other tools use, honoured when no source sets the provider's own setting. */
const keyFallbacks: ReadonlyArray<{ path: string; names: readonly string[] }> = [
  { path: 'providers.openai.api_key', names: ['OPENAI_API_KEY'] },
  // The order is the @google/genai SDK's: GOOGLE_API_KEY wins when both are set.
  { path: 'providers.gemini.api_key', names: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'] },
];

/** Names of every variable that holds a secret, for the file permission check. */
export const secretVariableNames: ReadonlySet<string> = new Set([
  ...settingEntries.filter((entry) => entry.metadata.secret !== undefined).map((entry) => entry.envName),
  ...keyFallbacks.flatMap((fallback) => fallback.names),
]);

/**
 * The fallback keys (`OPENAI_API_KEY`, `GOOGLE_API_KEY`, `GEMINI_API_KEY`) from the environment or the `.env`
 * file. The environment wins over `.env` for the same variable, as it does for every variable.
 */
export function readKeyFallbackLayer(
  environment: Readonly<Record<string, string | undefined>>,
  dotenvVariables: Readonly<Record<string, string>>,
  report: LoadReport,
): SourceLayer {
  const layer: SourceLayer = new Map();
  for (const fallback of keyFallbacks) {
    const found = fallback.names
      .map((name) => {
        if (!isUnset(environment[name])) return { name, value: environment[name], source: 'env' as const };
        if (!isUnset(dotenvVariables[name])) return { name, value: dotenvVariables[name], source: '.env' as const };
        return undefined;
      })
      .filter((candidate) => candidate !== undefined);
    const [chosen, ...ignored] = found;
    if (chosen === undefined) continue;
    layer.set(fallback.path, { value: chosen.value, origin: { source: chosen.source, name: chosen.name } });
    if (ignored.some((candidate) => candidate.value !== chosen.value)) {
      report.warnings.push({
        code: 'conflicting_key_fallbacks',
        message: `${fallback.names.join(' and ')} are both set to different keys; ${chosen.name} is used (as the Google SDK does).`,
        setting: chosen.name,
        source: chosen.source,
      });
    }
  }
  return layer;
}

/** Parses a `.env` file's text; lines dotenv cannot read are skipped, as dotenv does. */
export function parseEnvFile(text: string): Record<string, string> {
  return dotenv.parse(text);
}

/**
 * Flattens a parsed JSON config file to the settings it sets. Unknown keys are warned about (with the nearest
 * valid key) and ignored; a group key (`storage`) holding something other than an object is a problem.
 */
export function readConfigFileLayer(tree: Record<string, unknown>, filePath: string, report: LoadReport): SourceLayer {
  const layer: SourceLayer = new Map();
  const visit = (node: Record<string, unknown>, prefix: readonly string[]) => {
    for (const [key, value] of Object.entries(node)) {
      // A "$schema" key lets editors offer completion; it is not a setting.
      if (prefix.length === 0 && key === '$schema') continue;
      const path = [...prefix, key].join('.');
      const entry = settingAt(path);
      if (entry !== undefined) {
        if (!isUnset(value)) layer.set(path, { value, origin: { source: 'file' } });
      } else if (settingGroupPaths.has(path)) {
        if (isPlainObject(value)) visit(value, [...prefix, key]);
        else if (value !== null) {
          report.problems.push(
            createProblem({
              setting: path,
              path,
              source: 'file',
              origin: `file ${filePath}`,
              reason: `"${path}" must be an object of settings`,
            }),
          );
        }
      } else {
        const suggestion = nearestName(path, settingPaths);
        report.warnings.push({
          code: 'unknown_setting',
          message: `Unknown key "${path}" in config file ${filePath} is ignored${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
          setting: path,
          ...(suggestion ? { suggestion } : {}),
          file: filePath,
          source: 'file',
        });
      }
    }
  };
  visit(tree, []);
  return layer;
}

/** True for objects made by JSON.parse or object literals, not arrays. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a config file's settings include a secret (a key, the auth token, a Redis URL with a password). */
export function layerHoldsSecret(layer: SourceLayer): boolean {
  return [...layer].some(([path, raw]) => {
    const secret = settingAt(path)?.metadata.secret;
    if (secret === undefined || isUnset(raw.value)) return false;
    return secret === 'whole' || typeof raw.value !== 'string' || maskUrlPassword(raw.value) !== raw.value;
  });
}

/**
 * The `--set KEY=VALUE` arguments and the app's `flags`, by dotted path. Later `--set`s win over earlier ones
 * and `flags` win over `--set`. An unknown key here is a problem, not a warning: the user typed it just now.
 */
export function readFlagLayer(
  settings: readonly ConfigArgumentSetting[],
  flags: Readonly<Record<string, unknown>>,
  report: LoadReport,
): SourceLayer {
  const layer: SourceLayer = new Map();
  const add = (key: string, path: string, value: unknown, name: string, candidates: readonly string[]) => {
    const entry = settingAt(path);
    if (entry === undefined) {
      const suggestion = nearestName(key, candidates);
      const shownKey = /^[\w.-]{1,100}$/.test(key) ? ` ${key}` : '';
      report.problems.push(
        createProblem({
          setting: `${name}${shownKey}`,
          source: 'flag',
          origin: name === '--set' ? 'command line' : 'the flags option',
          reason: `unknown setting${suggestion ? `; did you mean ${suggestion}?` : ''}`,
        }),
      );
      return;
    }
    if (!isUnset(value)) layer.set(entry.path, { value, origin: { source: 'flag', name } });
  };
  for (const { key, value } of settings) {
    const envStyle = key.includes('__') || key === key.toUpperCase();
    const path = envStyle ? key.toLowerCase().split('__').join('.') : key.toLowerCase();
    add(key, path, value, '--set', envStyle ? envNames : settingPaths);
  }
  for (const [path, value] of Object.entries(flags)) add(path, path, value, 'flags', settingPaths);
  return layer;
}

/** Display label of a source, for messages. */
export function describeOrigin(origin: SettingOrigin, files: { configFilePath?: string; envFilePath?: string }): string {
  const sourceText: Record<ConfigSourceName, string> = {
    default: 'default',
    file: `file ${files.configFilePath ?? ''}`.trim(),
    '.env': `.env file ${files.envFilePath ?? ''}`.trim(),
    env: 'env',
    flag: 'flag',
  };
  const base = sourceText[origin.source];
  return origin.name === undefined ? base : `${base} ${origin.name}`;
}
