import { idToBytes, NAMESPACE_SEPARATOR } from '../backend/byte-id.js';
import type { RegisteredKeyedState } from '../backend/registered-state.js';
import type { KeyedStateStore, SerializedRef, StateCell, StoredMapEntry } from '../backend/state-store.js';
import type { KeyGroupRange } from '../keygroup/key-group-range.js';
import type { TtlTimeProvider } from '../state/ttl/time-provider.js';
import { ListContainer, MapContainer } from './containers.js';
import { IncrementalCleanup } from './incremental-cleanup.js';
import { StateTable } from './state-table.js';

/**
 * The heap backend's store: deserialized values in one {@link StateTable} per state, split per key
 * group, addressed by cell id. Every primitive answers synchronously. A list cell is a
 * {@link ListContainer} and a map cell a {@link MapContainer}, so that a snapshot freezes them
 * with their table.
 */
export class HeapKeyedStateStore implements KeyedStateStore {
  readonly #keyGroupRange: KeyGroupRange;
  readonly #clock: TtlTimeProvider;
  readonly #tables: StateTable<unknown>[] = [];
  readonly #cleanups: Array<IncrementalCleanup | undefined> = [];

  constructor(keyGroupRange: KeyGroupRange, clock: TtlTimeProvider) {
    this.#keyGroupRange = keyGroupRange;
    this.#clock = clock;
  }

  /** Number of stored cells (values, lists, maps) across every state. */
  numEntries(): number {
    let entries = 0;
    for (const table of this.#tables) entries += table.size;
    return entries;
  }

  /** The table of a registered state. */
  tableOf(state: RegisteredKeyedState): StateTable<unknown> {
    const table = this.#tables[state.index];
    if (table === undefined) throw new RangeError(`No table for state '${state.name}'`);
    return table;
  }

  registerState(state: RegisteredKeyedState): void {
    const table = new StateTable<unknown>(this.#keyGroupRange);
    this.#tables[state.index] = table;
    const incremental = state.ttl?.incrementalCleanup;
    if (state.ttl !== undefined && incremental !== undefined) {
      this.#cleanups[state.index] = new IncrementalCleanup(
        table,
        state,
        state.ttl,
        incremental.cleanupSize,
        this.#clock,
      );
    }
  }

  cleanupStep(state: RegisteredKeyedState): void {
    this.#cleanups[state.index]?.step();
  }

  read(state: RegisteredKeyedState, cell: StateCell): unknown {
    return this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId);
  }

  write(state: RegisteredKeyedState, cell: StateCell, stored: unknown): void {
    this.tableOf(state).put(cell.keyContext.keyGroup, cell.cellId, stored);
  }

  remove(state: RegisteredKeyedState, cell: StateCell): void {
    this.tableOf(state).remove(cell.keyContext.keyGroup, cell.cellId);
  }

  readList(state: RegisteredKeyedState, cell: StateCell): readonly unknown[] | undefined {
    return (this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId) as ListContainer | undefined)
      ?.elements;
  }

  appendList(state: RegisteredKeyedState, cell: StateCell, elements: readonly unknown[]): void {
    const table = this.tableOf(state);
    const list = table.getForUpdate(cell.keyContext.keyGroup, cell.cellId, ListContainer.copy);
    if (list === undefined) {
      // The caller hands the array over (see KeyedStateStore.appendList).
      table.put(
        cell.keyContext.keyGroup,
        cell.cellId,
        new ListContainer(table.version, elements as unknown[]),
      );
      return;
    }
    for (const element of elements) list.elements.push(element);
  }

  writeList(state: RegisteredKeyedState, cell: StateCell, elements: readonly unknown[]): void {
    const table = this.tableOf(state);
    table.put(cell.keyContext.keyGroup, cell.cellId, new ListContainer(table.version, elements as unknown[]));
  }

  readEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): unknown {
    const map = this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId) as MapContainer | undefined;
    return map?.entries.get(userKey.id)?.[1];
  }

  writeEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef, stored: unknown): void {
    const table = this.tableOf(state);
    let map = table.getForUpdate(cell.keyContext.keyGroup, cell.cellId, MapContainer.copy);
    if (map === undefined) {
      map = new MapContainer(table.version);
      table.put(cell.keyContext.keyGroup, cell.cellId, map);
    }
    map.entries.set(userKey.id, [userKey.value, stored]);
  }

  removeEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): void {
    const table = this.tableOf(state);
    const keyGroup = cell.keyContext.keyGroup;
    const current = table.get(keyGroup, cell.cellId) as MapContainer | undefined;
    if (current === undefined || !current.entries.has(userKey.id)) return;
    if (current.entries.size === 1) {
      table.remove(keyGroup, cell.cellId);
      return;
    }
    table.getForUpdate(keyGroup, cell.cellId, MapContainer.copy)?.entries.delete(userKey.id);
  }

  readEntries(state: RegisteredKeyedState, cell: StateCell): readonly StoredMapEntry[] {
    const map = this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId) as MapContainer | undefined;
    return map === undefined ? [] : [...map.entries.values()];
  }

  *iterateKeys(state: RegisteredKeyedState, namespace: SerializedRef): Generator<Uint8Array> {
    const table = this.tableOf(state);
    const suffix = NAMESPACE_SEPARATOR + namespace.id;
    for (const keyGroup of this.#keyGroupRange) {
      // A copy of the ids: the caller may write between two keys.
      const ids = [...table.entries(keyGroup)].map(([id]) => id);
      for (const id of ids) {
        if (!state.namespaced) yield idToBytes(id);
        else if (id.endsWith(suffix) && id.indexOf(NAMESPACE_SEPARATOR) === id.length - suffix.length) {
          yield idToBytes(id.slice(0, id.length - suffix.length));
        }
      }
    }
  }

  async dispose(): Promise<void> {
    for (const table of this.#tables) table.clear();
  }
}
