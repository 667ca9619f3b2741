import { CheckpointSource, KeyGroupRange } from '@statebackend/aws-base';
import {
  findLatestCompleteCheckpoint,
  type KeyedStateSource,
  loadCheckpoint,
} from '@statebackend/aws-base/spi';
import { CliError } from '../errors.js';
import type { OpenedLocation } from './location-options.js';

/** A checkpoint opened for reading, and the key groups its parts hold. */
export interface OpenedCheckpoint {
  readonly source: KeyedStateSource;
  readonly keyGroups: KeyGroupRange;
}

/**
 * Checkpoint `checkpointId` (default: the latest complete one) of the job at `opened`, to read
 * (dump, export): from a directory or S3 through its commit records, from DynamoDB through the
 * table's. Claims nothing, so a running job goes on.
 */
export async function openCheckpoint(
  opened: OpenedLocation,
  checkpointId: number | undefined,
): Promise<OpenedCheckpoint> {
  if (opened.kind === 'dynamodb') {
    const source = await opened.table.source(checkpointId);
    return { source, keyGroups: source.keyGroupRange };
  }
  const storage = opened.storage.storage;
  const committed = await storage.listCommitted();
  if (committed.length === 0) throw new CliError(`No checkpoints at ${storage.location}.`);
  const keyGroups = KeyGroupRange.of(
    Math.min(...committed.map((c) => c.keyGroupRange.startKeyGroup)),
    Math.max(...committed.map((c) => c.keyGroupRange.endKeyGroup)),
  );
  const selection =
    checkpointId === undefined
      ? await findLatestCompleteCheckpoint(storage, keyGroups)
      : await loadCheckpoint(storage, checkpointId, keyGroups);
  if (selection === undefined) throw new CliError(`No complete checkpoint at ${storage.location}.`);
  return { source: new CheckpointSource(storage, selection), keyGroups };
}
