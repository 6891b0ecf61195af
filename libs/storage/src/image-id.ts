import { randomBytes } from 'node:crypto';
import { ImageGenError, type Clock } from '@imagegen/common';

/**
 * Image ids are `img_{YYYYMMDDHHmmss}_{12 lowercase hex}`: the UTC second the image was saved plus 48 random bits.
 * Ids travel through URIs, tool arguments and file names, so nothing but this exact shape is ever accepted: a
 * path is only built from an id that passed {@link isValidImageId}.
 */
const imageIdPattern = /^img_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})_[0-9a-f]{12}$/;

/** An example id, for messages and documentation. */
export const exampleImageId = 'img_20261125143022_0123456789ab';

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number) => (month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);

/**
 * The UTC instant encoded in an id, or `undefined` when `value` is not a valid id (wrong shape, or a date that
 * does not exist such as February 30th or hour 24).
 */
export function imageIdTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = imageIdPattern.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

const imageIdShape = /^img_\d{14}_[0-9a-f]{12}$/;

/**
 * The shape check alone (no calendar check), for bulk loading of already-validated ids. It still guarantees
 * the id holds no path characters.
 */
export function hasImageIdShape(value: string): boolean {
  return imageIdShape.test(value);
}

/** True when `value` is exactly an image id: `img_` + a real UTC date-time (14 digits) + `_` + 12 lowercase hex digits. */
export function isValidImageId(value: unknown): value is string {
  return imageIdTimestamp(value) !== undefined;
}

/**
 * Throws `invalid_request` unless `value` is a valid image id. Called before any path is built, so a hostile id
 * (`../../etc/passwd`, an absolute path, a NUL byte) never reaches the filesystem.
 */
export function assertValidImageId(value: unknown, what = 'image id'): asserts value is string {
  if (isValidImageId(value)) return;
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : typeof value;
  throw new ImageGenError({
    code: 'invalid_request',
    message: `${shown} is not a valid ${what}; image ids look like ${exampleImageId}.`,
    details: { expectedFormat: 'img_YYYYMMDDHHmmss_<12 hex digits>' },
  });
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The 14-digit UTC timestamp part of an id for `instant`: `YYYYMMDDHHmmss`. */
export function imageIdTimestampText(instant: Date): string {
  return (
    pad(instant.getUTCFullYear(), 4) +
    pad(instant.getUTCMonth() + 1) +
    pad(instant.getUTCDate()) +
    pad(instant.getUTCHours()) +
    pad(instant.getUTCMinutes()) +
    pad(instant.getUTCSeconds())
  );
}

/**
 * A fresh image id for the clock's current UTC second. `random(byteCount)` supplies the random part (default:
 * `crypto.randomBytes`); tests pass a fixed source to get predictable ids.
 */
export function generateImageId(clock: Clock, random: (byteCount: number) => Uint8Array = randomBytes): string {
  const suffix = Buffer.from(random(6)).toString('hex').slice(0, 12);
  const id = `img_${imageIdTimestampText(clock.now())}_${suffix}`;
  if (!isValidImageId(id)) {
    throw new ImageGenError({
      code: 'internal',
      message: 'Could not generate an image id: the random source returned too few bytes or the clock is before 1970.',
    });
  }
  return id;
}

/**
 * The smallest id-prefix key for images saved at or after `instantMs` (to the second: the instant is rounded up
 * to a whole second, since ids only carry seconds). Every id `>=` the key was saved at or after that second.
 */
export function imageIdKeyForTime(instantMs: number): string {
  if (instantMs === Number.NEGATIVE_INFINITY || instantMs < 0) return 'img_';
  if (!Number.isFinite(instantMs) || instantMs > Date.UTC(9999, 11, 31, 23, 59, 59)) return 'img_~';
  return `img_${imageIdTimestampText(new Date(Math.ceil(instantMs / 1000) * 1000))}`;
}
