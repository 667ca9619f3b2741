import { StateBackendError } from '../errors.js';
import type { KeyGroupRange } from '../keygroup/key-group-range.js';
import { layeredEntries, type Overlay, TOMBSTONE } from './overlay.js';

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
  /** Overlays over the base maps (frozen too: the table copies one before writing to it); undefined when none. */
  readonly #overlays: ReadonlyArray<Overlay<V> | undefined> | undefined;
  readonly #counts: Float64Array;
  readonly #release: () => void;
  readonly #releaseKeyGroup: (keyGroup: number) => void;
  /** Key groups let go of before the whole snapshot (see {@link releaseKeyGroup}). */
  readonly #releasedKeyGroups: Uint8Array;
  #released = false;

  /** @internal Taken by {@link StateTable.snapshot}. */
  constructor(
    keyGroupRange: KeyGroupRange,
    version: number,
    maps: ReadonlyArray<ReadonlyMap<string, V> | undefined>,
    overlays: ReadonlyArray<Overlay<V> | undefined> | undefined,
    counts: Float64Array,
    size: number,
    changedKeyGroups: readonly number[],
    release: () => void,
    releaseKeyGroup: (keyGroup: number) => void,
    changedCells?: ReadonlyMap<number, ReadonlySet<string>>,
  ) {
    this.changedCells = changedCells;
    this.keyGroupRange = keyGroupRange;
    this.version = version;
    this.#maps = maps;
    this.#overlays = overlays;
    this.#counts = counts;
    this.size = size;
    this.changedKeyGroups = Object.freeze(changedKeyGroups);
    this.#release = release;
    this.#releaseKeyGroup = releaseKeyGroup;
    this.#releasedKeyGroups = new Uint8Array(keyGroupRange.size);
  }

  /** The cells of `keyGroup` as [cell id, stored value]. */
  entries(keyGroup: number): IterableIterator<[string, V]> {
    const index = this.#readable(keyGroup);
    return layeredEntries(this.#maps[index], this.#overlays?.[index]);
  }

  /**
   * Puts the cells of `keyGroup` into `ids` and `values` (from index 0, in the same order; what
   * lies beyond is left as it was) and returns how many there are. Walking a map with `forEach`
   * makes no [id, value] array or iterator result per cell, as `entries` does: those showed as
   * garbage collections while a snapshot of a million cells was encoded. The caller reuses the
   * two arrays from key group to key group.
   */
  collectCells(keyGroup: number, ids: string[], values: V[]): number {
    const index = this.#readable(keyGroup);
    const base = this.#maps[index];
    const overlay = this.#overlays?.[index];
    let count = 0;
    if (overlay === undefined) {
      base?.forEach((value, id) => {
        ids[count] = id;
        values[count++] = value;
      });
      return count;
    }
    // Written to while an older snapshot held it (snapshots overlapping): rare.
    for (const [id, value] of layeredEntries(base, overlay)) {
      ids[count] = id;
      values[count++] = value;
    }
    return count;
  }

  /** The stored value of one cell. */
  get(keyGroup: number, id: string): V | undefined {
    const index = this.#readable(keyGroup);
    const written = this.#overlays?.[index]?.get(id);
    if (written !== undefined) return written === TOMBSTONE ? undefined : written;
    return this.#maps[index]?.get(id);
  }

  /** Number of cells in `keyGroup`. */
  sizeOf(keyGroup: number): number {
    return this.#counts[keyGroup - this.keyGroupRange.startKeyGroup] ?? 0;
  }

  get isReleased(): boolean {
    return this.#released;
  }

  /**
   * Lets the table stop copying `keyGroup` for this snapshot, which reads it no more (a
   * checkpoint wrote it out): writes to it during the rest of the checkpoint go to its map again,
   * not to an overlay. Reading it from this snapshot afterwards is a bug, and throws.
   */
  releaseKeyGroup(keyGroup: number): void {
    const index = keyGroup - this.keyGroupRange.startKeyGroup;
    if (this.#released || this.#releasedKeyGroups[index] !== 0) return;
    this.#releasedKeyGroups[index] = 1;
    this.#releaseKeyGroup(keyGroup);
  }

  /** The index of `keyGroup`, unless this snapshot let go of it. */
  #readable(keyGroup: number): number {
    const index = keyGroup - this.keyGroupRange.startKeyGroup;
    if (this.#releasedKeyGroups[index] === 1) {
      throw new StateBackendError(
        `Key group ${keyGroup} was read from a snapshot after it let go of it; this is a bug.`,
      );
    }
    return index;
  }

  /** Lets the table stop copying for this snapshot. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release();
  }
}
