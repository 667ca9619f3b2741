import { NAMESPACE_SEPARATOR } from '../../backend/byte-id.js';
import type { RegisteredKeyedState } from '../../backend/registered-state.js';
import type { StoredMapEntry } from '../../backend/state-store.js';
import { ListContainer, MapContainer } from '../../heap/containers.js';
import type { HeapStateSnapshot, StateSnapshotPart } from '../../heap/heap-state-snapshot.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import type { TtlValue } from '../../state/ttl/ttl-value.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import { checkpointedStateOf } from '../metadata/checkpointed-state-of.js';
import type { RestoredStateEntries } from '../restore/restored-keyed-state.js';
import type { KeyGroupEntryWriter, StateSnapshotView } from './state-snapshot-view.js';

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
  readonly #snapshot: HeapStateSnapshot;
  readonly #pending: readonly RestoredStateEntries[];

  constructor(
    snapshot: HeapStateSnapshot,
    maxParallelism: number,
    keySerializer: TypeSerializer<unknown>,
    pending: readonly RestoredStateEntries[] = [],
    carriedChanges: Iterable<number> = [],
  ) {
    this.#snapshot = snapshot;
    this.#pending = pending;
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = snapshot.keyGroupRange;
    this.timestamp = snapshot.timestamp;
    this.changedKeyGroups = new Set([...snapshot.changedKeyGroups, ...carriedChanges]);
    this.states = [
      ...snapshot.parts.map((part) => checkpointedStateOf(part.state, keySerializer)),
      ...pending.map((p) => p.state),
    ];
  }

  writeKeyGroup(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean): void {
    const parts = this.#snapshot.parts;
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index] as StateSnapshotPart;
      const cells = dropExpired ? this.#snapshot.cellsToWrite(part, keyGroup) : part.table.entries(keyGroup);
      for (const [cellId, stored] of cells) writeCell(index, part.state, cellId, stored, out);
    }
    for (let i = 0; i < this.#pending.length; i++) {
      const index = parts.length + i;
      (this.#pending[i] as RestoredStateEntries).forEachEntry(
        (_, e) => out.writeEntry(index, e.key, e.namespace, e.userKey, e.value, e.ttlTimestamp),
        keyGroup,
      );
    }
  }

  release(): void {
    this.#snapshot.release();
  }
}

function writeCell(
  index: number,
  state: RegisteredKeyedState,
  cellId: string,
  stored: unknown,
  out: KeyGroupEntryWriter,
): void {
  const separator = cellId.indexOf(NAMESPACE_SEPARATOR);
  const keyId = separator < 0 ? cellId : cellId.slice(0, separator);
  const namespaceId = separator < 0 ? '' : cellId.slice(separator + 1);
  const serializer = state.serializer;
  const withTtl = state.ttl !== undefined;
  if (stored instanceof ListContainer) {
    for (const element of stored.elements) {
      if (withTtl) {
        const t = element as TtlValue<unknown>;
        out.writeEntryWithIds(
          index,
          keyId,
          namespaceId,
          undefined,
          serializer.serialize(t.userValue),
          t.lastAccessTimestamp,
        );
      } else {
        out.writeEntryWithIds(index, keyId, namespaceId, undefined, serializer.serialize(element), undefined);
      }
    }
    return;
  }
  if (stored instanceof MapContainer) {
    for (const [userKeyId, entry] of stored.entries as Map<string, StoredMapEntry>) {
      const value = entry[1];
      if (withTtl) {
        const t = value as TtlValue<unknown>;
        out.writeEntryWithIds(
          index,
          keyId,
          namespaceId,
          userKeyId,
          serializer.serialize(t.userValue),
          t.lastAccessTimestamp,
        );
      } else {
        out.writeEntryWithIds(index, keyId, namespaceId, userKeyId, serializer.serialize(value), undefined);
      }
    }
    return;
  }
  if (withTtl) {
    const t = stored as TtlValue<unknown>;
    out.writeEntryWithIds(
      index,
      keyId,
      namespaceId,
      undefined,
      serializer.serialize(t.userValue),
      t.lastAccessTimestamp,
    );
  } else {
    out.writeEntryWithIds(index, keyId, namespaceId, undefined, serializer.serialize(stored), undefined);
  }
}
