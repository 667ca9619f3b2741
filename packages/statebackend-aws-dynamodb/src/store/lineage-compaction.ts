import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { KeyGroupRange, Logger } from '@statebackend/aws-base';
import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import { dataPartitionKey, type EntryRef, slotSortKey } from '../layout/item-key.js';
import { forEachEntrySlots } from './key-group-reader.js';
import { resolveSlots } from './visibility.js';
import type { WriterScope } from './writer-scope.js';

type CompactionScope = Pick<WriterScope, 'io' | 'scopeBytes' | 'keyGroupRange' | 'buckets' | 'epoch'>;

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
export function lineageDepth(range: KeyGroupRange, lineage: readonly LineageEntry[]): number {
  let depth = 0;
  for (let kg = range.startKeyGroup; kg <= range.endKeyGroup; kg++) {
    depth = Math.max(depth, ancestorsOf(lineage, kg).length);
  }
  return depth;
}

/**
 * Copies forward: walks every key group of the writer's range (a Query per bucket partition)
 * and hands `copy` each entry visible only through an ancestor, so that it is written into the
 * writer's own slot as a change of the open generation. Returns the number of entries copied.
 * Once every copied entry is in a committed checkpoint, that checkpoint needs no ancestor: its
 * commit record carries an empty lineage, and cache misses read one slot instead of one per restore. `lineage` is the ancestry at the start;
 * `stopped` ends the pass early (the store closes).
 */
export async function copyForward(
  scope: CompactionScope,
  lineage: readonly LineageEntry[],
  copy: (entry: CopiedEntry) => Promise<void>,
  stopped: () => boolean,
): Promise<number> {
  let copied = 0;
  for (let kg = scope.keyGroupRange.startKeyGroup; kg <= scope.keyGroupRange.endKeyGroup; kg++) {
    const ancestors = ancestorsOf(lineage, kg);
    if (ancestors.length === 0) continue;
    for (let bucket = 0; bucket < scope.buckets; bucket++) {
      if (stopped()) return copied;
      const found: CopiedEntry[] = [];
      await forEachEntrySlots(scope, kg, bucket, (decoded, slots) => {
        // In the own slot already (the own slot wins), or in no ancestor's: nothing to copy.
        if (slots.has(scope.epoch) || !ancestors.some((a) => slots.has(a.epoch))) return;
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
export async function purgeAncestors(scope: CompactionScope, epochs: ReadonlySet<number>): Promise<number> {
  let deleted = 0;
  for (let kg = scope.keyGroupRange.startKeyGroup; kg <= scope.keyGroupRange.endKeyGroup; kg++) {
    for (let bucket = 0; bucket < scope.buckets; bucket++) {
      const pk = dataPartitionKey(scope.scopeBytes, kg, bucket);
      const deletes: WriteRequest[] = [];
      await forEachEntrySlots(scope, kg, bucket, (decoded, slots) => {
        for (const epoch of slots.keys()) {
          if (!epochs.has(epoch)) continue;
          const sk = slotSortKey(decoded.prefix, epoch);
          deletes.push({ DeleteRequest: { Key: { pk: { B: pk }, sk: { B: sk } } } });
        }
      });
      if (deletes.length > 0) await scope.io.batchWrite(deletes);
      deleted += deletes.length;
    }
  }
  return deleted;
}

/**
 * A finished lineage compaction waiting for the next checkpoint to begin: the lineage that
 * checkpoint commits, and the ancestor epochs whose items go once it is the oldest restorable.
 */
export interface Compacted {
  readonly lineage: readonly LineageEntry[];
  readonly purge: ReadonlySet<number>;
}

/** What a compaction needs of its store: where to read, the store's lineage, its copy, and its end. */
export interface CompactionHost {
  readonly scope: CompactionScope;
  readonly logger: Logger;
  /** The ancestors the store sees now. */
  lineage(): readonly LineageEntry[];
  /**
   * Makes an entry seen only through an ancestor a change of the open generation, unless the store
   * changed or flushed it since the Query saw it.
   */
  copy(entry: CopiedEntry): Promise<void>;
  /** A compaction finished: the store hands `compacted` to its next checkpoint. */
  compacted(compacted: Compacted): void;
  closed(): boolean;
}

/**
 * Runs lineage compactions for one store, one at a time: {@link copyForward}, then hands the
 * store's next checkpoint an empty lineage and the ancestor epochs to purge ({@link Compacted}).
 */
export class LineageCompactor {
  readonly #host: CompactionHost;
  #running: Promise<number> | undefined;

  constructor(host: CompactionHost) {
    this.#host = host;
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
    const host = this.#host;
    if (depth === 0 || lineageDepth(host.scope.keyGroupRange, host.lineage()) <= depth) return;
    this.run().catch((error: unknown) =>
      host.logger.warn('Lineage compaction stopped; the next restore tries again', {
        error: String(error),
      }),
    );
  }

  /** Resolves once no compaction runs (a failed one included). */
  async settled(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  async #compact(): Promise<number> {
    const host = this.#host;
    const lineage = host.lineage();
    if (lineage.length === 0) return 0;
    const copied = await copyForward(
      host.scope,
      lineage,
      (entry) => host.copy(entry),
      () => host.closed(),
    );
    // A close, or a checkpoint that committed a compacted lineage meanwhile, ends it without effect.
    if (host.closed() || host.lineage() !== lineage) return copied;
    host.compacted({ lineage: [], purge: new Set(lineage.map((entry) => entry.epoch)) });
    host.logger.info('Compacted the lineage; the next checkpoint commits without ancestors', {
      ancestors: lineage.length,
      copied,
    });
    return copied;
  }
}
