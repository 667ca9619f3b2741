import { CorruptCheckpointError } from '../../errors.js';
import { type CheckpointMetadata, decodeCheckpointMetadata } from '../metadata/checkpoint-metadata.js';
import type { CheckpointStorage, CommittedCheckpoint } from '../storage/checkpoint-storage.js';

/** One committed checkpoint of one key-group range, with its decoded metadata. */
export interface CheckpointPart {
  readonly committed: CommittedCheckpoint;
  readonly metadata: CheckpointMetadata;
}

/**
 * Reads and decodes the metadata of `committed`, and checks it against the commit record's
 * name: metadata copied or renamed into another checkpoint is corrupt, not a checkpoint.
 */
export async function readCheckpointPart(
  storage: CheckpointStorage,
  committed: CommittedCheckpoint,
): Promise<CheckpointPart> {
  const file = storage.describe(committed.path);
  const metadata = decodeCheckpointMetadata(file, await storage.readFile(committed.path));
  const mismatch =
    metadata.checkpointId !== committed.checkpointId
      ? `it holds checkpoint ${metadata.checkpointId}, not ${committed.checkpointId}`
      : !metadata.keyGroupRange.equals(committed.keyGroupRange)
        ? `it holds ${metadata.keyGroupRange}, not ${committed.keyGroupRange}`
        : metadata.writerEpoch !== committed.writerEpoch
          ? `it was written by epoch ${metadata.writerEpoch}, not ${committed.writerEpoch}`
          : undefined;
  if (mismatch !== undefined)
    throw new CorruptCheckpointError(file, `its name does not match its content: ${mismatch}`);
  return { committed, metadata };
}
