import { NAMESPACE_SEPARATOR } from '../../backend/byte-id.js';
import { checkpointedStateOf } from '../../backend/checkpointed-state-of.js';
import type { RegisteredKeyedState } from '../../backend/registered-state.js';
import type { StoredMapEntry } from '../../backend/state-store.js';
import type { CheckpointedState } from '../../checkpoint/metadata/checkpointed-state.js';
import type { VerifiedBlock } from '../../checkpoint/restore/keyed-state-source.js';
import { entriesInBlocks, type RestoredStateEntries } from '../../checkpoint/restore/restored-keyed-state.js';
import { ChangedCells } from '../../checkpoint/snapshot/changed-cells.js';
import type {
  KeyGroupEntryWriter,
  StateSnapshotView,
} from '../../checkpoint/snapshot/state-snapshot-view.js';
import type { UnloadedKeyGroups } from '../../checkpoint/snapshot/unloaded-key-groups.js';
import { type DirectEncoding, directEncodingOf } from '../../serialization/direct-encoding.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import type { TtlValue } from '../../state/ttl/ttl-value.js';
import type { ListContainer, MapContainer } from '../containers.js';
import type { HeapStateSnapshot, StateSnapshotPart } from '../heap-state-snapshot.js';

/** Cells written between two steps of {@link TableSnapshotView.writeKeyGroupInSlices}. */
const CELLS_PER_SLICE = 64;
/**
 * Key groups of at most this many cells of a state are collected in one step (`collectCells`,
 * a fraction of a millisecond); larger ones are walked cell by cell, in slices.
 */
const COLLECT_AT_ONCE = 16_384;

/**
 * A {@link StateSnapshotView} over frozen state tables (the heap backend's, and the caches of the
 * backends built on the same tables), plus restored states not registered again, which are
 * written as they were read.
 *
 * Values are serialized here, in the asynchronous part: the synchronous part only froze the
 * tables. Keys and namespaces are written from the tables' ids without building arrays.
 */
export class TableSnapshotView implements StateSnapshotView {
  readonly maxParallelism: number;
  readonly keyGroupRange: HeapStateSnapshot['keyGroupRange'];
  readonly states: readonly CheckpointedState[];
  readonly timestamp: number;
  readonly changedKeyGroups: ReadonlySet<number>;
  readonly changedCells: ChangedCells | undefined;
  readonly #snapshot: HeapStateSnapshot;
  readonly #pending: readonly RestoredStateEntries[];
  readonly #writers: readonly CellWriter[];
  /**
   * Per state, the direct encoding of its values when it is a value state without namespace or
   * TTL whose serializer has one: its cells are written many per call.
   */
  readonly #plainValues: readonly (DirectEncoding<unknown> | undefined)[];
  /** The cells of the key group being written, reused from key group to key group. */
  #ids: string[] = [];
  #values: unknown[] = [];
  /** Key groups a lazy restore had not loaded yet: written as restored. */
  readonly #unloaded: UnloadedKeyGroups | undefined;
  /**
   * Of those, the ones loaded in part: their loaded cells are written from the tables too, and the
   * entries of states not registered from the blocks loaded when the tables were frozen.
   */
  readonly #partlyLoaded: ReadonlyMap<number, readonly VerifiedBlock[]> | undefined;

