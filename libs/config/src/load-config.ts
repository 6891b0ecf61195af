/**
 * `loadConfig`: merges defaults, the JSON config file, a `.env` file, the environment and command-line flags
 * (lowest to highest precedence), validates the result against the one schema, and reports every problem at once.
 * A pure function of its arguments: it never reads `process.env`, `process.argv` or the working directory itself.
 */
import type { z } from 'zod';
import { parseConfigArguments } from './config-arguments';
import { nodeConfigFileSystem, type ConfigFileSystem } from './config-file-system';
import {
  createProblem,
  invalidConfigError,
  type ConfigProblem,
  type ConfigSourceName,
  type ConfigWarning,
  type SettingOrigin,
} from './config-problems';
import { imageGenConfigSchema, type ImageGenConfig } from './config-schema';
import {
  describeOrigin,
  isPlainObject,
  layerHoldsSecret,
  parseEnvFile,
  readConfigFileLayer,
  readEnvironmentLayer,
  readFlagLayer,
  readKeyFallbackLayer,
  secretVariableNames,
  type LoadReport,
  type RawSetting,
  type SourceLayer,
} from './config-sources';
import { displayValue } from './secret-masking';
import { settingAt, settingEntries, type SettingEntry } from './setting-catalog';
import { defaultDataDirectory, pathModuleFor, resolveSettingPath, type PathContext } from './storage-paths';

/** Variable naming the JSON config file when `--config` is not given. */
export const configFileVariable = 'IMAGEGEN_CONFIG';
/** Variable naming the `.env` file when `--env-file` is not given. */
export const envFileVariable = 'IMAGEGEN_ENV_FILE';

/** Everything `loadConfig` reads. Apps pass the real process values; tests pass their own. */
export interface LoadConfigOptions {
  /** The process environment (apps pass `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Command-line arguments; `--config`, `--env-file` and `--set` are read from them, the rest ignored. */
  argv?: readonly string[];
  /**
   * The app's own flags mapped to settings by dotted path (`{ 'server.port': 8080 }`). Highest precedence, with
   * `--set` (these win when both name the same setting). Undefined values are ignored.
   */
  flags?: Readonly<Record<string, unknown>>;
  /** Working directory: relative paths from everywhere but the config file are resolved against it. */
  cwd: string;
  /** The user's home folder (`~/` expansion, the default storage folder). */
  homeDirectory: string;
  /** The platform paths are computed for (`process.platform`). */
  platform: NodeJS.Platform;
  /** Where files are read from. Default: the real file system. */
  fileSystem?: ConfigFileSystem;
}

/** The result of {@link loadConfig}. */
export interface LoadedConfig {
  /** The validated configuration; `storage.base_path` and the other path settings are absolute. */
  config: ImageGenConfig;
  /** Things to tell the user that did not stop the load (unknown names, readable secret files). Apps log them. */
  warnings: ConfigWarning[];
  /** The source of every setting's effective value, by dotted path (`default` when no source set it). */
  sources: Record<string, ConfigSourceName>;
  /** Like `sources`, with the variable or flag name when it is not the setting's own (`OPENAI_API_KEY`, `--set`). */
  origins: Record<string, SettingOrigin>;
  /** The absolute path of the JSON config file read, if any. */
  configFilePath?: string;
  /** The absolute path of the `.env` file read, if any. */
  envFilePath?: string;
}

interface FileChoice {
  path: string;
  /** How the file was named: `--config`, `IMAGEGEN_CONFIG`, …; undefined for the implicit `./.env`. */
  namedBy?: string;
  namedFrom: ConfigSourceName;
}

