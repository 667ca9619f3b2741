import type { StoreContext } from './store-context.js';

/**
 * Deletes the commit records that checkpoint `checkpointId` of this writer supersedes: older
 * ones whose key groups all lie in this writer's range. A restore takes the newest commit of each
 * key group (or one it still lists as restorable), so no restore reads them again. Returns how
 * many were deleted.
 */
export async function pruneCommits(ctx: StoreContext, checkpointId: number): Promise<number> {
  const { startKeyGroup, endKeyGroup } = ctx.keyGroupRange;
  const superseded = (await ctx.log.list()).filter(
    (c) => c.checkpointId < checkpointId && c.start >= startKeyGroup && c.end <= endKeyGroup,
  );
  await ctx.log.remove(superseded);
  return superseded.length;
}
