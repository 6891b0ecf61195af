/**
 * Building blocks of the configuration schema. Each builder pairs a zod schema that accepts both typed values
 * (from the JSON config file or app flags) and text (from the environment, `.env` and `--set`) with the words
 * that tell a person what is allowed. {@link setting} and {@link optionalSetting} attach the documentation, so the
 * schema stays the one place where a setting is declared.
 */
import { ownValue } from '@imagegen/common';
import { z } from 'zod';

/** How a setting is written and read. */
export type SettingKind =
  'string' | 'url' | 'number' | 'integer' | 'boolean' | 'choice' | 'list' | 'path' | 'path-list' | 'size' | 'octal' | 'json';

/** How a secret is masked: the whole value, or only the password inside a URL. */
export type SecretKind = 'whole' | 'url-password';

/** Documentation and handling facts for one setting, kept in {@link settingRegistry}. */
export interface SettingMetadata {
  /** How the value is written and read. */
  kind: SettingKind;
  /** One or two sentences for the settings table. */
  description: string;
  /** What is allowed, in words (`a whole number from 0 to 10`). */
  allowed: string;
  /** The accepted values of a choice setting, lower-case. */
  choices?: readonly string[];
  /** The built-in default; `undefined` when the setting is unset by default or computed at load time. */
  defaultValue?: unknown;
  /** How the documentation shows the default. */
  defaultLabel: string;
  /** Set for settings that are never shown in full. */
  secret?: SecretKind;
}

/** Maps every leaf schema of the configuration to its metadata. */
export const settingRegistry = z.registry<SettingMetadata>();

/** A schema plus how it is described, before documentation and default are attached. */
export interface SettingShape<Schema extends z.ZodType> {
  /** Accepts typed values and text. */
  schema: Schema;
  /** How the value is written and read. */
  kind: SettingKind;
  /** What is allowed, in words. */
  allowed: string;
  /** The accepted values of a choice setting. */
  choices?: readonly string[];
}

interface DocumentationOptions {
  description: string;
  secret?: SecretKind;
  defaultLabel?: string;
}

/** A setting with a built-in default. */
export function setting<Schema extends z.ZodType>(
  shape: SettingShape<Schema>,
  options: DocumentationOptions & { default: z.output<Schema> & NonNullable<unknown> },
): z.ZodDefault<Schema> {
  const schema = shape.schema.default(options.default as never) as z.ZodDefault<Schema>;
  settingRegistry.add(schema, {
    kind: shape.kind,
    description: options.description,
    allowed: shape.allowed,
    ...(shape.choices ? { choices: shape.choices } : {}),
    defaultValue: options.default,
    defaultLabel: options.defaultLabel ?? labelOf(options.default),
    ...(options.secret ? { secret: options.secret } : {}),
  });
  return schema;
}

/** A setting that is unset unless a source sets it (or whose default is computed by the loader). */
export function optionalSetting<Schema extends z.ZodType>(
  shape: SettingShape<Schema>,
  options: DocumentationOptions,
): z.ZodOptional<Schema> {
  const schema = shape.schema.optional();
  settingRegistry.add(schema, {
    kind: shape.kind,
    description: options.description,
    allowed: shape.allowed,
    ...(shape.choices ? { choices: shape.choices } : {}),
    defaultLabel: options.defaultLabel ?? '(not set)',
    ...(options.secret ? { secret: options.secret } : {}),
  });
  return schema;
}

function labelOf(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(',');
  return String(value);
}

/** Free text. */
export function text(): SettingShape<z.ZodString> {
  return { schema: z.string(), kind: 'string', allowed: 'text' };
}

/** A folder path: absolute, relative (resolved by the loader) or starting with `~/`. */
export function folderPath(): SettingShape<z.ZodString> {
  return { schema: z.string(), kind: 'path', allowed: 'a folder path (absolute, relative, or starting with ~/)' };
}

/** An absolute URL with one of the given schemes (without the colon). */
export function url(
  protocols: readonly string[],
  options: { credentials?: 'allowed' | 'refused' } = {},
): SettingShape<z.ZodPreprocess<z.ZodString>> {
  const schemes = protocols.map((protocol) => `${protocol}://`).join(' or ');
  const schema = z.preprocess(
    trimText,
    z.string().superRefine((value, context) => {
      const protocol = protocolOf(value);
      if (protocol === undefined) context.addIssue({ code: 'custom', message: 'not a URL' });
      else if (!protocols.includes(protocol)) context.addIssue({ code: 'custom', message: `the scheme ${protocol}:// is not allowed` });
      else if (options.credentials === 'refused' && hasCredentials(value)) {
        // The HTTP clients would not send them as a login, and the request would fail as if the host were unreachable.
        context.addIssue({
          code: 'custom',
          message: 'a user name or password in the URL is not supported (keys go in their own settings); remove the part before @',
        });
      }
    }),
  );
  return { schema, kind: 'url', allowed: `a URL starting with ${schemes}` };
}

function hasCredentials(value: string): boolean {
  const parsed = new URL(value);
  return parsed.username !== '' || parsed.password !== '';
}

function protocolOf(value: string): string | undefined {
  try {
    return new URL(value).protocol.replace(/:$/, '');
  } catch {
    return undefined;
  }
}

interface NumberBounds {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Values must be greater than this. */
  greaterThan?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Why the bounds are what they are, added to the message in parentheses. */
  reason?: string;
}

