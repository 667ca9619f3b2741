import type { JsonValue } from '../checkpoint/json.js';
import { ProcessorDriverError } from '../errors.js';

/**
 * Orders two source positions as `Array.prototype.sort` comparators do: negative when `a` comes
 * before `b` in the source, zero when they are the same place, positive when `a` comes after.
 */
export type PositionComparator = (a: JsonValue, b: JsonValue) => number;

/**
 * The order the driver applies to restored positions, `undefined` (the start of the source, or
 * state some other program wrote) before every position. Numbers are ordered numerically; other
 * positions need the user's comparator, and only when two positions actually differ.
 */
export class PositionOrder {
  readonly #compare: PositionComparator | undefined;

  constructor(compare: PositionComparator | undefined) {
    this.#compare = compare;
  }

  /** Negative, zero or positive as `a` is before, at or after `b`. */
  compare(a: JsonValue | undefined, b: JsonValue | undefined): number {
    if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
    if (this.#compare === undefined) {
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      if (sameJson(a, b)) return 0;
      throw new ProcessorDriverError(
        `Cannot order the source positions ${JSON.stringify(a)} and ${JSON.stringify(b)}: the restored ` +
          'checkpoint parts were taken at different positions (the job was rescaled), and positions that are ' +
          'not numbers need the comparePositions option to tell which comes first.',
      );
    }
    const order = this.#compare(a, b);
    if (typeof order !== 'number' || Number.isNaN(order)) {
      throw new ProcessorDriverError(
        `Invalid comparePositions result for ${JSON.stringify(a)} and ${JSON.stringify(b)}: received ` +
          `${String(order)}; expected a number (negative, zero or positive).`,
      );
    }
    return order;
  }
}

/** Whether two JSON values are equal, objects compared by their keys whatever their order. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value: JsonValue, i: number) => sameJson(value, b[i] as JsonValue));
  }
  const left = a as { readonly [key: string]: JsonValue };
  const right = b as { readonly [key: string]: JsonValue };
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]));
}
