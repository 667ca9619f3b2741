/**
 * A copy of `value` in which every plain object (prototype `Object.prototype` or `null`) has
 * its keys in sorted order, recursively through arrays and plain objects. Encoders that keep
 * insertion order then write equal objects as equal bytes.
 *
 * Other objects (`Date`, `Map`, `Set`, typed arrays, class instances) are kept as they are: a
 * `Map`'s or `Set`'s iteration order is part of its value and stays significant.
 */
export function canonicalize(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(canonicalize);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const source = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) {
    sorted[key] = canonicalize(source[key]);
  }
  return sorted;
}
