import type { JsonValue } from '../checkpoint/json.js';
import { encodeKeyGroupFile } from '../checkpoint/snapshot/key-group-file-encoder.js';
import type { StateSnapshotView } from '../checkpoint/snapshot/state-snapshot-view.js';
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
