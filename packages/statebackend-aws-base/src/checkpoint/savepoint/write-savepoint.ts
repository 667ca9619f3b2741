import { StateBackendError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { KeyGroupFileWriter } from '../format/key-group-file-writer.js';
import type { JsonValue } from '../json.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import { encodeKeyGroupFile } from '../snapshot/key-group-file-encoder.js';
import type { KeyGroupEntryWriter, StateSnapshotView } from '../snapshot/state-snapshot-view.js';
import { savepointPropertiesToJson } from './savepoint-properties.js';

/** Options of {@link encodeSavepoint}. */
export interface SavepointOptions {
  /** The caller's metadata to store, e.g. a source position. */
  readonly userMetadata?: JsonValue;
  /** Free-form provenance recorded with it. */
  readonly origin?: { readonly [key: string]: JsonValue };
  /** Leave out entries whose TTL expired and asks for cleanup in full snapshots. Default true. */
  readonly dropExpired?: boolean;
}

/** A savepoint being written: its bytes as chunks, and its size and checksum afterwards. */
export interface EncodedSavepoint {
  readonly content: AsyncIterable<Uint8Array>;
  /** Size, CRC-32 and entry count; available once `content` was consumed. */
  result(): { readonly size: number; readonly crc32: number; readonly entries: number };
}

/**
 * Encodes the state of a frozen view as one canonical savepoint: every state with its
 * serializer snapshots and TTL, and every entry of the view's key-group range, by key group. The
 * format does not depend on the backend it came from; see the README's "Canonical savepoint
 * format".
 *
 * @example
 * ```ts
 * await writeFile('state.sbsp', Readable.from(encodeSavepoint(view).content));
 * ```
 */
export function encodeSavepoint(view: StateSnapshotView, options: SavepointOptions = {}): EncodedSavepoint {
  const properties = savepointPropertiesToJson({
    createdAt: view.timestamp,
    maxParallelism: view.maxParallelism,
    keyGroupRange: view.keyGroupRange,
    states: view.states,
    ...(options.userMetadata === undefined ? {} : { userMetadata: options.userMetadata }),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  });
  const encoded = encodeKeyGroupFile(view, view.keyGroupRange[Symbol.iterator](), {
    kind: 'savepoint',
    dropExpired: options.dropExpired ?? true,
    properties,
  });
  return {
    content: encoded.content,
    result: () => {
      const { size, crc32, entries } = encoded.result();
      return { size, crc32, entries };
    },
  };
}

/**
 * State whose entries are read asynchronously, a key group at a time: a backend whose state is
 * remote (DynamoDB) exports it this way. Like a {@link StateSnapshotView}, it is frozen when
 * taken: writes after that are not in it.
 */
export interface RemoteSavepointContent {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly states: readonly CheckpointedState[];
  /** When it was taken, milliseconds since the epoch (the TTL clock). */
  readonly timestamp: number;
  /**
   * Reads the entries of `keyGroup` and writes them to `out` (a list's elements in order, one
   * after the other), leaving out, with `dropExpired`, entries of states whose TTL asks for
   * cleanup in full snapshots and that expired at {@link timestamp}.
   */
  writeKeyGroup(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean): Promise<void>;
  /**
   * Called once the content was read to the end, failed, or was abandoned (`return()` on its
   * iterator); not called when the content is never read.
   */
  release(): void;
}

/**
 * {@link encodeSavepoint} for state read asynchronously: the same canonical format, key group
 * by key group as `content` reads them.
 */
export function encodeRemoteSavepoint(
  content: RemoteSavepointContent,
  options: SavepointOptions = {},
): EncodedSavepoint {
  const writer = new KeyGroupFileWriter({
    kind: 'savepoint',
    stateNames: content.states.map((state) => state.name),
    properties: savepointPropertiesToJson({
      createdAt: content.timestamp,
      maxParallelism: content.maxParallelism,
      keyGroupRange: content.keyGroupRange,
      states: content.states,
      ...(options.userMetadata === undefined ? {} : { userMetadata: options.userMetadata }),
      ...(options.origin === undefined ? {} : { origin: options.origin }),
    }),
  });
  const dropExpired = options.dropExpired ?? true;
  let summary: { size: number; crc32: number; entries: number } | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (const keyGroup of content.keyGroupRange) {
        writer.beginKeyGroup(keyGroup);
        await content.writeKeyGroup(keyGroup, writer, dropExpired);
        writer.endKeyGroup();
        const chunk = writer.takeChunk();
        if (chunk !== undefined) yield chunk;
      }
      const last = writer.finish();
      const { size, crc32, entries } = writer.summary();
      summary = { size, crc32, entries };
      yield last;
    } finally {
      content.release();
    }
  }
  return {
    content: chunks(),
    result: () => {
      if (summary === undefined) {
        throw new StateBackendError('The savepoint is not written yet: read its content to the end first.');
      }
      return summary;
    },
  };
}
