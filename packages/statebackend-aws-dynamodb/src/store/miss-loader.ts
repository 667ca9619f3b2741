import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import type { Item, ItemKey } from '../io/dynamo-io.js';
import { bytesId, type EntryRef, entryAddress, slotSortKey } from '../layout/item-key.js';
import { fromItem, type SlotItem } from '../layout/slot-item.js';
import { type CacheEntry, type EntryCache, newEntry } from './entry-cache.js';
import { resolveSlots } from './visibility.js';
import type { WriterScope } from './writer-scope.js';
import type { WrittenFilter } from './written-filter.js';

/** What loads read with, and where they put what they found. */
export interface LoadTarget {
  readonly scope: Pick<WriterScope, 'io' | 'scopeBytes' | 'maxParallelism' | 'buckets' | 'epoch'>;
  readonly cache: EntryCache;
  readonly written: Pick<WrittenFilter, 'mightContain'>;
  /** The ancestors the store sees now. */
  lineage(): readonly LineageEntry[];
}

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
  readonly #target: LoadTarget;
  #pending = new Map<string, PendingLoad>();
  #scheduled = false;
  #evictScheduled = false;

  constructor(target: LoadTarget) {
    this.#target = target;
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
      this.#target.cache.evictClean();
    });
  }

  /**
   * True when no item can hold the entry: its key group has no ancestors (a fresh start, or key
   * groups no restored checkpoint covers), and a new epoch's own slot holds only what this
   * writer put there, which the written filter would know of.
   */
  #certainlyAbsent(ref: EntryRef, id: string): boolean {
    const target = this.#target;
    return !target.written.mightContain(id) && ancestorsOf(target.lineage(), ref.keyGroup).length === 0;
  }

  async #run(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = new Map();
    const cache = this.#target.cache;
    // An entry written, flushed and evicted while its items are read would come back from a read
    // that may predate the flush: kept cached until the load is done, the write's entry wins.
    for (const id of batch.keys()) cache.pin(id);
    try {
      await this.#load(batch);
    } finally {
      for (const id of batch.keys()) cache.unpin(id);
    }
    cache.evictClean();
  }

  async #load(batch: ReadonlyMap<string, PendingLoad>): Promise<void> {
    const { scope, written } = this.#target;
    const lineage = this.#target.lineage();
    const keys = new Map<string, ItemKey>();
    for (const [id, { ref }] of batch) {
      const { pk, prefix } = entryAddress(scope, ref);
      const epochs = ancestorsOf(lineage, ref.keyGroup).map((a) => a.epoch);
      // This writer's own slot exists only if it flushed the entry (at this epoch, since the open).
      if (written.mightContain(id)) epochs.push(scope.epoch);
      for (const epoch of epochs) {
        const sk = slotSortKey(prefix, epoch);
        keys.set(bytesId(pk) + bytesId(sk), { pk: { B: pk }, sk: { B: sk } });
      }
    }
    let items: Item[];
    try {
      items = keys.size === 0 ? [] : await scope.io.batchGet([...keys.values()]);
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
    const { scope, cache } = this.#target;
    const address = entryAddress(scope, ref);
    const slotOf = (epoch: number): SlotItem | undefined =>
      found.get(bytesId(address.pk) + bytesId(slotSortKey(address.prefix, epoch)));
    const ancestors = ancestorsOf(this.#target.lineage(), ref.keyGroup);
    const own = slotOf(scope.epoch);
    const present = ancestors.filter((a) => slotOf(a.epoch) !== undefined).map((a) => a.epoch);
    // A write that raced the load already made the entry: it is newer than what was read.
    const existing = cache.peek(id);
    if (existing !== undefined) {
      if (existing.own === 'unknown') existing.own = own ?? 'absent';
      existing.ancestors = present;
      cache.resize(existing);
      return existing;
    }
    const resolved = resolveSlots(own, ancestors, slotOf);
    const entry = newEntry(id, ref, address);
    entry.value = resolved.value;
    entry.expiresAt = resolved.expiresAt;
    entry.own = own ?? 'absent';
    entry.ancestors = present;
    return cache.add(entry);
  }
}
