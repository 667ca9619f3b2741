import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import { StoreFailedError } from '../errors.js';
import { dataPartitionKey, type EntryRef, slotSortKey } from '../layout/item-key.js';
import { entryIdOf } from './entry-keys.js';
import { forEachEntrySlots } from './key-group-reader.js';
import type { StoreContext } from './store-context.js';
import { resolveSlots } from './visibility.js';

/** An entry this writer sees only through an ancestor's slot: to be written into its own. */
export interface CopiedEntry {
  readonly ref: EntryRef;
  readonly value: Uint8Array;
  readonly expiresAt: number | undefined;
}

/**
 * The deepest ancestry of any key group of the writer: how many ancestor slots a cache miss reads
 * besides its own. Each restore adds one, until a compaction brings it back to none.
 */
export function lineageDepth(ctx: StoreContext): number {
  let depth = 0;
  for (let kg = ctx.keyGroupRange.startKeyGroup; kg <= ctx.keyGroupRange.endKeyGroup; kg++) {
    depth = Math.max(depth, ancestorsOf(ctx.lineage, kg).length);
  }
  return depth;
}

/**
 * Copies forward: walks every key group of the writer's range (a Query per bucket partition)
 * and hands `copy` each entry visible only through an ancestor, so that it is written into the
 * writer's own slot as a change of the open generation. Returns the number of entries copied. Once every copied entry is in a committed
 * checkpoint, that checkpoint needs no ancestor: its commit record carries an empty lineage, and
 * cache misses read one slot instead of one per restore. `lineage` is the ancestry at the start;
 * `stopped` ends the pass early (the store closes).
 */
export async function copyForward(
  ctx: StoreContext,
  lineage: readonly LineageEntry[],
  copy: (entry: CopiedEntry) => Promise<void>,
  stopped: () => boolean,
): Promise<number> {
  let copied = 0;
  for (let kg = ctx.keyGroupRange.startKeyGroup; kg <= ctx.keyGroupRange.endKeyGroup; kg++) {
    const ancestors = ancestorsOf(lineage, kg);
    if (ancestors.length === 0) continue;
    for (let bucket = 0; bucket < ctx.buckets; bucket++) {
      if (stopped()) return copied;
      const found: CopiedEntry[] = [];
      await forEachEntrySlots(ctx, kg, bucket, (decoded, slots) => {
        // In the own slot already (the own slot wins), or in no ancestor's: nothing to copy.
        if (slots.has(ctx.epoch) || !ancestors.some((a) => slots.has(a.epoch))) return;
        const resolved = resolveSlots(undefined, ancestors, (epoch) => slots.get(epoch));
        if (resolved.value === undefined) return;
        const { state, key, namespace, mapKey } = decoded;
        found.push({
          ref: { state, keyGroup: kg, key, namespace, mapKey },
          value: resolved.value,
          expiresAt: resolved.expiresAt,
        });
      });
      for (const entry of found) await copy(entry);
      copied += found.length;
    }
  }
  return copied;
}

/**
 * Deletes every item of the writer's key groups held in the slot of one of `epochs`: ancestors
 * that no restorable checkpoint reads any more (the oldest one restorable was committed after a
 * compaction). One partition at a time, so memory stays bounded. Returns the items deleted.
 */
export async function purgeAncestors(ctx: StoreContext, epochs: ReadonlySet<number>): Promise<number> {
  let deleted = 0;
  for (let kg = ctx.keyGroupRange.startKeyGroup; kg <= ctx.keyGroupRange.endKeyGroup; kg++) {
    for (let bucket = 0; bucket < ctx.buckets; bucket++) {
      const pk = dataPartitionKey(ctx.scopeBytes, kg, bucket);
      const deletes: WriteRequest[] = [];
      await forEachEntrySlots(ctx, kg, bucket, (decoded, slots) => {
        for (const epoch of slots.keys()) {
          if (!epochs.has(epoch)) continue;
          const sk = slotSortKey(decoded.prefix, epoch);
          deletes.push({ DeleteRequest: { Key: { pk: { B: pk }, sk: { B: sk } } } });
        }
      });
      if (deletes.length > 0) await ctx.io.batchWrite(deletes);
      deleted += deletes.length;
    }
  }
  return deleted;
}

