import type { EntryRef } from '../layout/item-key.js';
import { addressOf, entryIdOf, mapCellOf } from './entry-keys.js';
import type { StoreContext } from './store-context.js';

/**
 * Sets an entry in the cache as a change of the open generation (creating it when absent): the
 * next flush writes it. `decoded` is what reads return for it. The caller makes room afterwards
 * when the cache is over its budget.
 */
export function writeToCache(
  ctx: StoreContext,
  ref: EntryRef,
  value: Uint8Array | undefined,
  expiresAt: number | undefined,
  decoded: unknown,
): void {
  const id = entryIdOf(ref);
  let entry = ctx.cache.touch(id);
  if (entry === undefined) {
    entry = {
      id,
      ...addressOf(ctx, ref),
      ref,
      value,
      expiresAt,
      dirtyGen: 0,
      changes: 0,
      own: 'unknown',
      ancestors: undefined,
      size: 0,
      memo: undefined,
    };
    ctx.cache.add(entry, mapCellOf(ref));
  }
  entry.value = value;
  entry.memo = decoded;
  entry.expiresAt = expiresAt;
  entry.dirtyGen = ctx.gen;
  entry.changes++;
  ctx.cache.resize(entry);
}
