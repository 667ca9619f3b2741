import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { KeyGroupRange, Logger } from '@statebackend/aws-base';
import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import { forEachParallel } from '../io/parallel.js';
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

/** Key groups of `range` with more than `depth` ancestors, ascending. */
export function keyGroupsDeeperThan(
  range: KeyGroupRange,
  lineage: readonly LineageEntry[],
  depth: number,
): number[] {
  const deep: number[] = [];
  for (let kg = range.startKeyGroup; kg <= range.endKeyGroup; kg++) {
    if (ancestorsOf(lineage, kg).length > depth) deep.push(kg);
  }
  return deep;
}

/** Key groups one step of a compaction reads (every bucket partition of each, in parallel). */
const KEY_GROUPS_PER_STEP = 8;

/**
 * Copies forward: reads every partition of `keyGroups` (a Query per bucket partition, a step of
 * several key groups at a time) and hands `copy` each entry visible only through an ancestor, so
 * that it is written into the writer's own slot as a change of the open generation. Once every
 * entry of a key group was handed over, `copiedKeyGroups` says so: a checkpoint begun after that
 * commits the key group without ancestors, and a restore of it reads one slot there instead of
 * one per restore. `lineage` is the ancestry at the start; `stopped` ends the pass early (the
 * store closes): the key groups reported so far stay compacted. Returns the entries copied.
 */
export async function copyForward(
  scope: CompactionScope,
  lineage: readonly LineageEntry[],
  keyGroups: readonly number[],
  sink: {
    copy(entry: CopiedEntry): Promise<void>;
    copiedKeyGroups(keyGroups: readonly number[]): void;
    stopped(): boolean;
  },
): Promise<number> {
  let copied = 0;
  for (let i = 0; i < keyGroups.length; i += KEY_GROUPS_PER_STEP) {
    if (sink.stopped()) return copied;
    const step = keyGroups.slice(i, i + KEY_GROUPS_PER_STEP);
    const partitions = step.flatMap((keyGroup) =>
      Array.from({ length: scope.buckets }, (_, bucket) => ({ keyGroup, bucket })),
    );
    const found: CopiedEntry[][] = partitions.map(() => []);
    await forEachParallel(partitions, partitions.length, async ({ keyGroup, bucket }) => {
      const ancestors = ancestorsOf(lineage, keyGroup);
      const into = found[partitions.findIndex((p) => p.keyGroup === keyGroup && p.bucket === bucket)];
      await forEachEntrySlots(scope, keyGroup, bucket, (decoded, slots) => {
        // In the own slot already (the own slot wins), or in no ancestor's: nothing to copy.
        if (slots.has(scope.epoch) || !ancestors.some((a) => slots.has(a.epoch))) return;
        const resolved = resolveSlots(undefined, ancestors, (epoch) => slots.get(epoch));
        if (resolved.value === undefined) return;
        const { state, key, namespace, mapKey } = decoded;
        into?.push({
          ref: { state, keyGroup, key, namespace, mapKey },
          value: resolved.value,
          expiresAt: resolved.expiresAt,
        });
      });
    });
    // Copied one at a time, after the reads: each copy decides on what the cache knows then.
    for (const entries of found) {
      for (const entry of entries) {
        if (sink.stopped()) return copied;
        await sink.copy(entry);
        copied++;
      }
    }
    sink.copiedKeyGroups(step);
  }
  return copied;
}

/**
 * Deletes every item held in the slot of an ancestor that `dropped` lists for its key group: the
 * ancestors a checkpoint committed after a compaction stopped reading, once it is the oldest
 * restorable (no restorable checkpoint reads them then). One partition at a time, so memory stays
 * bounded. Returns the items deleted.
 */
