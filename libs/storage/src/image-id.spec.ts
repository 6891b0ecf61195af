import { createManualClock } from '@imagegen/common';
import { assertValidImageId, generateImageId, imageIdTimestamp, isValidImageId } from './image-id';

describe('image ids', () => {
  it('accepts exactly img_ + a real UTC date-time + 12 lowercase hex digits', () => {
    expect(isValidImageId('img_20261125143022_0123456789ab')).toBe(true);
    expect(isValidImageId('img_20240229235959_ffffffffffff')).toBe(true);
  });

  it.each([
    ['a date that does not exist', 'img_20250229120000_0123456789ab'],
    ['month 13', 'img_20261325143022_0123456789ab'],
    ['hour 24', 'img_20261125243022_0123456789ab'],
    ['uppercase hex', 'img_20261125143022_0123456789AB'],
    ['a short random part', 'img_20261125143022_0123456789a'],
    ['a trailing newline', 'img_20261125143022_0123456789ab\n'],
    ['a path', '../../etc/passwd'],
    ['a number', 42],
  ])('refuses %s', (_what, value) => {
    expect(isValidImageId(value)).toBe(false);
    expect(() => assertValidImageId(value)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('generates ids from the clock in UTC and the random source', () => {
    const clock = createManualClock(new Date('2026-01-02T03:04:05.999Z'));
    const id = generateImageId(clock, (byteCount) => Uint8Array.from({ length: byteCount }, (_, index) => index * 17));
    expect(id).toBe('img_20260102030405_001122334455');
    expect(imageIdTimestamp(id)?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(isValidImageId(generateImageId(clock))).toBe(true);
    expect(generateImageId(clock)).not.toBe(generateImageId(clock));
  });

  it('fails loudly when the random source is too short', () => {
    const clock = createManualClock(new Date('2026-01-02T03:04:05Z'));
    expect(() => generateImageId(clock, () => new Uint8Array(2))).toThrow(expect.objectContaining({ code: 'internal' }));
  });
});
