import type { KeyGroupRange } from '@statebackend/aws-base';
import type { CommitLog } from '../checkpoint/commit-log.js';

/**
 * Deletes the commit records that checkpoint `checkpointId` of this writer supersedes: older
 * ones whose key groups all lie in this writer's range. A restore takes the newest commit of each
 * key group (or one it still lists as restorable), so no restore reads them again. Returns how
 * many were deleted.
 */
export async function pruneCommits(
  log: CommitLog,
  range: KeyGroupRange,
  checkpointId: number,
): Promise<number> {
  const { startKeyGroup, endKeyGroup } = range;
  const superseded = (await log.list()).filter(
    (c) => c.checkpointId < checkpointId && c.start >= startKeyGroup && c.end <= endKeyGroup,
  );
  await log.remove(superseded);
  return superseded.length;
}
