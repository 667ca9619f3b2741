import { AwsKeyedStateBackendBase } from '../backend/aws-keyed-state-backend-base.js';
import type { StateLimits } from '../backend/keyed-state-backend.js';
import type { KeyedStateBackendParameters } from '../backend/keyed-state-backend-parameters.js';
import type { RegisteredKeyedState } from '../backend/registered-state.js';
import { systemTimeProvider } from '../state/ttl/time-provider.js';
import { HeapKeyedStateStore } from './heap-keyed-state-store.js';
import { HeapStateSnapshot } from './heap-state-snapshot.js';
import type { StateTable } from './state-table.js';

const NO_LIMITS: StateLimits = Object.freeze({});

/**
 * The in-memory keyed backend, the embedded default (Flink's `HashMapStateBackend`): values stay
 * deserialized in one {@link StateTable} per state, split per key group (its store, a
 * {@link HeapKeyedStateStore}), and are serialized only when a snapshot is written out.
 * {@link snapshotTables} freezes every table copy-on-write.
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
  readonly #store: HeapKeyedStateStore;

  constructor(parameters: KeyedStateBackendParameters<K>) {
    const store = new HeapKeyedStateStore(parameters.keyGroupRange, parameters.clock ?? systemTimeProvider);
    super(parameters, store);
    this.#store = store;
    this.metricGroup?.gauge('entries', () => this.numEntries());
  }

  /** Number of stored cells (values, lists, maps) across every state. */
  numEntries(): number {
    return this.#store.numEntries();
  }

  /** The table of a registered state; for the snapshot, cache and restore code. */
  tableOf(state: RegisteredKeyedState): StateTable<unknown> {
    return this.#store.tableOf(state);
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
}
