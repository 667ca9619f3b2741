import type { Logger } from '../../logging/logger.js';
import type { CheckpointStorage, CommittedCheckpoint, WriterLease } from '../storage/checkpoint-storage.js';
import { intersects } from '../storage/fencing.js';

/**
 * After `lease` restored its range from checkpoint `restoredId` (or from a savepoint, or from
 * nothing: `undefined`), removes the commit records of newer checkpoints of that range written
 * by earlier owners: checkpoints some writer committed but that were not complete for the range
 * restored, or that a rollback to an older checkpoint left behind. The state now continues from
 * what was restored; without this, a later "latest" restore could pick up the abandoned history,
 * and the new owner's next checkpoint ids would collide with it. Their files go with retention.
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
