/**
 * @imagegen/config — typed, validated configuration for imagegen from defaults, a JSON config file, a `.env`
 * file, the environment and command-line flags. Apps call `loadConfig` once at start; libraries take the
 * resulting `ImageGenConfig` (or parts of it) as arguments.
 */
export { loadConfig, configFileVariable, envFileVariable } from './load-config';
export type { LoadConfigOptions, LoadedConfig } from './load-config';
export { imageGenConfigSchema } from './config-schema';
export type { ImageGenConfig } from './config-schema';
export { parseConfigArguments } from './config-arguments';
export type { ConfigArgumentProblem, ConfigArgumentSetting, ParsedConfigArguments } from './config-arguments';
export { nodeConfigFileSystem } from './config-file-system';
export type { ConfigFileSystem } from './config-file-system';
export type { ConfigProblem, ConfigSourceName, ConfigWarning, ConfigWarningCode, SettingOrigin } from './config-problems';
export { maskSecret, maskUrlCredentials, maskUrlPassword, redactConfig } from './secret-masking';
export { describeEffectiveConfig } from './effective-config';
export type { EffectiveSetting } from './effective-config';
export { describeSettings, renderSettingsTable } from './settings-documentation';
export type { SettingDescription } from './settings-documentation';
export type { SettingKind } from './setting-builders';
export { defaultDataDirectory } from './storage-paths';
