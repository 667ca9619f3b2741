import { bytesToId } from '../../backend/byte-id.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import type { KeyedStateSource, RestoredUserMetadata } from './keyed-state-source.js';

/** One restored entry, still serialized; key, namespace and user key as table ids. */
export interface RestoredEntry {
  readonly keyId: string;
  readonly namespaceId: string;
  readonly userKeyId: string | undefined;
  readonly value: Uint8Array;
  readonly ttlTimestamp: number | undefined;
}

/** The restored entries of one state, by key group. */
export interface RestoredStateEntries {
  readonly state: CheckpointedState;
  readonly keyGroups: ReadonlyMap<number, readonly RestoredEntry[]>;
}

/**
 * State read from a checkpoint or savepoint and not yet claimed by a registration. Values stay
 * serialized until the state is registered, because only then is the serializer known that must
 * read them (checked for compatibility with the one that wrote them). A state never registered
 * again is carried into later snapshots as it was read, as Flink does.
 */
export class RestoredKeyedState {
  /** What was restored, e.g. `checkpoint 7 under file:///ckpt/job/op`. */
  readonly description: string;
  readonly checkpointId: number | undefined;
  /** The caller's metadata of each part restored from (e.g. source positions). */
  readonly userMetadata: readonly RestoredUserMetadata[];
  /** Number of entries read. */
  readonly entryCount: number;
  readonly #pending: Map<string, RestoredStateEntries>;

  private constructor(
    source: KeyedStateSource,
    pending: Map<string, RestoredStateEntries>,
    entryCount: number,
  ) {
    this.description = source.description;
    this.checkpointId = source.checkpointId;
    this.userMetadata = source.userMetadata;
    this.#pending = pending;
    this.entryCount = entryCount;
  }

  /**
   * Reads every entry of `range` from `source` (only the files and blocks holding it). Rejects
   * with a typed error, and yields nothing, when any of it is corrupt.
   */
  static async read(source: KeyedStateSource, range: KeyGroupRange): Promise<RestoredKeyedState> {
    const entries = new Map<CheckpointedState, Map<number, RestoredEntry[]>>();
    for (const state of source.states) entries.set(state, new Map());
    let count = 0;
    let lastState: CheckpointedState | undefined;
    let lastKeyGroup = -1;
    let current: RestoredEntry[] = [];
    await source.forEachEntry(range, (keyGroup, state, entry) => {
      if (state !== lastState || keyGroup !== lastKeyGroup) {
        const byKeyGroup = entries.get(state) as Map<number, RestoredEntry[]>;
        current = byKeyGroup.get(keyGroup) ?? [];
        byKeyGroup.set(keyGroup, current);
        lastState = state;
        lastKeyGroup = keyGroup;
      }
      current.push({
        keyId: bytesToId(entry.key),
        namespaceId: bytesToId(entry.namespace),
        userKeyId: entry.userKey === undefined ? undefined : bytesToId(entry.userKey),
        value: entry.value.slice(),
        ttlTimestamp: entry.ttlTimestamp,
      });
      count++;
    });
    const pending = new Map<string, RestoredStateEntries>();
    for (const [state, keyGroups] of entries) pending.set(state.name, { state, keyGroups });
    return new RestoredKeyedState(source, pending, count);
  }

  /** States restored and not registered yet. */
  get pendingStates(): readonly RestoredStateEntries[] {
    return [...this.#pending.values()];
  }

  /** Returns entries taken by a registration that failed. */
  putBack(entries: RestoredStateEntries): void {
    this.#pending.set(entries.state.name, entries);
  }

  /** Hands the entries of state `name` to its registration; they are no longer pending. */
  take(name: string): RestoredStateEntries | undefined {
    const found = this.#pending.get(name);
    this.#pending.delete(name);
    return found;
  }
}
