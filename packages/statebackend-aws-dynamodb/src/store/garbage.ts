import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { ItemKey } from '../io/dynamo-io.js';
import type { StoreContext, Superseded } from './store-context.js';

/**
 * Deletes ancestors' items that writes superseded, once no restorable checkpoint is older than
 * those writes: every restorable checkpoint then finds the entry in this writer's own slot. Items
 * only possibly there (the entry was written without being read) are read first, so that only
 * items that exist cost a delete. Returns the items deleted.
 */
export async function deleteSuperseded(
  ctx: StoreContext,
  superseded: readonly Superseded[],
): Promise<number> {
  const known: ItemKey[] = [];
  const unknown: ItemKey[] = [];
  for (const s of superseded) (s.known ? known : unknown).push(...s.keys);
  const found = unknown.length === 0 ? [] : await ctx.io.batchGet(unknown);
  const deletes: WriteRequest[] = [...known, ...found.map(keyOf)].map((Key) => ({ DeleteRequest: { Key } }));
  if (deletes.length > 0) await ctx.io.batchWrite(deletes);
  return deletes.length;
}

/**
 * Deletes this writer's items whose newest version is a removal, once every checkpoint that may
 * still be restored was taken after the removal: each of them (and the working state) then reads
 * the entry as absent from the own slot, and reads it as absent without the item too, since the
 * ancestors' items of the entry went first (see {@link deleteSuperseded}, run before this one in
 * the same clean-up). A cached entry forgets the item, so its next write keeps no version of it.
 * Returns the items deleted.
 */
export async function deleteTombstones(ctx: StoreContext): Promise<number> {
  const cutoffs = ctx.tracker.cutoffs();
  if (cutoffs.length === 0) return 0;
  const floor = Math.min(...cutoffs);
  const ready = [...ctx.tombstones].filter(([, t]) => t.gen <= floor);
  if (ready.length === 0) return 0;
  await ctx.io.batchWrite(
    ready.map(([, t]) => ({ DeleteRequest: { Key: { pk: { B: t.pk }, sk: { B: t.sk } } } })),
  );
  for (const [id] of ready) {
    ctx.tombstones.delete(id);
    const cached = ctx.cache.peek(id);
    if (cached !== undefined && cached.own !== 'unknown') {
      cached.own = 'absent';
      ctx.cache.resize(cached);
    }
  }
  return ready.length;
}

function keyOf(item: Record<string, { B?: Uint8Array }>): ItemKey {
  return { pk: { B: item.pk?.B ?? new Uint8Array(0) }, sk: { B: item.sk?.B ?? new Uint8Array(0) } };
}