  constructor(
    snapshot: HeapStateSnapshot,
    maxParallelism: number,
    keySerializer: TypeSerializer<unknown>,
    pending: readonly RestoredStateEntries[] = [],
    carriedChanges: Iterable<number> = [],
    unloaded?: UnloadedKeyGroups,
    partlyLoaded?: ReadonlyMap<number, readonly VerifiedBlock[]>,
  ) {
    this.#unloaded = unloaded;
    this.#partlyLoaded = partlyLoaded;
    this.#snapshot = snapshot;
    this.#pending = pending;
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = snapshot.keyGroupRange;
    this.timestamp = snapshot.timestamp;
    this.#writers = snapshot.parts.map((part, index) => cellWriter(index, part.state));
    this.#plainValues = snapshot.parts.map(({ state }) =>
      state.kind === 'value' && !state.namespaced && state.ttl === undefined
        ? directEncodingOf(state.serializer)
        : undefined,
    );
    this.changedKeyGroups = new Set([...snapshot.changedKeyGroups, ...carriedChanges]);
    const tables: { stateName: string; cells: ReadonlyMap<number, ReadonlySet<string>> }[] = [];
    for (const part of snapshot.parts) {
      if (part.table.changedCells !== undefined)
        tables.push({ stateName: part.state.name, cells: part.table.changedCells });
    }
    this.changedCells = tables.length === snapshot.parts.length ? ChangedCells.ofTables(tables) : undefined;
    this.states = [
      ...snapshot.parts.map((part) => checkpointedStateOf(part.state, keySerializer)),
      ...pending.map((p) => p.state),
    ];
  }

  writeKeyGroup(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean): void {
    const slices = this.writeKeyGroupInSlices(keyGroup, out, dropExpired);
    while (slices.next().done !== true);
  }

  /** Steps every {@link CELLS_PER_SLICE} cells (a few microseconds of serializing). */
  *writeKeyGroupInSlices(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean): Generator<void> {
    if (this.#unloaded?.has(keyGroup) === true) {
      this.#unloaded.write(keyGroup, out, dropExpired, this.timestamp);
      // Loaded in part: the cells of the parts loaded are in the tables (written below).
      if (this.#partlyLoaded?.has(keyGroup) !== true) return;
    }
    const parts = this.#snapshot.parts;
    let inSlice = 0;
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index] as StateSnapshotPart;
      const write = this.#writers[index] as CellWriter;
      if (
        (dropExpired && part.state.ttl?.cleanupFullSnapshot === true) ||
        part.table.sizeOf(keyGroup) > COLLECT_AT_ONCE
      ) {
        // Expired cells dropped, or a key group too large to collect in one step.
        for (const [cellId, stored] of this.#snapshot.cellsToWrite(part, keyGroup, dropExpired)) {
          write(cellId, stored, out);
          if (++inSlice === CELLS_PER_SLICE) {
            inSlice = 0;
            yield;
          }
        }
        continue;
      }
      // Collected first (see `collectCells`): no garbage per cell.
      const ids = this.#ids;
      const values = this.#values;
      const count = part.table.collectCells(keyGroup, ids, values);
      const plain = this.#plainValues[index];
      if (plain !== undefined && out.writeValueEntriesDirect !== undefined) {
        // A state of plain values: many cells per call.
        for (let from = 0; from < count; from += CELLS_PER_SLICE) {
          const to = Math.min(count, from + CELLS_PER_SLICE);
          out.writeValueEntriesDirect(index, ids, values, from, to, plain);
          inSlice += to - from;
          if (inSlice >= CELLS_PER_SLICE) {
            inSlice = 0;
            yield;
          }
        }
        continue;
      }
      for (let i = 0; i < count; i++) {
        write(ids[i] as string, values[i], out);
        if (++inSlice === CELLS_PER_SLICE) {
          inSlice = 0;
          yield;
        }
      }
    }
    const loadedInPart = this.#partlyLoaded?.get(keyGroup);
    for (let i = 0; i < this.#pending.length; i++) {
      const index = parts.length + i;
      const pending = this.#pending[i] as RestoredStateEntries;
      (loadedInPart === undefined
        ? pending
        : entriesInBlocks(pending.state, keyGroup, loadedInPart)
      ).forEachEntry(
        (_, e) => out.writeEntry(index, e.key, e.namespace, e.userKey, e.value, e.ttlTimestamp),
        keyGroup,
      );
    }
  }

  cellCount(keyGroup: number): number {
    let count = 0;
    for (const part of this.#snapshot.parts) count += part.table.sizeOf(keyGroup);
    return count;
  }

  writeKeyGroupDelta(
    keyGroup: number,
    cells: ReadonlyMap<string, ReadonlySet<string>>,
    out: KeyGroupEntryWriter,
    dropExpired: boolean,
  ): void {
    const parts = this.#snapshot.parts;
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index] as StateSnapshotPart;
      const ids = cells.get(part.state.name);
      if (ids === undefined) continue;
      const write = this.#writers[index] as CellWriter;
      for (const id of ids) {
        const stored = this.#snapshot.cellToWrite(part, keyGroup, id, dropExpired);
        if (stored !== undefined) {
          write(id, stored, out);
        } else {
          const [keyId, namespaceId] = splitCellId(part.state.namespaced, id);
          out.writeTombstoneWithIds(index, keyId, namespaceId);
        }
      }
    }
  }

  keyGroupWritten(keyGroup: number): void {
    this.#snapshot.releaseKeyGroup(keyGroup);
  }

  /** Waits for the blocks of the key groups a lazy restore had not loaded (none otherwise). */
  prepare(): Promise<void> {
    return this.#unloaded?.prepare() ?? Promise.resolve();
  }

  release(): void {
    this.#ids = [];
    this.#values = [];
    this.#snapshot.release();
  }
}

