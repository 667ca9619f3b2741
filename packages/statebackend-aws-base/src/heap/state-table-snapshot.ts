import type { KeyGroupRange } from '../keygroup/key-group-range.js';

const NO_ENTRIES: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * A frozen view of a {@link StateTable}: the cells of each key group as they were when the
 * snapshot was taken. Writes to the table after that never show here. Containers in it (lists,
 * maps) are frozen too: the table copies them before changing them.
 *
 * Release it once written out, so that the table stops copying on write for it.
 */
export class StateTableSnapshot<V> {
  readonly keyGroupRange: KeyGroupRange;
  /** The table version the snapshot froze. */
  readonly version: number;
  /** Number of cells in the view. */
  readonly size: number;
  /** The key groups written since the previous snapshot of the table, ascending. */
  readonly changedKeyGroups: readonly number[];
  /**
   * The cells (ids) written or removed since the previous snapshot, per key group; undefined when
   * the table does not track cells (see `StateTable.trackChangedCells`) or kept its changes.
   */
  readonly changedCells: ReadonlyMap<number, ReadonlySet<string>> | undefined;
  readonly #maps: ReadonlyArray<ReadonlyMap<string, V> | undefined>;
  readonly #release: () => void;
  #released = false;

  /** @internal Taken by {@link StateTable.snapshot}. */
  constructor(
    keyGroupRange: KeyGroupRange,
    version: number,
    maps: ReadonlyArray<ReadonlyMap<string, V> | undefined>,
    size: number,
    changedKeyGroups: readonly number[],
    release: () => void,
    changedCells?: ReadonlyMap<number, ReadonlySet<string>>,
  ) {
    this.changedCells = changedCells;
    this.keyGroupRange = keyGroupRange;
    this.version = version;
    this.#maps = maps;
    this.size = size;
    this.changedKeyGroups = Object.freeze(changedKeyGroups);
    this.#release = release;
  }

  /** The cells of `keyGroup` as [cell id, stored value]. */
  entries(keyGroup: number): IterableIterator<[string, V]> {
    return (this.#maps[keyGroup - this.keyGroupRange.startKeyGroup] ?? NO_ENTRIES).entries();
  }

  /** The stored value of one cell. */
  get(keyGroup: number, id: string): V | undefined {
    return this.#maps[keyGroup - this.keyGroupRange.startKeyGroup]?.get(id);
  }

  /** Number of cells in `keyGroup`. */
  sizeOf(keyGroup: number): number {
    return this.#maps[keyGroup - this.keyGroupRange.startKeyGroup]?.size ?? 0;
  }

  get isReleased(): boolean {
    return this.#released;
  }

  /** Lets the table stop copying for this snapshot. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release();
  }
}
