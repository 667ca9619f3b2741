import { ancestorsOf } from '../checkpoint/lineage.js';
import type { Item, ItemKey } from '../io/dynamo-io.js';
import { bytesId, type EntryRef, slotSortKey } from '../layout/item-key.js';
import { fromItem, type SlotItem } from '../layout/slot-item.js';
import type { CacheEntry } from './cache-entry.js';
import { addressOf, mapCellOf } from './entry-keys.js';
import type { StoreContext } from './store-context.js';
import { resolveSlots } from './visibility.js';

interface PendingLoad {
  readonly ref: EntryRef;
  readonly waiters: { resolve: (entry: CacheEntry) => void; reject: (error: unknown) => void }[];
}

/**
 * Loads cache misses: every miss of one event-loop turn goes into one BatchGetItem (100 keys per
 * call, several calls in flight), asking for each ancestor's slot of every entry and for the
 * owner's own slot where this writer may have put it, so that records for many keys that miss
 * together cost one round trip. A miss that could find nothing (a key group without ancestors,
 * an entry this writer never wrote) is answered at once, without a call.
 */
export class MissLoader {
  readonly #ctx: StoreContext;
  #pending = new Map<string, PendingLoad>();
  #scheduled = false;
  #evictScheduled = false;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** The entry for `ref`, from the cache or loaded from DynamoDB (and then cached). */
  load(ref: EntryRef, id: string): Promise<CacheEntry> {
    if (!this.#pending.has(id) && this.#certainlyAbsent(ref, id)) {
      const entry = this.#entryFrom(id, ref, new Map());
      this.#evictSoon();
      return Promise.resolve(entry);
    }
    return new Promise((resolve, reject) => {
      let pending = this.#pending.get(id);
      if (pending === undefined) {
        pending = { ref, waiters: [] };
        this.#pending.set(id, pending);
      }
      pending.waiters.push({ resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#run());
      }
    });
  }

  /** Keeps the cache within budget once per event-loop turn, as a batch of loads does. */
  #evictSoon(): void {
    if (this.#evictScheduled) return;
    this.#evictScheduled = true;
    setImmediate(() => {
      this.#evictScheduled = false;
      this.#ctx.cache.evictClean((entry) => mapCellOf(entry.ref));
    });
  }

  /**
   * True when no item can hold the entry: its key group has no ancestors (a fresh start, or key
   * groups no restored checkpoint covers), and a new epoch's own slot holds only what this
   * writer put there, which the written filter would know of.
   */
  #certainlyAbsent(ref: EntryRef, id: string): boolean {
    const ctx = this.#ctx;
    return !ctx.written.mightContain(id) && ancestorsOf(ctx.lineage, ref.keyGroup).length === 0;
  }

  async #run(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = new Map();
    const ctx = this.#ctx;
    // An entry written, flushed and evicted while its items are read would come back from a read
    // that may predate the flush: kept cached until the load is done, the write's entry wins.
    for (const id of batch.keys()) ctx.cache.pin(id);
    try {
      await this.#load(batch);
    } finally {
      for (const id of batch.keys()) ctx.cache.unpin(id);
    }
    ctx.cache.evictClean((entry) => mapCellOf(entry.ref));
  }

  async #load(batch: ReadonlyMap<string, PendingLoad>): Promise<void> {
    const ctx = this.#ctx;
    const keys = new Map<string, ItemKey>();
    for (const [id, { ref }] of batch) {
      const { pk, prefix } = addressOf(ctx, ref);
      const epochs = ancestorsOf(ctx.lineage, ref.keyGroup).map((a) => a.epoch);
      // This writer's own slot exists only if it flushed the entry (at this epoch, since the open).
      if (ctx.written.mightContain(id)) epochs.push(ctx.epoch);
      for (const epoch of epochs) {
        const sk = slotSortKey(prefix, epoch);
        keys.set(bytesId(pk) + bytesId(sk), { pk: { B: pk }, sk: { B: sk } });
      }
    }
    let items: Item[];
    try {
      items = keys.size === 0 ? [] : await ctx.io.batchGet([...keys.values()]);
    } catch (error) {
      for (const load of batch.values()) for (const waiter of load.waiters) waiter.reject(error);
      return;
    }
    const found = new Map<string, SlotItem>();
    for (const item of items) {
      const pk = item.pk?.B;
      const sk = item.sk?.B;
      if (pk !== undefined && sk !== undefined) found.set(bytesId(pk) + bytesId(sk), fromItem(item));
    }
    for (const [id, load] of batch) {
      const entry = this.#entryFrom(id, load.ref, found);
      for (const waiter of load.waiters) waiter.resolve(entry);
    }
  }

  #entryFrom(id: string, ref: EntryRef, found: Map<string, SlotItem>): CacheEntry {
    const ctx = this.#ctx;
    const { pk, prefix } = addressOf(ctx, ref);
    const slotOf = (epoch: number): SlotItem | undefined =>
      found.get(bytesId(pk) + bytesId(slotSortKey(prefix, epoch)));
    const ancestors = ancestorsOf(ctx.lineage, ref.keyGroup);
    const own = slotOf(ctx.epoch);
    const present = ancestors.filter((a) => slotOf(a.epoch) !== undefined).map((a) => a.epoch);
    // A write that raced the load already made the entry: it is newer than what was read.
    const existing = ctx.cache.peek(id);
    if (existing !== undefined) {
      if (existing.own === 'unknown') existing.own = own ?? 'absent';
      existing.ancestors = present;
      ctx.cache.resize(existing);
      return existing;
    }
    const resolved = resolveSlots(own, ancestors, slotOf);
    const entry: CacheEntry = {
      id,
      ref,
      pk,
      prefix,
      value: resolved.value,
      expiresAt: resolved.expiresAt,
      dirtyGen: 0,
      changes: 0,
      own: own ?? 'absent',
      ancestors: present,
      size: 0,
      memo: undefined,
    };
    ctx.cache.add(entry, mapCellOf(ref));
    return entry;
  }
}
