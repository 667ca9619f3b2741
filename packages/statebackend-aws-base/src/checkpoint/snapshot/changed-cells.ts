/**
 * Cells written or removed since a checkpoint: per key group, per state name, the cell ids (the
 * key and namespace as the state tables keep them). What a delta checkpoint writes, each cell whole
 * or as a tombstone.
 */
export class ChangedCells {
  readonly #byKeyGroup = new Map<number, Map<string, ReadonlySet<string>>>();
  /** For a union: the changes it is made of, merged into `#byKeyGroup` per key group when read. */
  #layers: readonly ChangedCells[] = [];

  /**
   * The changes of several tables, each under its state's name. The sets are referenced, not
   * copied (this runs in the synchronous part of a snapshot): they must not change afterwards,
   * as the sets a table hands to a snapshot never do.
   */
  static ofTables(
    tables: Iterable<{
      readonly stateName: string;
      readonly cells: ReadonlyMap<number, ReadonlySet<string>>;
    }>,
  ): ChangedCells {
    const changed = new ChangedCells();
    for (const { stateName, cells } of tables) {
      for (const [keyGroup, ids] of cells) {
        let states = changed.#byKeyGroup.get(keyGroup);
        if (states === undefined) {
          states = new Map();
          changed.#byKeyGroup.set(keyGroup, states);
        }
        states.set(stateName, ids);
      }
    }
    return changed;
  }

  /**
   * The union of `all`, merged per key group only when read ({@link cellsOf}, in the
   * asynchronous part of a snapshot): planning reads {@link countOf}, an upper bound then.
   */
  static union(all: readonly ChangedCells[]): ChangedCells {
    if (all.length === 1) return all[0] as ChangedCells;
    const union = new ChangedCells();
    union.#layers = all;
    return union;
  }

  /** Adds `ids` to the changed cells of `stateName` in `keyGroup` (into a set of its own). */
  add(keyGroup: number, stateName: string, ids: Iterable<string>): void {
    let states = this.#byKeyGroup.get(keyGroup);
    if (states === undefined) {
      states = new Map();
      this.#byKeyGroup.set(keyGroup, states);
    }
    states.set(stateName, new Set([...(states.get(stateName) ?? []), ...ids]));
  }

  /** The key groups with changed cells, ascending. */
  get keyGroups(): number[] {
    const keyGroups = new Set(this.#byKeyGroup.keys());
    for (const layer of this.#layers) for (const keyGroup of layer.keyGroups) keyGroups.add(keyGroup);
    return [...keyGroups].sort((a, b) => a - b);
  }

  /** The changed cell ids of `keyGroup` by state name; undefined when none changed. */
  cellsOf(keyGroup: number): ReadonlyMap<string, ReadonlySet<string>> | undefined {
    if (this.#layers.length > 0 && !this.#byKeyGroup.has(keyGroup)) {
      for (const layer of this.#layers) {
        for (const [stateName, ids] of layer.cellsOf(keyGroup) ?? []) this.add(keyGroup, stateName, ids);
      }
    }
    return this.#byKeyGroup.get(keyGroup);
  }

  /** Number of changed cells in `keyGroup` across states (for a union, at most this many). */
  countOf(keyGroup: number): number {
    let count = 0;
    if (this.#layers.length > 0) {
      for (const layer of this.#layers) count += layer.countOf(keyGroup);
      return count;
    }
    for (const ids of this.#byKeyGroup.get(keyGroup)?.values() ?? []) count += ids.size;
    return count;
  }
}
