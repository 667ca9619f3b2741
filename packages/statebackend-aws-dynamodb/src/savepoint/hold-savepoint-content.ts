import type { KeyGroupRange } from '@statebackend/aws-base';
import type { CheckpointedState, RemoteSavepointContent } from '@statebackend/aws-base/spi';
import { UndescribedStateError } from '../errors.js';
import type { VisibleEntry } from '../store/key-group-reader.js';
import { shapeOf, writeStoredEntry } from './stored-entries.js';

/** Where a savepoint's entries come from, a key group at a time, and what releases it. */
export interface EntryReader {
  /** Resolves when reading may start. */
  readonly ready: Promise<void>;
  readKeyGroup(keyGroup: number): Promise<VisibleEntry[]>;
  release(): void;
}

/** What a savepoint of the entries `reader` reads records besides them. */
export interface SavepointHeader {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly states: readonly CheckpointedState[];
  readonly timestamp: number;
  /** Where the entries are, for messages, e.g. `dynamodb://state/job/op`. */
  readonly location: string;
}

/**
 * The entries a reader sees (a held store, or a committed checkpoint), as aws-base's
 * `encodeRemoteSavepoint` takes them: translated from the stored form key group by key group.
 *
 * @throws UndescribedStateError (from `writeKeyGroup`) for entries of a state no description names.
 */
export function savepointContentOf(reader: EntryReader, header: SavepointHeader): RemoteSavepointContent {
  const shapes = new Map(header.states.map((state, index) => [state.name, shapeOf(state, index)]));
  return {
    maxParallelism: header.maxParallelism,
    keyGroupRange: header.keyGroupRange,
    states: header.states,
    timestamp: header.timestamp,
    async writeKeyGroup(keyGroup, out, dropExpired) {
      await reader.ready;
      for (const entry of await reader.readKeyGroup(keyGroup)) {
        const shape = shapes.get(entry.state);
        if (shape === undefined) throw new UndescribedStateError(entry.state, header.location);
        writeStoredEntry(shape, entry, out, dropExpired, header.timestamp);
      }
    },
    release: () => reader.release(),
  };
}