export async function purgeAncestors(
  scope: CompactionScope,
  dropped: readonly LineageEntry[],
): Promise<number> {
  let deleted = 0;
  const keyGroups = new Set(
    dropped.flatMap((e) => Array.from({ length: e.end - e.start + 1 }, (_, i) => e.start + i)),
  );
  for (const kg of [...keyGroups].sort((a, b) => a - b)) {
    const epochs = new Set(ancestorsOf(dropped, kg).map((a) => a.epoch));
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

/** What a compaction needs of its store: where to read, the store's lineage, its copy, and its end. */
export interface CompactionHost {
  readonly scope: CompactionScope;
  readonly logger: Logger;
  /** The ancestors the store sees now. */
  lineage(): readonly LineageEntry[];
  /** Whether key group `keyGroup` was copied forward already (its next checkpoint commits it without ancestors). */
  isCopied(keyGroup: number): boolean;
  /**
   * Makes an entry seen only through an ancestor a change of the open generation, unless the store
   * changed or flushed it since the Query saw it.
   */
  copy(entry: CopiedEntry): Promise<void>;
  /** Every entry of these key groups was copied: checkpoints begun from now commit them without ancestors. */
  copied(keyGroups: readonly number[]): void;
  closed(): boolean;
}

/**
 * Runs lineage compactions for one store, one at a time: {@link copyForward} of the key groups
 * deeper than a depth, each handed to the store as soon as it was copied. Progress is durable by
 * key group: a checkpoint commits without ancestors every key group copied before it began, so an
 * owner stopped midway leaves its successor a lineage that is shallow there, and the successor's
 * compaction (of the key groups still deep) continues where it stopped.
 */
export class LineageCompactor {
  readonly #host: CompactionHost;
  #running: Promise<number> | undefined;
  /** The depth the running compaction compacts above. */
  #runningAbove = 0;

  constructor(host: CompactionHost) {
    this.#host = host;
  }

  /**
   * Compacts every key group with more than `above` ancestors (default 0: all), or joins the
   * compaction running when it covers them; resolves with the entries copied.
   */
  run(above = 0): Promise<number> {
    const running = this.#running;
    if (running !== undefined && this.#runningAbove <= above) return running;
    const next = (running?.catch(() => 0) ?? Promise.resolve(0)).then((before) =>
      this.#compact(above).then((copied) => before + copied),
    );
    this.#running = next;
    this.#runningAbove = above;
    next
      .finally(() => {
        if (this.#running === next) this.#running = undefined;
      })
      .catch(() => undefined);
    return next;
  }

  /**
   * Starts a compaction in the background, unless one runs, when a key group has more ancestors
   * than `depth` (0: never) that was not copied yet.
   */
  startWhenDeeperThan(depth: number): void {
    const host = this.#host;
    if (depth === 0 || this.#running !== undefined) return;
    const range = host.scope.keyGroupRange;
    if (!keyGroupsDeeperThan(range, host.lineage(), depth).some((kg) => !host.isCopied(kg))) return;
    this.run(depth).catch((error: unknown) =>
      host.logger.warn(
        'Lineage compaction stopped; the key groups copied so far stay compacted, the next owner continues',
        {
          error: String(error),
        },
      ),
    );
  }

  /** Resolves once no compaction runs (a failed one included). */
  async settled(): Promise<void> {
    while (this.#running !== undefined) await this.#running.catch(() => undefined);
  }

  async #compact(above: number): Promise<number> {
    const host = this.#host;
    const lineage = host.lineage();
    const keyGroups = keyGroupsDeeperThan(host.scope.keyGroupRange, lineage, above).filter(
      (kg) => !host.isCopied(kg),
    );
    if (keyGroups.length === 0) return 0;
    let done = 0;
    const copied = await copyForward(host.scope, lineage, keyGroups, {
      copy: (entry) => host.copy(entry),
      copiedKeyGroups: (step) => {
        done += step.length;
        host.copied(step);
      },
      stopped: () => host.closed(),
    });
    host.logger.info(
      'Compacted the lineage of key groups; the next checkpoint commits them without ancestors',
      {
        keyGroups: done,
        of: keyGroups.length,
        copied,
      },
    );
    return copied;
  }
}
