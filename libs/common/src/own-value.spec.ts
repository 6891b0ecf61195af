import { ownValue } from './own-value';

describe('ownValue', () => {
  const hints: Record<string, string> = { vivid: 'bold' };

  it('finds the record’s own entries', () => {
    expect(ownValue(hints, 'vivid')).toBe('bold');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('finds nothing for the inherited name %s', (name) => {
    expect(ownValue(hints, name)).toBeUndefined();
  });

  it('finds nothing in a missing record', () => {
    expect(ownValue(undefined, 'vivid')).toBeUndefined();
  });
});