/**
 * Loads and validates the configuration.
 *
 * Precedence, lowest to highest: built-in defaults < JSON config file (`--config PATH`, else `IMAGEGEN_CONFIG`
 * from the environment or the `.env` file) < `.env` file (`--env-file PATH`, else `IMAGEGEN_ENV_FILE`, else
 * `./.env` when it exists) < the environment < `--set KEY=VALUE` and `flags`. `OPENAI_API_KEY`, and
 * `GOOGLE_API_KEY` then `GEMINI_API_KEY`, supply the provider keys when no source sets them.
 *
 * Throws `ImageGenError` `invalid_config` listing every problem (one line each, secrets masked; the same in
 * `details.problems`), including an explicitly named file that is missing, unreadable or not valid JSON.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const fileSystem = options.fileSystem ?? nodeConfigFileSystem;
  const context: PathContext = { platform: options.platform, homeDirectory: options.homeDirectory };
  const report: LoadReport = { problems: [], warnings: [] };
  const parsedArguments = parseConfigArguments(options.argv ?? []);
  for (const problem of parsedArguments.problems) {
    report.problems.push(createProblem({ setting: problem.argument, source: 'flag', origin: 'command line', reason: problem.message }));
  }
  const resolveFromCwd = (value: string) => resolveSettingPath(value, { ...context, baseDirectory: options.cwd });

  const envFile = chooseEnvFile(parsedArguments.envFilePath, options.env, resolveFromCwd);
  const dotenvVariables = envFile ? readEnvFile(envFile, fileSystem, report) : undefined;
  const envFilePath = dotenvVariables === undefined ? undefined : envFile?.path;

  const configFile = chooseConfigFile(parsedArguments.configPath, options.env, dotenvVariables ?? {}, resolveFromCwd);
  const configTree = configFile ? readConfigFile(configFile, fileSystem, report) : undefined;
  const configFilePath = configTree === undefined ? undefined : configFile?.path;

  const fileLayer = configTree && configFilePath ? readConfigFileLayer(configTree, configFilePath, report) : new Map();
  const layers: SourceLayer[] = [
    readKeyFallbackLayer(options.env, dotenvVariables ?? {}, report),
    fileLayer,
    readEnvironmentLayer(dotenvVariables ?? {}, '.env', report),
    readEnvironmentLayer(options.env, 'env', report),
    readFlagLayer(parsedArguments.settings, options.flags ?? {}, report),
  ];

  if (options.platform !== 'win32') {
    if (configFilePath && layerHoldsSecret(fileLayer)) warnIfReadableByOthers(configFilePath, 'Config file', fileSystem, report);
    const envFileHoldsSecret = Object.entries(dotenvVariables ?? {}).some(
      ([name, value]) => value !== '' && secretVariableNames.has(name.toUpperCase()),
    );
    if (envFilePath && envFileHoldsSecret) warnIfReadableByOthers(envFilePath, '.env file', fileSystem, report);
  }

  const winners = new Map<string, RawSetting>();
  for (const layer of layers) for (const [path, raw] of layer) winners.set(path, raw);
  const files = { ...(configFilePath ? { configFilePath } : {}), ...(envFilePath ? { envFilePath } : {}) };

  // Parsed once per process: zod's compiled fast path (generated with `new Function`) costs more to build than this one
  // parse takes without it, and start-up pays for it before `initialize` is answered.
  const parsed = imageGenConfigSchema.safeParse(nestedInput(winners), { jitless: true });
  if (!parsed.success) report.problems.push(...problemsFromIssues(parsed.error.issues, winners, files));
  if (report.problems.length > 0 || !parsed.success) throw invalidConfigError(report.problems, report.warnings);

  const config = parsed.data as ImageGenConfig;
  resolvePathSettings(config, winners, {
    ...context,
    cwd: options.cwd,
    configDirectory: configFilePath ? pathModuleFor(options.platform).dirname(configFilePath) : options.cwd,
    defaultBasePath: defaultDataDirectory({ ...context, env: options.env }),
  });

  const origins: Record<string, SettingOrigin> = {};
  const sources: Record<string, ConfigSourceName> = {};
  for (const entry of settingEntries) {
    const origin = winners.get(entry.path)?.origin ?? { source: 'default' };
    origins[entry.path] = origin;
    sources[entry.path] = origin.source;
  }
  return { config, warnings: report.warnings, sources, origins, ...files };
}

function firstSet(...values: Array<string | undefined>): string | undefined {
  return values.find((value) => value !== undefined && value !== '');
}

function chooseEnvFile(
  flagPath: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  resolve: (value: string) => string,
): FileChoice {
  if (flagPath !== undefined) return { path: resolve(flagPath), namedBy: '--env-file', namedFrom: 'flag' };
  const fromEnv = firstSet(env[envFileVariable]);
  if (fromEnv !== undefined) return { path: resolve(fromEnv), namedBy: envFileVariable, namedFrom: 'env' };
  return { path: resolve('.env'), namedFrom: 'default' };
}

function chooseConfigFile(
  flagPath: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  dotenvVariables: Readonly<Record<string, string>>,
  resolve: (value: string) => string,
): FileChoice | undefined {
  if (flagPath !== undefined) return { path: resolve(flagPath), namedBy: '--config', namedFrom: 'flag' };
  const fromEnv = firstSet(env[configFileVariable]);
  if (fromEnv !== undefined) return { path: resolve(fromEnv), namedBy: configFileVariable, namedFrom: 'env' };
  const fromDotenv = firstSet(dotenvVariables[configFileVariable]);
  if (fromDotenv !== undefined) return { path: resolve(fromDotenv), namedBy: configFileVariable, namedFrom: '.env' };
  return undefined;
}

function fileProblem(choice: FileChoice, reason: string): ConfigProblem {
  return createProblem({
    setting: choice.namedBy ?? 'config file',
    value: JSON.stringify(choice.path),
    source: choice.namedFrom,
    origin: choice.namedFrom === 'flag' ? 'command line' : choice.namedFrom,
    reason,
  });
}

/** The file's text; `undefined` when it is missing (a problem only when it was named explicitly) or unreadable. */
function readNamedFile(choice: FileChoice, fileSystem: ConfigFileSystem, report: LoadReport): string | undefined {
  let text: string | undefined;
  try {
    text = fileSystem.readTextFile(choice.path);
  } catch (error) {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    report.problems.push(fileProblem(choice, `the file could not be read${typeof code === 'string' ? ` (${code})` : ''}`));
    return undefined;
  }
  if (text === undefined && choice.namedBy !== undefined) report.problems.push(fileProblem(choice, 'no file exists at this path'));
  return text;
}

