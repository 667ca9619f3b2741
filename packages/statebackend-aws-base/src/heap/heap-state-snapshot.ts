import type { RegisteredKeyedState } from '../backend/registered-state.js';
import type { KeyGroupRange } from '../keygroup/key-group-range.js';
import { ListContainer, MapContainer } from './containers.js';
import type { StateTableSnapshot } from './state-table-snapshot.js';
import { withoutExpired } from './ttl-purge.js';

/** The frozen table of one state. */
export interface StateSnapshotPart {
  readonly state: RegisteredKeyedState;
  readonly table: StateTableSnapshot<unknown>;
}

/**
 * Every state table of a heap backend, frozen at one instant (copy-on-write): what a checkpoint
 * serializes while processing goes on. Writes after it was taken never show in it.
 *
 * Writers read cells through {@link cellsToWrite}, which applies TTL cleanup for states that
 * asked for it in full snapshots (Flink's `cleanupFullSnapshot`).
 */
export class HeapStateSnapshot {
  readonly keyGroupRange: KeyGroupRange;
  readonly parts: readonly StateSnapshotPart[];
  /** When the snapshot was taken, by the backend's TTL clock; expiry is judged at this instant. */
  readonly timestamp: number;

  constructor(keyGroupRange: KeyGroupRange, parts: readonly StateSnapshotPart[], timestamp: number) {
    this.keyGroupRange = keyGroupRange;
    this.parts = Object.freeze([...parts]);
    this.timestamp = timestamp;
  }

  /** The key groups any state wrote to since the previous snapshot, ascending: what an incremental checkpoint uploads. */
  get changedKeyGroups(): number[] {
    const changed = new Set<number>();
    for (const part of this.parts) for (const keyGroup of part.table.changedKeyGroups) changed.add(keyGroup);
    return [...changed].sort((a, b) => a - b);
  }

  /** Number of cells across states. */
  get size(): number {
    let size = 0;
    for (const part of this.parts) size += part.table.size;
    return size;
  }

  /**
   * The cells of `part` in `keyGroup` as they go to storage, [cell id, stored value]: with the
   * state's `cleanupFullSnapshot`, expired values are left out and lists and maps lose their
   * expired elements and entries (the live state is not changed).
   */
  *cellsToWrite(part: StateSnapshotPart, keyGroup: number, dropExpired = true): Generator<[string, unknown]> {
    const ttl = part.state.ttl;
    if (!dropExpired || ttl === undefined || !ttl.cleanupFullSnapshot) {
      yield* part.table.entries(keyGroup);
      return;
    }
    for (const [id, stored] of part.table.entries(keyGroup)) {
      const kept = withoutExpired(part.state.kind, stored, ttl, this.timestamp, part.table.version);
      if (kept !== undefined) yield [id, kept];
    }
  }

  /**
   * One cell of `part` as it goes to storage (see {@link cellsToWrite}); undefined when it is
   * absent, an empty list or map, or (with `dropExpired`) expired under `cleanupFullSnapshot`.
   */
  cellToWrite(part: StateSnapshotPart, keyGroup: number, id: string, dropExpired = true): unknown {
    const stored = part.table.get(keyGroup, id);
    const ttl = part.state.ttl;
    const kept =
      stored === undefined || !dropExpired || ttl === undefined || !ttl.cleanupFullSnapshot
        ? stored
        : withoutExpired(part.state.kind, stored, ttl, this.timestamp, part.table.version);
    if (kept instanceof ListContainer && kept.elements.length === 0) return undefined;
    if (kept instanceof MapContainer && kept.entries.size === 0) return undefined;
    return kept;
  }

  /** `keyGroup` is read no more: writes to it stop copying for this snapshot (see `StateTableSnapshot.releaseKeyGroup`). */
  releaseKeyGroup(keyGroup: number): void {
    for (const part of this.parts) part.table.releaseKeyGroup(keyGroup);
  }

  /** Releases every table's view; writes stop copying for this snapshot. */
  release(): void {
    for (const part of this.parts) part.table.release();
  }
}
