/**
 * Cells written or removed since a checkpoint: per key group, per state name, the cell ids (the
 * key and namespace as the state tables keep them). What a delta checkpoint writes, each cell whole
 * or as a tombstone.
 */
export class ChangedCells {
  readonly #byKeyGroup = new Map<number, Map<string, Set<string>>>();

  /** The changes of several tables, each under its state's name. */
  static ofTables(
    tables: Iterable<{
      readonly stateName: string;
      readonly cells: ReadonlyMap<number, ReadonlySet<string>>;
    }>,
  ): ChangedCells {
    const changed = new ChangedCells();
    for (const { stateName, cells } of tables) {
      for (const [keyGroup, ids] of cells) changed.add(keyGroup, stateName, ids);
    }
    return changed;
  }

  /** The union of `all`. */
  static union(all: readonly ChangedCells[]): ChangedCells {
    const union = new ChangedCells();
    for (const changed of all) {
      for (const [keyGroup, states] of changed.#byKeyGroup) {
        for (const [stateName, ids] of states) union.add(keyGroup, stateName, ids);
      }
    }
    return union;
  }

  add(keyGroup: number, stateName: string, ids: Iterable<string>): void {
    let states = this.#byKeyGroup.get(keyGroup);
    if (states === undefined) {
      states = new Map();
      this.#byKeyGroup.set(keyGroup, states);
    }
    let set = states.get(stateName);
    if (set === undefined) {
      set = new Set();
      states.set(stateName, set);
    }
    for (const id of ids) set.add(id);
  }

  /** The key groups with changed cells, ascending. */
  get keyGroups(): number[] {
    return [...this.#byKeyGroup.keys()].sort((a, b) => a - b);
  }

  /** The changed cell ids of `keyGroup` by state name; undefined when none changed. */
  cellsOf(keyGroup: number): ReadonlyMap<string, ReadonlySet<string>> | undefined {
    return this.#byKeyGroup.get(keyGroup);
  }

  /** Number of changed cells in `keyGroup`, across states. */
  countOf(keyGroup: number): number {
    let count = 0;
    for (const ids of this.#byKeyGroup.get(keyGroup)?.values() ?? []) count += ids.size;
    return count;
  }
}
