import { AwsKeyedStateBackendBase } from '../backend/aws-keyed-state-backend-base.js';
import { idToBytes, NAMESPACE_SEPARATOR } from '../backend/byte-id.js';
import type { StateLimits } from '../backend/keyed-state-backend.js';
import type { KeyedStateBackendParameters } from '../backend/keyed-state-backend-parameters.js';
import type { RegisteredKeyedState } from '../backend/registered-state.js';
import type { SerializedRef, StateCell, StoredMapEntry } from '../backend/state-store.js';
import { ListContainer, MapContainer } from './containers.js';
import { HeapStateSnapshot } from './heap-state-snapshot.js';
import { IncrementalCleanup } from './incremental-cleanup.js';
import { StateTable } from './state-table.js';

const NO_LIMITS: StateLimits = Object.freeze({});

/**
 * The in-memory keyed backend, the embedded default (Flink's `HashMapStateBackend`): values stay
 * deserialized in one {@link StateTable} per state, split per key group, and are serialized only
 * when a snapshot is written out. {@link snapshotTables} freezes every table copy-on-write.
 *
 * Values are private to the state: a write stores a copy made by the state's serializer (and
 * fails with a `StateSerializationError` if the serializer cannot encode it), and every read
 * returns a copy. Immutable values (strings, numbers, bigints, booleans) are never copied.
 *
 * With a metric group it registers, under `state`: `reads` and `writes` (counters) and
 * `entries` (a gauge: the number of stored cells across states).
 */
export class HeapKeyedStateBackend<K> extends AwsKeyedStateBackendBase<K> {
  readonly limits: StateLimits = NO_LIMITS;
  readonly #tables: StateTable<unknown>[] = [];
  readonly #cleanups: Array<IncrementalCleanup | undefined> = [];

  constructor(parameters: KeyedStateBackendParameters<K>) {
    super(parameters);
    this.metricGroup?.gauge('entries', () => this.numEntries());
  }

  /** Number of stored cells (values, lists, maps) across every state. */
  numEntries(): number {
    let entries = 0;
    for (const table of this.#tables) entries += table.size;
    return entries;
  }

  /** The table of a registered state; for the snapshot, cache and restore code. */
  tableOf(state: RegisteredKeyedState): StateTable<unknown> {
    const table = this.#tables[state.index];
    if (table === undefined) throw new RangeError(`No table for state '${state.name}'`);
    return table;
  }

  /**
   * Freezes every table at once (copy-on-write): the synchronous part of a snapshot, one step per
   * state and key group. Writes after it never show in it. Release it when written out. With
   * `keepChanges` (a savepoint), the changes recorded for the next checkpoint stay recorded.
   */
  snapshotTables(options: { readonly keepChanges?: boolean } = {}): HeapStateSnapshot {
    const states = this.registeredStates();
    return new HeapStateSnapshot(
      this.keyGroupRange,
      states.map((state) => ({ state, table: this.tableOf(state).snapshot(options) })),
      this.clock.currentTimestamp(),
    );
  }

  protected override onStateRegistered(state: RegisteredKeyedState): void {
    const table = new StateTable<unknown>(this.keyGroupRange);
    this.#tables[state.index] = table;
    const incremental = state.ttl?.incrementalCleanup;
    if (state.ttl !== undefined && incremental !== undefined) {
      this.#cleanups[state.index] = new IncrementalCleanup(
        table,
        state,
        state.ttl,
        incremental.cleanupSize,
        this.clock,
      );
    }
  }

  protected override onStateAccess(state: RegisteredKeyedState): void {
    this.#cleanups[state.index]?.step();
  }

  protected read(state: RegisteredKeyedState, cell: StateCell): unknown {
    return this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId);
  }

  protected write(state: RegisteredKeyedState, cell: StateCell, stored: unknown): void {
    this.tableOf(state).put(cell.keyContext.keyGroup, cell.cellId, stored);
  }

  protected remove(state: RegisteredKeyedState, cell: StateCell): void {
    this.tableOf(state).remove(cell.keyContext.keyGroup, cell.cellId);
  }

  protected readList(state: RegisteredKeyedState, cell: StateCell): readonly unknown[] | undefined {
    return (this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId) as ListContainer | undefined)
      ?.elements;
  }

  protected appendList(state: RegisteredKeyedState, cell: StateCell, elements: readonly unknown[]): void {
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

  protected writeList(state: RegisteredKeyedState, cell: StateCell, elements: readonly unknown[]): void {
    const table = this.tableOf(state);
    table.put(cell.keyContext.keyGroup, cell.cellId, new ListContainer(table.version, elements as unknown[]));
  }

  protected readEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): unknown {
    const map = this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId) as MapContainer | undefined;
    return map?.entries.get(userKey.id)?.[1];
  }

  protected writeEntry(
    state: RegisteredKeyedState,
    cell: StateCell,
    userKey: SerializedRef,
    stored: unknown,
  ): void {
    const table = this.tableOf(state);
    let map = table.getForUpdate(cell.keyContext.keyGroup, cell.cellId, MapContainer.copy);
    if (map === undefined) {
      map = new MapContainer(table.version);
      table.put(cell.keyContext.keyGroup, cell.cellId, map);
    }
    map.entries.set(userKey.id, [userKey.value, stored]);
  }

  protected removeEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): void {
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

  protected readEntries(state: RegisteredKeyedState, cell: StateCell): readonly StoredMapEntry[] {
    const map = this.tableOf(state).get(cell.keyContext.keyGroup, cell.cellId) as MapContainer | undefined;
    return map === undefined ? [] : [...map.entries.values()];
  }

  protected *iterateKeys(state: RegisteredKeyedState, namespace: SerializedRef): Generator<Uint8Array> {
    const table = this.tableOf(state);
    const suffix = NAMESPACE_SEPARATOR + namespace.id;
    for (const keyGroup of this.keyGroupRange) {
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

  protected async disposeStore(): Promise<void> {
    for (const table of this.#tables) table.clear();
  }
}