function readEnvFile(choice: FileChoice, fileSystem: ConfigFileSystem, report: LoadReport): Record<string, string> | undefined {
  const text = readNamedFile(choice, fileSystem, report);
  return text === undefined ? undefined : parseEnvFile(text);
}

function readConfigFile(choice: FileChoice, fileSystem: ConfigFileSystem, report: LoadReport): Record<string, unknown> | undefined {
  const text = readNamedFile(choice, fileSystem, report);
  if (text === undefined) return undefined;
  let tree: unknown;
  try {
    // A byte-order mark is common in files saved by Windows editors and is not JSON.
    tree = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    report.problems.push(fileProblem(choice, `the file is not valid JSON${jsonErrorLocation(error, text)}`));
    return undefined;
  }
  if (!isPlainObject(tree)) {
    report.problems.push(fileProblem(choice, 'the file must hold a JSON object, e.g. { "storage": { "base_path": "…" } }'));
    return undefined;
  }
  return tree;
}

/**
 * ` (line L, column C)` from a JSON.parse error. Only the position is taken from the parser's message: V8 quotes
 * the text around the error, which may be a key.
 */
function jsonErrorLocation(error: unknown, text: string): string {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position)).split('\n');
  return ` (line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1})`;
}

function warnIfReadableByOthers(filePath: string, label: string, fileSystem: ConfigFileSystem, report: LoadReport): void {
  let mode: number | undefined;
  try {
    mode = fileSystem.fileMode(filePath);
  } catch {
    return;
  }
  if (mode === undefined || (mode & 0o077) === 0) return;
  report.warnings.push({
    code: 'readable_secret_file',
    message: `${label} ${filePath} holds a secret and can be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${filePath}`,
    file: filePath,
  });
}

