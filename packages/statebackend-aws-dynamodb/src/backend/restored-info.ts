import { type JsonValue, KeyGroupRange, type RestoredCheckpointInfo } from '@statebackend/aws-base';
import type { DynamoDbStateStore } from '../store/dynamodb-state-store.js';

/** The caller's metadata as stored with a commit: JSON in a wrapper, so `undefined` survives. */
export function encodeUserMetadata(metadata: JsonValue | undefined): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(metadata === undefined ? {} : { value: metadata }));
}

export function decodeUserMetadata(bytes: Uint8Array): JsonValue | undefined {
  if (bytes.length === 0) return undefined;
  return (JSON.parse(new TextDecoder().decode(bytes)) as { value?: JsonValue }).value;
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
    userMetadata: commits.map((c) => ({
      keyGroupRange: KeyGroupRange.of(
        Math.max(c.start, range.startKeyGroup),
        Math.min(c.end, range.endKeyGroup),
      ),
      metadata: decodeUserMetadata(c.metadata),
    })),
    entries: 0,
  };
}
