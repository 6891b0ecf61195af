/**
 * What the loader reports: problems (which stop the start) and warnings (which do not), plus where each value
 * came from.
 */
import { ImageGenError } from '@imagegen/common';

/** The sources of settings, lowest precedence first. */
export type ConfigSourceName = 'default' | 'file' | '.env' | 'env' | 'flag';

/** Where the effective value of one setting came from. */
export interface SettingOrigin {
  /** The source that supplied the value (`default` when no source set it). */
  source: ConfigSourceName;
  /**
   * The name the value was given under when that is not the setting's own variable: a key fallback
   * (`OPENAI_API_KEY`), `--set`, or `flags` (an app's own flag mapped through `loadConfig({ flags })`).
   */
  name?: string;
}

/** One reason the configuration is invalid. */
export interface ConfigProblem {
  /** The environment variable name of the setting (`SERVER__PORT`), or the option concerned (`--config`). */
  setting: string;
  /** Dotted path of the setting, when the problem is about a setting. */
  path?: string;
  /** The offending value as text, secrets masked; absent when the setting is not set. */
  value?: string;
  /** The source the value came from. */
  source: ConfigSourceName;
  /** The source in words (`env`, `file /etc/imagegen/config.json`, `env OPENAI_API_KEY`). */
  origin: string;
  /** What is wrong beyond "not allowed" (`not valid JSON`), when there is more to say. */
  reason?: string;
  /** What is allowed, in words. */
  allowed?: string;
  /** The whole problem as one line, as it appears in the error message. */
  message: string;
}

/** Kinds of configuration warnings. */
export type ConfigWarningCode = 'unknown_setting' | 'readable_secret_file' | 'conflicting_key_fallbacks';

/** Something worth telling the user that does not stop the start. Apps log these. */
export interface ConfigWarning {
  /** What kind of warning this is. */
  code: ConfigWarningCode;
  /** A sentence a person can act on; never holds a secret. */
  message: string;
  /** The setting or variable concerned (the unknown name, or a file's secret setting). */
  setting?: string;
  /** The nearest valid name, for an unknown one. */
  suggestion?: string;
  /** The file concerned, for file warnings. */
  file?: string;
  /** The source concerned. */
  source?: ConfigSourceName;
}

/** Builds a problem and its one-line message. */
export function createProblem(problem: Omit<ConfigProblem, 'message'>): ConfigProblem {
  const subject = problem.value === undefined ? problem.setting : `${problem.setting} = ${problem.value}`;
  const where = problem.source === 'default' ? '' : ` (from ${problem.origin})`;
  const explanation = [problem.reason, problem.allowed === undefined ? undefined : `expected ${problem.allowed}`]
    .filter((part) => part !== undefined)
    .join('; ');
  return { ...problem, message: `${subject}${where}: ${explanation}` };
}

/** The `invalid_config` error for a list of problems; warnings are appended because they often explain them. */
export function invalidConfigError(problems: readonly ConfigProblem[], warnings: readonly ConfigWarning[]): ImageGenError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = [`Invalid configuration (${count}):`, ...problems.map((problem) => `  - ${problem.message}`)];
  if (warnings.length > 0) lines.push('Warnings:', ...warnings.map((warning) => `  - ${warning.message}`));
  return new ImageGenError({
    code: 'invalid_config',
    message: lines.join('\n'),
    details: { problems: [...problems], warnings: [...warnings] },
  });
}
