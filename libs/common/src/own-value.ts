/**
 * `record[key]` for a key that came from a caller, counting only the record's own entries: `__proto__`,
 * `constructor` or `toString` then find nothing instead of `Object.prototype` and its methods.
 */
export function ownValue<Value>(record: Readonly<Record<string, Value>> | undefined, key: string): Value | undefined {
  return record !== undefined && typeof key === 'string' && Object.hasOwn(record, key) ? record[key] : undefined;
}