/** What a compaction needs of its store: its write path, its read path, and whether it closed. */
export interface CompactionHooks {
  /** Writes an entry through the cache, as a change of the open generation. */
  write(ref: EntryRef, value: Uint8Array, expiresAt: number | undefined): Promise<void>;
  /** Reads an entry as a cache miss does (its own slot and its ancestors'), leaving it cached. */
  load(ref: EntryRef): Promise<unknown>;
  /** Flushes early when the cache is over its budget. */
  makeRoom(): Promise<void>;
  closed(): boolean;
}

/**
 * Runs lineage compactions for one store, one at a time: {@link copyForward}, then hands the
 * next checkpoint an empty lineage and the ancestor epochs to purge (see `StoreContext.compacted`).
 */
export class LineageCompactor {
  readonly #ctx: StoreContext;
  readonly #hooks: CompactionHooks;
  #running: Promise<number> | undefined;

  constructor(ctx: StoreContext, hooks: CompactionHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  /** Runs a compaction, or joins the one running; resolves with the entries copied. */
  run(): Promise<number> {
    this.#running ??= this.#compact().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Starts a compaction in the background when a key group has more ancestors than `depth` (0: never). */
  startWhenDeeperThan(depth: number): void {
    if (depth === 0 || lineageDepth(this.#ctx) <= depth) return;
    this.run().catch((error: unknown) =>
      this.#ctx.logger.warn('Lineage compaction stopped; the next restore tries again', {
        error: String(error),
      }),
    );
  }

  /** Resolves once no compaction runs (a failed one included). */
  async settled(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  async #compact(): Promise<number> {
    const ctx = this.#ctx;
    const lineage = ctx.lineage;
    if (lineage.length === 0) return 0;
    const copied = await copyForward(ctx, lineage, (entry) => this.#copy(entry), this.#hooks.closed);
    // A close, or a checkpoint that committed a compacted lineage meanwhile, ends it without effect.
    if (this.#hooks.closed() || ctx.lineage !== lineage) return copied;
    ctx.compacted = { lineage: [], purge: new Set(lineage.map((entry) => entry.epoch)) };
    ctx.logger.info('Compacted the lineage; the next checkpoint commits without ancestors', {
      ancestors: lineage.length,
      copied,
    });
    return copied;
  }

  /**
   * Makes an entry seen only through an ancestor a change, unless this writer wrote it since the
   * Query saw it. What the Query returned may be stale by now: the entry may have been written,
   * flushed early into the own slot and evicted meanwhile, and copying the ancestor's value then
   * would bring back an overwritten or removed value. So the copy is decided on what the cache
   * knows, and an entry this writer may have flushed is read (own slot included) first.
   */
  async #copy(entry: CopiedEntry): Promise<void> {
    const ctx = this.#ctx;
    const id = entryIdOf(entry.ref);
    ctx.cache.pin(id);
    try {
      let cached = ctx.cache.peek(id);
      if (cached === undefined) {
        if (!ctx.written.mightContain(id)) {
          // Never in the own slot: the ancestors' version the Query resolved is still current.
          await this.#hooks.write(entry.ref, entry.value, entry.expiresAt);
          return;
        }
        await this.#hooks.load(entry.ref);
        cached = ctx.cache.peek(id);
        if (cached === undefined) throw new StoreFailedError('an entry pinned in the cache was evicted');
      }
      // Changed since (the next flush writes it), in the own slot, or absent: nothing to copy.
      if (cached.dirtyGen !== 0 || cached.own !== 'absent' || cached.value === undefined) return;
      cached.dirtyGen = ctx.gen;
      cached.changes++;
    } finally {
      ctx.cache.unpin(id);
    }
    if (ctx.cache.overBudget) await this.#hooks.makeRoom();
  }
}
