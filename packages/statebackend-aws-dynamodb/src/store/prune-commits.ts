import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { commitKey, listCommits } from '../checkpoint/commit-records.js';
import type { StoreContext } from './store-context.js';

/**
 * Deletes the commit records that checkpoint `checkpointId` of this writer supersedes: older
 * ones whose key groups all lie in this writer's range. A restore takes the newest commit of each
 * key group, so no restore reads them again. Returns how many were deleted.
 */
export async function pruneCommits(ctx: StoreContext, checkpointId: number): Promise<number> {
  const { startKeyGroup, endKeyGroup } = ctx.keyGroupRange;
  const superseded = (await listCommits(ctx.io, ctx.metaPk)).filter(
    (c) => c.checkpointId < checkpointId && c.start >= startKeyGroup && c.end <= endKeyGroup,
  );
  const deletes: WriteRequest[] = superseded.map((c) => ({
    DeleteRequest: { Key: commitKey(ctx.metaPk, c.checkpointId, c.epoch) },
  }));
  if (deletes.length > 0) await ctx.io.batchWrite(deletes);
  return deletes.length;
}
