import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { LineageEntry } from '../checkpoint/lineage.js';
import { ValueTooLargeError } from '../errors.js';
import type { ItemKey } from '../io/dynamo-io.js';
import { bytesId, SLOT_EPOCH_BYTES, slotSortKey } from '../layout/item-key.js';
import { fromItem, type SlotItem, slotValueBytes, toItem, valueBudgetOfKeys } from '../layout/slot-item.js';
import type { CacheEntry, EntryCache } from './entry-cache.js';
import type { Garbage } from './garbage.js';
import { keptVersions } from './visibility.js';
import type { WriterScope } from './writer-scope.js';
import type { WrittenFilter } from './written-filter.js';

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

/** What a flush writes with, and records into: the parts of the store it was given. */
export interface FlushTarget {
  readonly scope: Pick<WriterScope, 'io' | 'log' | 'epoch'>;
  /** The ancestors the store sees now: the items a write supersedes. */
  readonly lineage: readonly LineageEntry[];
  /** Cutoffs of the checkpoints that may still be restored: the versions each item keeps. */
  cutoffs(): readonly number[];
  readonly cache: Pick<EntryCache, 'resize'>;
  readonly written: WrittenFilter;
  readonly garbage: Garbage;
  /** The generation new writes belong to once the flush is done (a snapshot may close one meanwhile). */
  openGeneration(): number;
}

/**
 * Writes `frozen` as generation `gen` of this writer's slot (returns the bytes of keys and values
 * written), one put per entry, keeping beside each the version the last complete checkpoint
 * needs. Fails with `FencedError` when a newer owner claimed these key groups (its puts landed
 * only in its own, unread slot), and with `ValueTooLargeError` before writing anything when a
 * value does not fit an item. The entries learn their own slot; what the writes made garbage is
 * noted in `target.garbage`.
 */
export async function flushEntries(
  target: FlushTarget,
  frozen: readonly FrozenEntry[],
  gen: number,
): Promise<number> {
  if (frozen.length === 0) return 0;
  const { io, log, epoch } = target.scope;
  await learnOwnSlots(target, frozen);
  const cutoffs = target.cutoffs();
  // Every size is checked before anything is written; the items themselves are made a batch at a
  // time as the calls take them, so the first calls are in flight while later items are made.
  const slots: SlotItem[] = new Array(frozen.length);
  let bytes = 0;
  for (let i = 0; i < frozen.length; i++) {
    const f = frozen[i] as FrozenEntry;
    const own = f.entry.own;
    const slot: SlotItem = {
      cur: { gen, value: f.value, expiresAt: f.expiresAt },
      kept: keptVersions(typeof own === 'object' ? own : undefined, cutoffs),
    };
    const skLength = f.entry.prefix.length + SLOT_EPOCH_BYTES;
    const limit = valueBudgetOfKeys(f.entry.pk.length, skLength);
    const size = slotValueBytes(slot);
    if (size > limit) throw new ValueTooLargeError(f.entry.ref.state, size, limit);
    bytes += f.entry.pk.length + skLength + size;
    slots[i] = slot;
  }
  const puts = (from: number, to: number): WriteRequest[] => {
    const batch: WriteRequest[] = [];
    for (let i = from; i < to; i++) {
      const entry = (frozen[i] as FrozenEntry).entry;
      // Noted before its put goes out: a put whose response is lost may still have landed.
      target.written.add(entry.id);
      const item = toItem(entry.pk, slotSortKey(entry.prefix, epoch), slots[i] as SlotItem);
      batch.push({ PutRequest: { Item: item } });
    }
    return batch;
  };
  // The fencing check runs beside the writes, not before them: a fenced writer's puts land in its
  // own slot, which no newer owner reads, so they change nothing either way.
  const fencing = log.checkNotFenced();
  try {
    await Promise.all([fencing, io.batchWriteMade(frozen.length, puts)]);
  } catch (error) {
    fencing.catch(() => undefined);
    // Some puts may have landed with their responses lost: learn the slots again next time.
    for (const f of frozen) f.entry.own = 'unknown';
    throw error;
  }
  frozen.forEach((f, i) => {
    const entry = f.entry;
    target.garbage.noteFlushed(entry, f.value, gen, target.lineage, epoch);
    entry.ancestors = [];
    entry.own = slots[i] as SlotItem;
    // Changed while the flush ran (or written by an earlier-queued flush with a newer value):
    // DynamoDB now holds the older value, so the entry stays dirty.
    entry.dirtyGen = entry.changes === f.changes ? 0 : target.openGeneration();
    target.cache.resize(entry);
  });
  return bytes;
}

/** Reads this writer's slot of entries written blind (not read first), to know what to keep. */
async function learnOwnSlots(target: FlushTarget, frozen: readonly FrozenEntry[]): Promise<void> {
  const { io, epoch } = target.scope;
  for (const f of frozen) {
    if (f.entry.own === 'unknown' && !target.written.mightContain(f.entry.id)) f.entry.own = 'absent';
  }
  const unknown = frozen.filter((f) => f.entry.own === 'unknown');
  if (unknown.length === 0) return;
  const keys = new Map<string, ItemKey>();
  for (const f of unknown) {
    const sk = slotSortKey(f.entry.prefix, epoch);
    keys.set(bytesId(f.entry.pk) + bytesId(sk), { pk: { B: f.entry.pk }, sk: { B: sk } });
  }
  const found = new Map<string, SlotItem>();
  for (const item of await io.batchGet([...keys.values()])) {
    const pk = item.pk?.B;
    const sk = item.sk?.B;
    if (pk !== undefined && sk !== undefined) found.set(bytesId(pk) + bytesId(sk), fromItem(item));
  }
  for (const f of unknown) {
    f.entry.own = found.get(bytesId(f.entry.pk) + bytesId(slotSortKey(f.entry.prefix, epoch))) ?? 'absent';
  }
}
