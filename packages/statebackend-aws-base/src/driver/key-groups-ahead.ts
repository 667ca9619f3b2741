import type { JsonValue } from '../checkpoint/json.js';
import { KeyGroupRange } from '../keygroup/key-group-range.js';
import type { KeyGroupPosition } from './driver-metadata.js';
import type { PositionOrder } from './position-order.js';

/**
 * The key groups whose restored state is ahead of the position the source resumes from: a
 * restore merged writers that checkpointed at different positions of one source, and the
 * driver resumes from the smallest. Each such key group has the position up to which its
 * records are already applied; the driver skips them for that key group only, so each record
 * takes effect exactly once.
 */
export class KeyGroupsAhead {
  readonly #range: KeyGroupRange;
  /** Per key group of the range (by its index in the range): its slot in `#positions`, or -1. */
  readonly #slots: Int32Array;
  /** The positions key groups are at, ascending, all after the resume position. */
  readonly #positions: readonly JsonValue[];
  readonly #order: PositionOrder;

  /**
   * @param slots per key group of `range`: the index in `positions` of the position it is at, or
   *   -1 when it is at the resume position
   * @param positions ascending, every one after the resume position; not empty
   */
  constructor(
    range: KeyGroupRange,
    slots: Int32Array,
    positions: readonly JsonValue[],
    order: PositionOrder,
  ) {
    this.#range = range;
    this.#slots = slots;
    this.#positions = positions;
    this.#order = order;
  }

  /** The furthest position a key group is at: once the source passed it, nothing is ahead. */
  get furthest(): JsonValue {
    return this.#positions[this.#positions.length - 1] as JsonValue;
  }

  /** Key groups ahead of the resume position. */
  get keyGroups(): number {
    return this.#slots.reduce((count, slot) => count + (slot < 0 ? 0 : 1), 0);
  }

  /**
   * Whether the record that ends at `position` (what `positionOf` returns for it) was already
   * applied to `keyGroup` before the restore.
   */
  alreadyApplied(keyGroup: number, position: JsonValue): boolean {
    const slot = this.#slots[keyGroup - this.#range.startKeyGroup] ?? -1;
    return slot >= 0 && this.#order.compare(position, this.#positions[slot] as JsonValue) <= 0;
  }

  /** Whether the source at `position` passed every key group: none is ahead any more. */
  passedBy(position: JsonValue): boolean {
    return this.#order.compare(position, this.furthest) >= 0;
  }

  /** The key groups still ahead of the source at `position`, as ranges, for a checkpoint. */
  aheadOf(position: JsonValue | undefined): KeyGroupPosition[] {
    const stillAhead = this.#positions.map((p) => this.#order.compare(p, position) > 0);
    const result: KeyGroupPosition[] = [];
    let start = -1;
    for (let i = 0; i <= this.#slots.length; i++) {
      const slot = i < this.#slots.length ? (this.#slots[i] as number) : -1;
      const previous = i > 0 ? (this.#slots[i - 1] as number) : -1;
      if (start >= 0 && slot !== previous) {
        result.push(this.#entry(start, i - 1, previous));
        start = -1;
      }
      if (start < 0 && slot >= 0 && stillAhead[slot] === true) start = i;
    }
    return result;
  }

  #entry(first: number, last: number, slot: number): KeyGroupPosition {
    const begin = this.#range.startKeyGroup;
    return {
      keyGroupRange: KeyGroupRange.of(begin + first, begin + last),
      position: this.#positions[slot] as JsonValue,
    };
  }
}
