import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { DirectEncoding } from '../../serialization/direct-encoding.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import type { ChangedCells } from './changed-cells.js';

/** Receives the serialized entries of one key group. */
export interface KeyGroupEntryWriter {
  /**
   * One entry: a value, one list element (elements of one list follow each other, in order) or
   * one map entry (with `userKey`). `stateIndex` indexes {@link StateSnapshotView.states};
   * `ttlTimestamp` is the last-access time of states with TTL. The arrays are copied.
   */
  writeEntry(
    stateIndex: number,
    key: Uint8Array,
    namespace: Uint8Array,
    userKey: Uint8Array | undefined,
    value: Uint8Array,
    ttlTimestamp: number | undefined,
  ): void;
  /**
   * {@link writeEntry} with the key, namespace and user key as ids: strings with one character
   * (0-255) per byte, the form in-memory tables keep them in.
   */
  writeEntryWithIds(
    stateIndex: number,
    keyId: string,
    namespaceId: string,
    userKeyId: string | undefined,
    value: Uint8Array,
    ttlTimestamp: number | undefined,
  ): void;
  /**
   * Optional: {@link writeEntryWithIds} with the value written by its serializer's direct
   * encoding, without an array per value; the bytes are the same.
   */
  writeEntryWithIdsDirect?<T>(
    stateIndex: number,
    keyId: string,
    namespaceId: string,
    userKeyId: string | undefined,
    value: T,
    encoding: DirectEncoding<T>,
    ttlTimestamp: number | undefined,
  ): void;
  /**
   * Optional: entries of the cells `from` to `to` of a state without namespace or TTL, one per
   * cell (`keyIds[i]`, `values[i]`), values written by their serializer's direct encoding.
   */
  writeValueEntriesDirect?<T>(
    stateIndex: number,
    keyIds: readonly string[],
    values: readonly T[],
    from: number,
    to: number,
    encoding: DirectEncoding<T>,
  ): void;
  /**
   * A tombstone (delta files only): the cell of state `stateIndex` under this key and namespace,
   * as ids, was removed since the earlier files.
   */
  writeTombstoneWithIds(stateIndex: number, keyId: string, namespaceId: string): void;
}

/**
 * A frozen, copy-on-write view of a keyed backend's state, taken in the synchronous part of a
 * snapshot: writes the backend accepts afterwards are not in it. Checkpoints and savepoints are
 * written from it while the backend keeps processing.
 */
export interface StateSnapshotView {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** The registered states; entries refer to them by index. */
  readonly states: readonly CheckpointedState[];
  /** When the view was taken, milliseconds since the epoch (the TTL clock). */
  readonly timestamp: number;
  /**
   * Key groups written to since the previous view of this backend (for incremental snapshots),
   * or undefined when not tracked, which makes every snapshot a full one. Never changed afterwards.
   */
  readonly changedKeyGroups: ReadonlySet<number> | undefined;
  /**
   * Serializes the entries of `keyGroup` as they were when the view was taken. With
   * `dropExpired`, entries of states whose TTL asks for cleanup in full snapshots and that have
   * expired at {@link timestamp} are left out.
   */
  writeKeyGroup(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean): void;
  /**
   * {@link writeKeyGroup} in slices: the iterator writes a few cells per step, so that the
   * encoder can give the event loop a turn between steps (a key group may hold thousands of
   * cells, which would otherwise be serialized in one synchronous stretch).
   */
  writeKeyGroupInSlices?(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean): Iterator<void>;
  /**
   * The cells written or removed since the previous view of this backend, for delta checkpoints;
   * undefined when not tracked (incremental checkpoints then rewrite whole key groups).
   */
  readonly changedCells?: ChangedCells | undefined;
  /** Number of cells of `keyGroup` in the view (to judge whether a delta is worth it). */
  cellCount?(keyGroup: number): number;
  /**
   * Serializes the given cells of `keyGroup` (ids by state name) as they were when the view was
   * taken: each cell whole (every list element or map entry), or a tombstone when it is absent
   * (or, with `dropExpired`, expired) in the view.
   */
  writeKeyGroupDelta?(
    keyGroup: number,
    cells: ReadonlyMap<string, ReadonlySet<string>>,
    out: KeyGroupEntryWriter,
    dropExpired: boolean,
  ): void;
  /**
   * Optional: `keyGroup` was written out and will not be read from the view again, so
   * copy-on-write may stop for it now rather than when the whole view is released: writes to it
   * during the rest of a checkpoint cost what they cost without one.
   */
  keyGroupWritten?(keyGroup: number): void;
  /**
   * Resolves once every key group of the view can be written (a lazy restore read the ones it had
   * not loaded when the view was taken); rejects with the restore's typed error otherwise. Called
   * before anything is written. Absent when there is nothing to wait for.
   */
  prepare?(): Promise<void>;
  /** Ends the view; copy-on-write stops for it. Called once, also when the snapshot fails. */
  release(): void;
}
