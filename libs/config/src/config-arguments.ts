/**
 * The command-line arguments every imagegen app shares: `--config PATH`, `--env-file PATH` and repeatable
 * `--set KEY=VALUE`, each also as `--name=value`.
 */

/** One `--set KEY=VALUE`. */
export interface ConfigArgumentSetting {
  /** The key as written: env style (`STORAGE__BASE_PATH`) or dotted (`storage.base_path`). */
  key: string;
  /** Everything after the first `=`. */
  value: string;
}

/** A malformed configuration argument; `loadConfig` reports these as problems. */
export interface ConfigArgumentProblem {
  /** The option concerned: `--config`, `--env-file` or `--set`. */
  argument: string;
  /** What is wrong, in words. Never quotes the argument's value, which may be a secret. */
  message: string;
}

/** What {@link parseConfigArguments} found. */
export interface ParsedConfigArguments {
  /** The last `--config` value, if any. */
  configPath?: string;
  /** The last `--env-file` value, if any. */
  envFilePath?: string;
  /** Every `--set`, in order (later ones win). */
  settings: ConfigArgumentSetting[];
  /** Malformed configuration arguments (a missing value, `--set` without `=`). */
  problems: ConfigArgumentProblem[];
  /** All other arguments, in their original order; everything from a `--` on is left untouched. */
  remaining: string[];
}

const pathOptions = { '--config': 'configPath', '--env-file': 'envFilePath' } as const;

/**
 * Takes the configuration options out of `argv` (without the node and script entries or with them: anything
 * that is not a configuration option is passed through in `remaining`). Never throws.
 */
export function parseConfigArguments(argv: readonly string[]): ParsedConfigArguments {
  const parsed: ParsedConfigArguments = { settings: [], problems: [], remaining: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--') {
      parsed.remaining.push(...argv.slice(index));
      break;
    }
    const equalsAt = argument.indexOf('=');
    const name = argument.startsWith('--') && equalsAt > 0 ? argument.slice(0, equalsAt) : argument;
    if (name !== '--set' && !Object.hasOwn(pathOptions, name)) {
      parsed.remaining.push(argument);
      continue;
    }
    let value: string | undefined;
    if (name !== argument) {
      value = argument.slice(equalsAt + 1);
    } else {
      const next = argv[index + 1];
      // An option name where a value should be means the value was forgotten, not a path that starts with "--".
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        index += 1;
      }
    }
    if (value === undefined || value === '') {
      parsed.problems.push({ argument: name, message: `${name} needs a value` });
      continue;
    }
    if (name === '--set') {
      const separatorAt = value.indexOf('=');
      if (separatorAt <= 0) {
        parsed.problems.push({ argument: name, message: '--set needs KEY=VALUE, e.g. --set STORAGE__BASE_PATH=/data/images' });
        continue;
      }
      parsed.settings.push({ key: value.slice(0, separatorAt).trim(), value: value.slice(separatorAt + 1) });
    } else {
      parsed[pathOptions[name as keyof typeof pathOptions]] = value;
    }
  }
  return parsed;
}
