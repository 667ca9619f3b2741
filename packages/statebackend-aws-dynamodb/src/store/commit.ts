import { createHash } from 'node:crypto';
import { assertNotFenced, claimsKey, isConditionFailure, readClaims } from '../checkpoint/claims.js';
import { commitItem, commitKey, fromCommitItem } from '../checkpoint/commit-records.js';
import type { CommitRecord } from '../checkpoint/lineage.js';
import { StoreFailedError } from '../errors.js';
import type { StoreContext } from './store-context.js';

const MAX_COMMIT_ROUNDS = 20;

/**
 * Writes the commit record of `record` in one transaction with a check that the claims item is
 * unchanged since this writer last found itself unfenced. The checkpoint is complete exactly
 * when this record exists. Another claim in between (a sibling range, say) only repeats the
 * round; a claim that fences this writer ends it with `FencedError`, with nothing written.
 *
 * A failure whose outcome cannot be learned (the record may or may not exist) ends the store
 * with {@link StoreFailedError}: writing on without knowing which versions are committed could
 * drop a version the last complete checkpoint needs.
 */
export async function commitCheckpoint(ctx: StoreContext, record: CommitRecord): Promise<void> {
  for (let round = 0; round < MAX_COMMIT_ROUNDS; round++) {
    // The flush just read the claims; a claim since then fails the condition and costs a round.
    const claims = (round === 0 ? ctx.claims : undefined) ?? (await readClaims(ctx.io, ctx.metaPk));
    ctx.claims = undefined;
    assertNotFenced(ctx.location, claims, ctx.epoch, ctx.keyGroupRange);
    const token = createHash('sha256')
      .update(`${ctx.scope}\u0000${ctx.epoch}\u0000${record.checkpointId}\u0000${claims.version}`)
      .digest('hex')
      .slice(0, 36);
    try {
      await ctx.io.transact(
        [
          {
            ConditionCheck: {
              TableName: ctx.io.tableName,
              Key: claimsKey(ctx.metaPk),
              ConditionExpression: 'ver = :v',
              ExpressionAttributeValues: { ':v': { N: String(claims.version) } },
            },
          },
          {
            Put: {
              TableName: ctx.io.tableName,
              Item: commitItem(ctx.metaPk, record),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        token,
      );
      return;
    } catch (error) {
      if (await isCommitted(ctx, record)) return;
      if (!isConditionFailure(error)) {
        throw new StoreFailedError(
          `the commit of checkpoint ${record.checkpointId} failed and did not land`,
          {
            cause: error,
          },
        );
      }
    }
  }
  throw new StoreFailedError(
    `the commit of checkpoint ${record.checkpointId} lost ${MAX_COMMIT_ROUNDS} races with other claims`,
  );
}

async function isCommitted(ctx: StoreContext, record: CommitRecord): Promise<boolean> {
  let item: Awaited<ReturnType<typeof ctx.io.get>>;
  try {
    item = await ctx.io.get(commitKey(ctx.metaPk, record.checkpointId, record.epoch));
  } catch (error) {
    throw new StoreFailedError(`the outcome of the commit of checkpoint ${record.checkpointId} is unknown`, {
      cause: error,
    });
  }
  return item !== undefined && fromCommitItem(item).cutoff === record.cutoff;
}