function nestedInput(winners: ReadonlyMap<string, RawSetting>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const entry of settingEntries) {
    const raw = winners.get(entry.path);
    if (raw === undefined) continue;
    let node = root;
    for (const segment of entry.segments.slice(0, -1)) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
    node[entry.segments[entry.segments.length - 1] ?? ''] = raw.value;
  }
  // Every group must exist for zod to apply the defaults inside it.
  for (const entry of settingEntries) {
    let node = root;
    for (const segment of entry.segments.slice(0, -1)) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
  }
  return root;
}

function entryOfIssuePath(issuePath: readonly PropertyKey[]): { entry: SettingEntry; rest: readonly PropertyKey[] } | undefined {
  for (let length = 1; length <= issuePath.length; length += 1) {
    const entry = settingAt(issuePath.slice(0, length).map(String).join('.'));
    if (entry) return { entry, rest: issuePath.slice(length) };
  }
  return undefined;
}

/** How a value is quoted in a problem: secrets masked, long values shortened. */
function shownValue(value: unknown, entry: SettingEntry): string | undefined {
  if (value === undefined) return undefined;
  const visible = displayValue(value, entry.metadata);
  const text = JSON.stringify(visible) ?? String(visible);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function describeIssueLocation(rest: readonly PropertyKey[]): string {
  return rest.map((segment) => (typeof segment === 'number' ? `item ${segment}` : `"${String(segment)}"`)).join(', ');
}

function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  winners: ReadonlyMap<string, RawSetting>,
  files: { configFilePath?: string; envFilePath?: string },
): ConfigProblem[] {
  const reasonsByPath = new Map<string, { entry: SettingEntry; reasons: string[] }>();
  for (const issue of issues) {
    const located = entryOfIssuePath(issue.path);
    if (located === undefined) continue;
    const { entry, rest } = located;
    const known = reasonsByPath.get(entry.path) ?? { entry, reasons: [] };
    reasonsByPath.set(entry.path, known);
    // zod's own wording is used only inside structured values and for custom checks; it names types, never values.
    if (rest.length > 0) known.reasons.push(`${describeIssueLocation(rest)}: ${issue.message}`);
    else if (issue.code === 'custom') known.reasons.push(issue.message);
  }
  return [...reasonsByPath.values()].map(({ entry, reasons }) => {
    const raw = winners.get(entry.path);
    const origin = raw?.origin ?? { source: 'default' as const };
    const value = shownValue(raw?.value, entry);
    return createProblem({
      setting: entry.envName,
      path: entry.path,
      ...(value === undefined ? {} : { value }),
      source: origin.source,
      origin: describeOrigin(origin, files),
      ...(reasons.length > 0 ? { reason: [...new Set(reasons)].slice(0, 3).join('; ') } : {}),
      allowed: entry.metadata.allowed,
    });
  });
}

function resolvePathSettings(
  config: ImageGenConfig,
  winners: ReadonlyMap<string, RawSetting>,
  context: PathContext & { cwd: string; configDirectory: string; defaultBasePath: string },
): void {
  const baseDirectoryOf = (path: string) => (winners.get(path)?.origin.source === 'file' ? context.configDirectory : context.cwd);
  const resolve = (value: string, path: string) => resolveSettingPath(value, { ...context, baseDirectory: baseDirectoryOf(path) });
  config.storage.base_path =
    config.storage.base_path === undefined ? context.defaultBasePath : resolve(config.storage.base_path, 'storage.base_path');
  if (config.templates.directory !== undefined) config.templates.directory = resolve(config.templates.directory, 'templates.directory');
  config.server.allowed_folders = config.server.allowed_folders.map((folder) => resolve(folder, 'server.allowed_folders'));
}