/** A cell id as [key id, namespace id]. */
function splitCellId(namespaced: boolean, cellId: string): [string, string] {
  if (!namespaced) return [cellId, ''];
  const at = cellId.indexOf(NAMESPACE_SEPARATOR);
  return [cellId.slice(0, at), cellId.slice(at + 1)];
}

/** Writes the entries of one stored cell: its id split into key and namespace, its value(s). */
type CellWriter = (cellId: string, stored: unknown, out: KeyGroupEntryWriter) => void;

/** Writes one entry whose value is still to be serialized. */
type EntryWrite = (
  out: KeyGroupEntryWriter,
  keyId: string,
  namespaceId: string,
  userKeyId: string | undefined,
  value: unknown,
  ttlTimestamp: number | undefined,
) => void;

/**
 * Writes entries of state `index` with its serializer: through its direct encoding where it has
 * one and the writer takes it (no array per value), else through its transient form where it has
 * one (the writer copies the bytes at once: no array allocated, and for bytes none copied).
 */
function entryWrite(index: number, serializer: TypeSerializer<unknown>): EntryWrite {
  const serialize = serializer.serializeTransient?.bind(serializer) ?? serializer.serialize.bind(serializer);
  const direct = directEncodingOf(serializer);
  if (direct === undefined) {
    return (out, keyId, namespaceId, userKeyId, value, ttl) =>
      out.writeEntryWithIds(index, keyId, namespaceId, userKeyId, serialize(value), ttl);
  }
  return (out, keyId, namespaceId, userKeyId, value, ttl) => {
    if (out.writeEntryWithIdsDirect === undefined) {
      out.writeEntryWithIds(index, keyId, namespaceId, userKeyId, serialize(value), ttl);
    } else {
      out.writeEntryWithIdsDirect(index, keyId, namespaceId, userKeyId, value, direct, ttl);
    }
  };
}

/**
 * A cell writer specialized once per state for its kind, TTL and namespacing, so the loop over a
 * million cells makes no decision that is the same for all of them.
 */
function cellWriter(index: number, state: RegisteredKeyedState): CellWriter {
  const write = entryWrite(index, state.serializer);
  const namespaced = state.namespaced;
  const withTtl = state.ttl !== undefined;
  const split = (cellId: string): [string, string] => splitCellId(namespaced, cellId);
  if (state.kind === 'list') {
    return (cellId, stored, out) => {
      const [keyId, namespaceId] = split(cellId);
      for (const element of (stored as ListContainer).elements) {
        if (withTtl) {
          const t = element as TtlValue<unknown>;
          write(out, keyId, namespaceId, undefined, t.userValue, t.lastAccessTimestamp);
        } else {
          write(out, keyId, namespaceId, undefined, element, undefined);
        }
      }
    };
  }
  if (state.kind === 'map') {
    return (cellId, stored, out) => {
      const [keyId, namespaceId] = split(cellId);
      for (const [userKeyId, entry] of (stored as MapContainer).entries as Map<string, StoredMapEntry>) {
        if (withTtl) {
          const t = entry[1] as TtlValue<unknown>;
          write(out, keyId, namespaceId, userKeyId, t.userValue, t.lastAccessTimestamp);
        } else {
          write(out, keyId, namespaceId, userKeyId, entry[1], undefined);
        }
      }
    };
  }
  if (withTtl) {
    return (cellId, stored, out) => {
      const [keyId, namespaceId] = split(cellId);
      const t = stored as TtlValue<unknown>;
      write(out, keyId, namespaceId, undefined, t.userValue, t.lastAccessTimestamp);
    };
  }
  if (!namespaced) {
    return (cellId, stored, out) => write(out, cellId, '', undefined, stored, undefined);
  }
  return (cellId, stored, out) => {
    const [keyId, namespaceId] = split(cellId);
    write(out, keyId, namespaceId, undefined, stored, undefined);
  };
}
