import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { LineageEntry } from '../checkpoint/lineage.js';
import { forEachParallel } from '../io/parallel.js';
import { dataPartitionKey, slotSortKey } from '../layout/item-key.js';
import { forEachEntrySlots } from './key-group-reader.js';
import { type ReaderChain, readersOf, unreadSlots } from './unread-slots.js';
import type { WriterScope } from './writer-scope.js';

type SweepScope = Pick<
  WriterScope,
  'io' | 'scopeBytes' | 'log' | 'keyGroupRange' | 'buckets' | 'epoch' | 'logger'
>;

/** Key groups one queued step of the sweep reads (every bucket partition of each, in parallel). */
const KEY_GROUPS_PER_STEP = 8;

/**
 * The pass a restored owner makes over its key groups after its first commit: deletes the items of
 * older writers that neither the working state nor any checkpoint a restore can still reach can
 * read (see {@link unreadSlots} and {@link reachableRecords}). It decides from the table alone,
 * whoever wrote what: what any chain of predecessors left when each stopped before its own
 * clean-up (the removals and superseded items of their intervals, early flushes no commit covers,
 * the ancestors of key groups a compaction committed, items of checkpoints no longer retained) goes
 * at the first owner that lives through one pass. It runs again, once, after the first commit at
 * which no checkpoint restored at open is restorable any more, when the first pass ran before
 * that (with more than one retained checkpoint): what only those needed goes then. Each step is a
 * task of the store's queue, so checkpoints interleave with it; a close waits for the pass.
 */
export class PredecessorSweep {
  readonly #scope: SweepScope;
  /** Whether the store restored a checkpoint: only then can older writers have left anything. */
  readonly #restored: boolean;
  readonly #enqueue: (task: () => Promise<void>) => Promise<void>;
  #running: Promise<void> | undefined;
  /** Passes started; whether the last one ran while restored checkpoints were still restorable. */
  #passes = 0;
  #ranWithRestored = false;
  #deleted = 0;

  /** `enqueue` runs a task in the store's one-at-a-time queue. */
  constructor(scope: SweepScope, restored: boolean, enqueue: (task: () => Promise<void>) => Promise<void>) {
    this.#scope = scope;
    this.#restored = restored;
    this.#enqueue = enqueue;
  }

  /**
   * After a commit: starts the first pass, or the second once `restoredStillRestorable` became
   * false (see the class). `lineage` is the store's now, taken before the records are listed:
   * every commit of this writer made after the listing reads at most these ancestors (a
   * compaction only removes some).
   */
  afterCommit(lineage: readonly LineageEntry[], restoredStillRestorable: boolean): void {
    if (!this.#restored) return;
    const due =
      this.#passes === 0 || (this.#passes === 1 && this.#ranWithRestored && !restoredStillRestorable);
    if (!due) return;
    this.#passes++;
    this.#ranWithRestored = restoredStillRestorable;
    const previous = this.#running ?? Promise.resolve();
    this.#running = previous.then(() =>
      this.#sweep(lineage).catch((error: unknown) => {
        this.#scope.logger.warn('Could not delete what earlier owners left; the next owner tries again', {
          error: String(error),
        });
      }),
    );
  }

  /** Resolves once the passes started ended (they never reject). */
  async settled(): Promise<void> {
    let running: Promise<void> | undefined;
    while (running !== this.#running) {
      running = this.#running;
      await running;
    }
  }

  async #sweep(lineage: readonly LineageEntry[]): Promise<void> {
    const scope = this.#scope;
    const records = await scope.log.list();
    this.#deleted = 0;
    const { startKeyGroup, endKeyGroup } = scope.keyGroupRange;
    for (let kg = startKeyGroup; kg <= endKeyGroup; kg += KEY_GROUPS_PER_STEP) {
      const last = Math.min(endKeyGroup, kg + KEY_GROUPS_PER_STEP - 1);
      const keyGroups = Array.from({ length: last - kg + 1 }, (_, i) => kg + i);
      await this.#enqueue(async () => {
        const partitions = keyGroups.flatMap((keyGroup) =>
          Array.from({ length: scope.buckets }, (_, bucket) => ({ keyGroup, bucket })),
        );
        await forEachParallel(partitions, partitions.length, async ({ keyGroup, bucket }) => {
          this.#deleted += await sweepPartition(
            scope,
            readersOf(lineage, records, keyGroup),
            keyGroup,
            bucket,
          );
        });
      });
    }
    scope.logger.info('Deleted what earlier owners left', { deleted: this.#deleted });
  }
}

/** Deletes the unread slots of one partition, those no reader resolves to before removals. Returns how many. */
async function sweepPartition(
  scope: SweepScope,
  readers: readonly ReaderChain[],
  keyGroup: number,
  bucket: number,
): Promise<number> {
  const pk = dataPartitionKey(scope.scopeBytes, keyGroup, bucket);
  const first: WriteRequest[] = [];
  const then: WriteRequest[] = [];
  await forEachEntrySlots(scope, keyGroup, bucket, (decoded, slots) => {
    const unread = unreadSlots(slots, readers, scope.epoch);
    const remove = (epoch: number): WriteRequest => ({
      DeleteRequest: { Key: { pk: { B: pk }, sk: { B: slotSortKey(decoded.prefix, epoch) } } },
    });
    first.push(...unread.unresolved.map(remove));
    then.push(...unread.removals.map(remove));
  });
  if (first.length > 0) await scope.io.batchWrite(first);
  if (then.length > 0) await scope.io.batchWrite(then);
  return first.length + then.length;
}
