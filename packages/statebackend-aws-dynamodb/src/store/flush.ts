import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { ancestorsOf } from '../checkpoint/lineage.js';
import { ValueTooLargeError } from '../errors.js';
import type { ItemKey } from '../io/dynamo-io.js';
import { bytesId, slotSortKey } from '../layout/item-key.js';
import { fromItem, type SlotItem, slotValueBytes, toItem, valueBudget } from '../layout/slot-item.js';
import type { CacheEntry } from './cache-entry.js';
import type { StoreContext, Superseded } from './store-context.js';
import { keptVersions } from './visibility.js';

/** An entry as it was when a flush or snapshot took it: what gets written. */
export interface FrozenEntry {
  readonly entry: CacheEntry;
  readonly value: Uint8Array | undefined;
  readonly expiresAt: number | undefined;
  readonly changes: number;
}

export function freeze(entries: readonly CacheEntry[]): FrozenEntry[] {
  return entries.map((entry) => ({
    entry,
    value: entry.value,
    expiresAt: entry.expiresAt,
    changes: entry.changes,
  }));
}

/**
 * Writes `frozen` as generation `gen` of this writer's slot (returns the bytes of keys and values written), one put per entry, keeping beside
 * each the version the last complete checkpoint needs. Fails with `FencedError` when a newer
 * owner claimed these key groups (its puts landed only in its own, unread slot), and with
 * `ValueTooLargeError` before writing anything when a value does not fit an item.
 */
export async function flushEntries(
  ctx: StoreContext,
  frozen: readonly FrozenEntry[],
  gen: number,
): Promise<number> {
  if (frozen.length === 0) return 0;
  await learnOwnSlots(ctx, frozen);
  const puts: WriteRequest[] = [];
  const written: SlotItem[] = [];
  let bytes = 0;
  for (const f of frozen) {
    const own = f.entry.own;
    const slot: SlotItem = {
      cur: { gen, value: f.value, expiresAt: f.expiresAt },
      kept: keptVersions(typeof own === 'object' ? own : undefined, ctx.tracker.cutoffs()),
    };
    const sk = slotSortKey(f.entry.prefix, ctx.epoch);
    const limit = valueBudget(f.entry.pk, sk);
    const size = slotValueBytes(slot);
    if (size > limit) throw new ValueTooLargeError(f.entry.ref.state, size, limit);
    bytes += f.entry.pk.length + sk.length + size;
    puts.push({ PutRequest: { Item: toItem(f.entry.pk, sk, slot) } });
    written.push(slot);
  }
  for (const f of frozen) ctx.written.add(f.entry.id);
  // The fencing check runs beside the writes, not before them: a fenced writer's puts land in its
  // own slot, which no newer owner reads, so they change nothing either way.
  const fencing = ctx.log.checkNotFenced();
  try {
    await Promise.all([fencing, ctx.io.batchWrite(puts)]);
  } catch (error) {
    fencing.catch(() => undefined);
    // Some puts may have landed with their responses lost: learn the slots again next time.
    for (const f of frozen) f.entry.own = 'unknown';
    throw error;
  }
  frozen.forEach((f, i) => {
    const entry = f.entry;
    recordGarbage(ctx, f, gen);
    entry.own = written[i] as SlotItem;
    // Changed while the flush ran (or written by an earlier-queued flush with a newer value):
    // DynamoDB now holds the older value, so the entry stays dirty.
    entry.dirtyGen = entry.changes === f.changes ? 0 : ctx.gen;
    ctx.cache.resize(entry);
  });
  return bytes;
}

/** Reads this writer's slot of entries written blind (not read first), to know what to keep. */
async function learnOwnSlots(ctx: StoreContext, frozen: readonly FrozenEntry[]): Promise<void> {
  for (const f of frozen) {
    if (f.entry.own === 'unknown' && !ctx.written.mightContain(f.entry.id)) f.entry.own = 'absent';
  }
  const unknown = frozen.filter((f) => f.entry.own === 'unknown');
  if (unknown.length === 0) return;
  const keys = new Map<string, ItemKey>();
  for (const f of unknown) {
    const sk = slotSortKey(f.entry.prefix, ctx.epoch);
    keys.set(bytesId(f.entry.pk) + bytesId(sk), { pk: { B: f.entry.pk }, sk: { B: sk } });
  }
  const found = new Map<string, SlotItem>();
  for (const item of await ctx.io.batchGet([...keys.values()])) {
    const pk = item.pk?.B;
    const sk = item.sk?.B;
    if (pk !== undefined && sk !== undefined) found.set(bytesId(pk) + bytesId(sk), fromItem(item));
  }
  for (const f of unknown) {
    f.entry.own =
      found.get(bytesId(f.entry.pk) + bytesId(slotSortKey(f.entry.prefix, ctx.epoch))) ?? 'absent';
  }
}

/**
 * Notes what a written entry made garbage once no checkpoint from before the write is restorable:
 * the ancestors' items of the entry (seen by a read, or, for an entry written without being read,
 * any its key group's ancestors may hold), and, for a removal, this writer's own item itself.
 */
function recordGarbage(ctx: StoreContext, f: FrozenEntry, gen: number): void {
  const entry = f.entry;
  const known = entry.ancestors;
  const epochs = known ?? ancestorsOf(ctx.lineage, entry.ref.keyGroup).map((a) => a.epoch);
  if (epochs.length > 0) {
    const keys = epochs.map((epoch) => ({
      pk: { B: entry.pk },
      sk: { B: slotSortKey(entry.prefix, epoch) },
    }));
    ctx.superseded.push({ gen, keys, known: known !== undefined });
  }
  entry.ancestors = [];
  if (f.value === undefined) {
    ctx.tombstones.set(entry.id, { pk: entry.pk, sk: slotSortKey(entry.prefix, ctx.epoch), gen });
  } else {
    ctx.tombstones.delete(entry.id);
  }
}

/** Takes what flushes of generations up to `cutoff` superseded: a commit of that cutoff now owns it. */
export function takeSuperseded(ctx: StoreContext, cutoff: number): Superseded[] {
  const taken = ctx.superseded.filter((s) => s.gen <= cutoff);
  const rest = ctx.superseded.filter((s) => s.gen > cutoff);
  ctx.superseded.splice(0, ctx.superseded.length, ...rest);
  return taken;
}