/** A finite number, written as decimal text in the environment. */
export function decimal(bounds: NumberBounds = {}): SettingShape<z.ZodPreprocess<z.ZodNumber>> {
  let schema = z.number();
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.greaterThan !== undefined) schema = schema.gt(bounds.greaterThan);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  return { schema: z.preprocess(numberFromText, schema), kind: 'number', allowed: describeBounds('a number', bounds) };
}

/** A whole number, written as decimal text in the environment. */
export function integer(bounds: NumberBounds = {}): SettingShape<z.ZodPreprocess<z.ZodNumber>> {
  let schema = z.number().int();
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  const allowed = describeBounds('a whole number', bounds) + (bounds.reason === undefined ? '' : ` (${bounds.reason})`);
  return { schema: z.preprocess(numberFromText, schema), kind: 'integer', allowed };
}

function describeBounds(noun: string, bounds: NumberBounds): string {
  if (bounds.min !== undefined && bounds.max !== undefined) return `${noun} from ${bounds.min} to ${bounds.max}`;
  if (bounds.min !== undefined) return `${noun}, ${bounds.min} or more`;
  if (bounds.greaterThan !== undefined) return `${noun} greater than ${bounds.greaterThan}`;
  if (bounds.max !== undefined) return `${noun}, at most ${bounds.max}`;
  return noun;
}

function numberFromText(input: unknown): unknown {
  if (typeof input !== 'string' || input.trim() === '') return input;
  const parsed = Number(input.trim());
  return Number.isFinite(parsed) ? parsed : input;
}

const booleanWords: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/** true or false; text accepts true/false, 1/0 and yes/no in any case. */
export function flag(): SettingShape<z.ZodPreprocess<z.ZodBoolean>> {
  const schema = z.preprocess(
    (input) => (typeof input === 'string' ? (ownValue(booleanWords, input.trim().toLowerCase()) ?? input) : input),
    z.boolean(),
  );
  return { schema, kind: 'boolean', allowed: 'true or false (also 1/0, yes/no)' };
}

/** One of a fixed set of lower-case words; input is matched case-insensitively and stored lower-case. */
export function choice<const Values extends readonly [string, ...string[]]>(
  values: Values,
): SettingShape<z.ZodPreprocess<z.ZodEnum<{ [Key in Values[number]]: Key }>>> {
  const schema = z.preprocess((input) => (typeof input === 'string' ? input.trim().toLowerCase() : input), z.enum(values));
  return { schema, kind: 'choice', allowed: `one of ${values.join(', ')}`, choices: values };
}

/** A list of texts: a JSON array, or comma-separated text in the environment. */
export function list(): SettingShape<z.ZodPreprocess<z.ZodArray<z.ZodString>>> {
  return {
    schema: z.preprocess(listFromText, z.array(z.string().min(1))),
    kind: 'list',
    allowed: 'a comma-separated list (or a JSON array of strings)',
  };
}

/** A list of folder paths, each resolved like {@link folderPath}. */
export function folderPathList(): SettingShape<z.ZodPreprocess<z.ZodArray<z.ZodString>>> {
  return {
    schema: z.preprocess(listFromText, z.array(z.string().min(1))),
    kind: 'path-list',
    allowed: 'a comma-separated list of folder paths (or a JSON array of strings)',
  };
}

function listFromText(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const trimmed = input.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return input;
    }
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `auto` or `WIDTHxHEIGHT` with positive whole numbers; stored lower-case. */
export function imageSize(): SettingShape<z.ZodPreprocess<z.ZodString>> {
  const schema = z.preprocess(
    (input) => (typeof input === 'string' ? input.trim().toLowerCase() : input),
    z.string().regex(/^(auto|[1-9]\d*x[1-9]\d*)$/),
  );
  return { schema, kind: 'size', allowed: 'auto, or WIDTHxHEIGHT with positive whole numbers (e.g. 1536x1024)' };
}

/**
 * Unix permission bits written as 3 or 4 octal digits (`"644"`, `"0600"`), parsed to a number. Only text is
 * accepted: a JSON number such as 644 is ambiguous between decimal and octal, so it is refused.
 */
export function octalPermissions(): SettingShape<z.ZodPreprocess<z.ZodNumber>> {
  const schema = z.preprocess((input, context) => {
    const digits = typeof input === 'string' ? input.trim() : undefined;
    if (digits === undefined || !/^[0-7]{3,4}$/.test(digits)) {
      context.addIssue({
        code: 'custom',
        message: typeof input === 'number' ? 'write the octal digits as a quoted string' : 'not 3 or 4 octal digits',
      });
      return z.NEVER;
    }
    return Number.parseInt(digits, 8);
  }, z.number().int().min(0).max(0o777));
  return { schema, kind: 'octal', allowed: '3 or 4 octal digits as text, at most 0777 (e.g. "644" or "0600")' };
}

/** The shape checked here for a user-defined model; the engine's registry validates the rest. */
const customModelSchema = z.looseObject({ id: z.string().min(1), provider: z.string().min(1) });

/** A JSON array of objects that each have a string `id` and `provider`; JSON text in the environment. */
export function customModelList(): SettingShape<z.ZodPreprocess<z.ZodArray<typeof customModelSchema>>> {
  const schema = z.preprocess((input, context) => {
    if (typeof input !== 'string') return input;
    try {
      return JSON.parse(input) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'not valid JSON' });
      return z.NEVER;
    }
  }, z.array(customModelSchema));
  return { schema, kind: 'json', allowed: 'a JSON array of objects, each with a string "id" and "provider"' };
}

function trimText(input: unknown): unknown {
  return typeof input === 'string' ? input.trim() : input;
}
