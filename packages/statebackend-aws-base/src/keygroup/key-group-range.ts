import { KeyGroupArgumentError } from '../errors.js';

/**
 * A contiguous, inclusive range of key groups `[startKeyGroup, endKeyGroup]`: the state an
 * operator instance owns. Immutable; {@link KeyGroupRange.EMPTY} is the range with no key group.
 *
 * @example
 * ```ts
 * const range = KeyGroupRange.of(0, 63);
 * range.contains(10); // true
 * range.intersect(KeyGroupRange.of(32, 127)); // KeyGroupRange [32, 63]
 * for (const keyGroup of range) restore(keyGroup);
 * ```
 */
export class KeyGroupRange implements Iterable<number> {
  /** The range that contains no key group (start 0, end -1, as in Flink). */
  static readonly EMPTY: KeyGroupRange = new KeyGroupRange(0, -1);

  /** First key group in the range. */
  readonly startKeyGroup: number;
  /** Last key group in the range, inclusive. */
  readonly endKeyGroup: number;

  private constructor(startKeyGroup: number, endKeyGroup: number) {
    this.startKeyGroup = startKeyGroup;
    this.endKeyGroup = endKeyGroup;
  }

  /**
   * The range `[start, end]`, both inclusive; {@link KeyGroupRange.EMPTY} when `start > end`.
   * Throws a {@link KeyGroupArgumentError} for a negative or non-integer bound.
   */
  static of(start: number, end: number): KeyGroupRange {
    for (const [argument, value] of [
      ['startKeyGroup', start],
      ['endKeyGroup', end],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new KeyGroupArgumentError(argument, String(value), 'a non-negative integer');
      }
    }
    return start > end ? KeyGroupRange.EMPTY : new KeyGroupRange(start, end);
  }

  /** Number of key groups in the range; 0 for the empty range. */
  get size(): number {
    return this.endKeyGroup - this.startKeyGroup + 1;
  }

  /** True when the range holds no key group. */
  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Whether `keyGroup` lies in the range. */
  contains(keyGroup: number): boolean {
    return keyGroup >= this.startKeyGroup && keyGroup <= this.endKeyGroup;
  }

  /** The key groups both ranges hold; {@link KeyGroupRange.EMPTY} when they do not overlap. */
  intersect(other: KeyGroupRange): KeyGroupRange {
    const start = Math.max(this.startKeyGroup, other.startKeyGroup);
    const end = Math.min(this.endKeyGroup, other.endKeyGroup);
    return start > end ? KeyGroupRange.EMPTY : new KeyGroupRange(start, end);
  }

  /** The key group at position `index` (0-based) of the range. */
  keyGroupAt(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new KeyGroupArgumentError('index', String(index), `an integer from 0 to ${this.size - 1}`);
    }
    return this.startKeyGroup + index;
  }

  /** Same bounds (every empty range equals every other). */
  equals(other: KeyGroupRange): boolean {
    return (
      (this.isEmpty && other.isEmpty) ||
      (this.startKeyGroup === other.startKeyGroup && this.endKeyGroup === other.endKeyGroup)
    );
  }

  /** Every key group of the range, in ascending order. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let keyGroup = this.startKeyGroup; keyGroup <= this.endKeyGroup; keyGroup++) {
      yield keyGroup;
    }
  }

  toString(): string {
    return this.isEmpty
      ? 'KeyGroupRange [empty]'
      : `KeyGroupRange [${this.startKeyGroup}, ${this.endKeyGroup}]`;
  }

  /** JSON form `{ start, end }`, e.g. for checkpoint metadata. */
  toJSON(): { start: number; end: number } {
    return { start: this.startKeyGroup, end: this.endKeyGroup };
  }
}
