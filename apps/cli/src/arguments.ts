import { InvalidArgumentError } from 'commander';

/** Parses a whole number within bounds, for commander options (a bad value is a usage error, exit 2). */
export function integerOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return parsed;
  };
}

/** Parses a positive number (days may be fractional). */
export function positiveNumberOption(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${name} must be a number greater than 0.`);
    return parsed;
  };
}

/** Collects a repeatable `--arg key=value` into an object; later values win. */
export function keyValueOption(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, e.g. --arg title="Launch day" (got "${value}").`);
  return { ...(previous ?? {}), [value.slice(0, at).trim()]: value.slice(at + 1) };
}

/** Collects a repeatable option into a list. */
export function repeatableOption(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
