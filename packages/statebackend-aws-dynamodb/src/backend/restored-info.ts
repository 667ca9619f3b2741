import {
  type JsonValue,
  KeyGroupRange,
  type RestoredCheckpointInfo,
  type RestoredUserMetadata,
} from '@statebackend/aws-base';
import type { CommitRecord } from '../checkpoint/lineage.js';
import type { DynamoDbStateStore } from '../store/dynamodb-state-store.js';

/** Marks metadata given as JSON; bytes given as they are never start with it (or are not told apart). */
const JSON_MARKER = 0x00;

/**
 * The caller's metadata as stored with a commit: JSON after a marker byte, in a wrapper so that
 * `undefined` survives; bytes (the store's own form) as they are.
 */
export function encodeUserMetadata(metadata: JsonValue | Uint8Array | undefined): Uint8Array {
  if (metadata instanceof Uint8Array) return metadata;
  const json = new TextEncoder().encode(JSON.stringify(metadata === undefined ? {} : { value: metadata }));
  const bytes = new Uint8Array(json.length + 1);
  bytes[0] = JSON_MARKER;
  bytes.set(json, 1);
  return bytes;
}

/** The metadata given to `snapshot()`: the JSON, or bytes that hold UTF-8 JSON; else undefined. */
export function decodeUserMetadata(bytes: Uint8Array): JsonValue | undefined {
  try {
    if (bytes[0] === JSON_MARKER) {
      return (JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as { value?: JsonValue }).value;
    }
    return bytes.length === 0 ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as JsonValue);
  } catch {
    return undefined;
  }
}

/**
 * What the store restored, as aws-base describes a restore: the checkpoint (the newest of the
 * commits read), and the caller's metadata of each commit, for the key groups taken from it.
 * Nothing is read ahead, so `entries` is 0: entries are read as records need them.
 */
export function restoredInfo(
  store: DynamoDbStateStore,
  range: KeyGroupRange,
): RestoredCheckpointInfo | undefined {
  const commits = store.restored;
  if (commits.length === 0) return undefined;
  const checkpointId = Math.max(...commits.map((c) => c.checkpointId));
  return {
    description: `checkpoint ${checkpointId} under ${store.location}`,
    checkpointId,
    userMetadata: userMetadataOf(commits, range),
    entries: 0,
  };
}

/** The caller's metadata of each commit, for the key groups of `range` taken from it. */
export function userMetadataOf(
  commits: readonly CommitRecord[],
  range: KeyGroupRange,
): RestoredUserMetadata[] {
  return commits.map((c) => ({
    keyGroupRange: KeyGroupRange.of(
      Math.max(c.start, range.startKeyGroup),
      Math.min(c.end, range.endKeyGroup),
    ),
    metadata: decodeUserMetadata(c.metadata),
  }));
}
