import type { Logger } from '../../logging/logger.js';
import type { CheckpointStorage, CommittedCheckpoint, WriterLease } from '../storage/checkpoint-storage.js';
import { intersects } from '../storage/fencing.js';

/**
 * Once `lease` restored its range from checkpoint `restoredId` (or from a savepoint, or from
 * nothing: `undefined`) and committed a checkpoint of its own, removes the commit records of
 * newer checkpoints of that range written by earlier owners: checkpoints some writer committed
 * but that were not complete for the range restored, or that a rollback to an older checkpoint
 * left behind. Until then they stay, so that a rollback can be undone by restoring them by id.
 * Their files go with retention.
 */
export async function discardNewerCheckpoints(
  storage: CheckpointStorage,
  lease: WriterLease,
  restoredId: number | undefined,
  logger: Logger,
): Promise<CommittedCheckpoint[]> {
  const abandoned = (await storage.listCommitted()).filter(
    (c) =>
      (restoredId === undefined || c.checkpointId > restoredId) &&
      c.writerEpoch < lease.epoch &&
      intersects(c.keyGroupRange, lease.keyGroupRange),
  );
  if (abandoned.length === 0) return [];
  await storage.checkNotFenced(lease);
  await storage.delete(abandoned.map((c) => c.path));
  logger.warn(
    'Removed checkpoints newer than the state restored; the job continues from the restored state',
    {
      location: storage.location,
      restored: restoredId ?? 'none',
      removed: abandoned.map((c) => c.path),
    },
  );
  return abandoned;
}
