import { SnapshotAbortedError } from '@statebackend/aws-base';
import type { CommitRecord, LineageEntry } from '../checkpoint/lineage.js';
import { type FrozenEntry, flushEntries, freeze, takeSuperseded } from './flush.js';
import { deleteSuperseded, deleteTombstones } from './garbage.js';
import { purgeAncestors } from './lineage-compaction.js';
import { pruneCommits } from './prune-commits.js';
import type { StoreContext, Superseded } from './store-context.js';

/** What `begin` took of a checkpoint at its call, for the task that writes and commits it. */
interface FrozenCheckpoint {
  readonly checkpointId: number;
  /** The generation it closes: its cutoff. */
  readonly gen: number;
  readonly frozen: readonly FrozenEntry[];
  readonly started: number;
  readonly metadata: Uint8Array;
  readonly states: string | undefined;
  /** The lineage its commit record carries. */
  readonly lineage: readonly LineageEntry[];
  readonly compacted: StoreContext['compacted'];
}

/** A completed checkpoint, as `DynamoDbStateStore.snapshot` returns it. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly durationMs: number;
  /** Entries written by the checkpoint's flush. */
  readonly entriesWritten: number;
  /** Bytes of keys and values its flush wrote: the checkpoint's incremental size. */
  readonly bytesWritten: number;
}

/**
 * The checkpoint side of a store: snapshots (frozen at the call, written and committed later),
 * completion and abort notices, and the clean-up of what no restorable checkpoint needs. Every
 * method that returns a task expects it to run in the store's one-at-a-time queue.
 */
export class Checkpoints {
  readonly #ctx: StoreContext;
  /** Snapshots called and not aborted, until they commit. */
  readonly #inFlight = new Set<number>();
  /** Ancestors' items each committed checkpoint superseded, deleted once it is the oldest restorable. */
  readonly #superseded = new Map<number, Superseded[]>();
  /** Ancestor epochs a checkpoint committed after a lineage compaction no longer reads. */
  readonly #purges = new Map<number, ReadonlySet<number>>();
  #carriedPurge: ReadonlySet<number> = new Set();
  /** A completion notice a log that cannot rewrite its records (see `CommitLog`) applies at the next commit. */
  #deferredConfirm: number | undefined;

  readonly #enqueue: (task: () => Promise<void>) => Promise<void>;

  /** `enqueue` runs a task in the store's one-at-a-time queue, after those queued before it. */
  constructor(ctx: StoreContext, enqueue: (task: () => Promise<void>) => Promise<void>) {
    this.#ctx = ctx;
    this.#enqueue = enqueue;
  }

  /** Closes the open generation and freezes what changed, now; returns the task that writes and commits it. */
  begin(checkpointId: number, metadata: Uint8Array, states?: string): () => Promise<CompletedCheckpoint> {
    const ctx = this.#ctx;
    // A compaction finished before this call: every entry it copied is in `frozen` or flushed.
    const compacted = ctx.compacted;
    ctx.compacted = undefined;
    const snapshot: FrozenCheckpoint = {
      checkpointId,
      gen: ctx.gen++,
      frozen: freeze(ctx.cache.dirty()),
      started: performance.now(),
      metadata: metadata.slice(),
      states,
      lineage: compacted?.lineage ?? ctx.lineage,
      compacted,
    };
    this.#inFlight.add(checkpointId);
    return async () => {
      try {
        return await this.#write(snapshot);
      } catch (error) {
        // Not committed: the next checkpoint commits the compacted lineage instead.
        if (compacted !== undefined) ctx.compacted ??= compacted;
        throw error;
      }
    };
  }

  async #write(s: FrozenCheckpoint): Promise<CompletedCheckpoint> {
    const ctx = this.#ctx;
    // Whether the checkpoint before this one became complete meanwhile (every key group committed
    // it), read beside the flush: otherwise this commit would subsume it while it is the job's
    // newest complete one.
    const records = this.#needsCoverage() ? ctx.log.list() : undefined;
    records?.catch(() => undefined);
    const bytesWritten = await flushEntries(ctx, s.frozen, s.gen);
    if (!this.#inFlight.delete(s.checkpointId)) {
      throw new SnapshotAbortedError(s.checkpointId, 'it was aborted while its state was written');
    }
    if (records !== undefined) this.#confirmCovered(await records);
    if (this.#deferredConfirm !== undefined) ctx.tracker.confirm(this.#deferredConfirm);
    this.#deferredConfirm = undefined;
    await ctx.log.commit({
      checkpointId: s.checkpointId,
      epoch: ctx.epoch,
      cutoff: s.gen,
      start: ctx.keyGroupRange.startKeyGroup,
      end: ctx.keyGroupRange.endKeyGroup,
      lineage: s.lineage,
      metadata: s.metadata,
      committedAt: Date.now(),
      restorable: ctx.tracker.restorableAfterCommit(s.checkpointId),
      maxParallelism: ctx.maxParallelism,
      buckets: ctx.buckets,
      written: { entries: s.frozen.length, bytes: bytesWritten },
      ...(s.states === undefined ? {} : { states: s.states }),
    });
    ctx.tracker.onCommitted(s.checkpointId, s.gen);
    if (s.compacted !== undefined) ctx.lineage = s.compacted.lineage;
    this.#superseded.set(s.checkpointId, takeSuperseded(ctx, s.gen));
    const purge = new Set([...(s.compacted?.purge ?? []), ...this.#carriedPurge]);
    this.#carriedPurge = new Set();
    if (purge.size > 0) this.#purges.set(s.checkpointId, purge);
    // Off the checkpoint's critical path: the next task in the queue, before any later flush.
    this.#enqueue(() => this.#cleanUp()).catch(() => undefined);
    const durationMs = performance.now() - s.started;
    ctx.metrics.checkpointDurationMs.update(Math.round(durationMs));
    return { checkpointId: s.checkpointId, durationMs, entriesWritten: s.frozen.length, bytesWritten };
  }

  /** The task of a completion notice. */
  complete(checkpointId: number): () => Promise<void> {
    return async () => {
      const ctx = this.#ctx;
      if (!ctx.tracker.pendingIds().some((id) => id <= checkpointId)) return;
      if (!ctx.log.updatesRestorable) {
        // Restores trust the list the newest record was written with: keep it true until the next commit.
        this.#deferredConfirm = Math.max(this.#deferredConfirm ?? 0, checkpointId);
        return;
      }
      ctx.tracker.confirm(checkpointId);
      await ctx.log.updateRestorable(ctx.tracker.restorableIds());
      await this.#cleanUp();
    };
  }

  /** In `commit` mode, a writer of some key groups learns from the records when a checkpoint is complete. */
  #needsCoverage(): boolean {
    const tracker = this.#ctx.tracker;
    return tracker.mode === 'commit' && !tracker.completesAtCommit && tracker.pendingIds().length > 0;
  }

  /** Confirms this writer's waiting checkpoints that every key group has committed; true when one was. */
  #confirmCovered(records: readonly CommitRecord[]): boolean {
    const ctx = this.#ctx;
    let confirmed = false;
    for (const id of ctx.tracker.pendingIds()) {
      if (coversEveryKeyGroup(records, id, ctx.maxParallelism))
        confirmed = ctx.tracker.confirm(id) || confirmed;
    }
    return confirmed;
  }

  /** Stops a snapshot still writing `checkpointId` now; returns the task that removes its commit. */
  abort(checkpointId: number): () => Promise<void> {
    this.#inFlight.delete(checkpointId);
    return async () => {
      const ctx = this.#ctx;
      if (!ctx.tracker.isPending(checkpointId)) return;
      const records = await ctx.log.list();
      await ctx.log.remove(records.filter((c) => c.checkpointId === checkpointId && c.epoch === ctx.epoch));
      ctx.tracker.abort(checkpointId);
      // Still superseded by writes in the own slot: the next checkpoint takes them over.
      ctx.superseded.unshift(...(this.#superseded.get(checkpointId) ?? []));
      this.#superseded.delete(checkpointId);
      // The ancestors go with the next checkpoint instead, which commits without them too.
      const purge = this.#purges.get(checkpointId);
      if (purge !== undefined) this.#carriedPurge = new Set([...this.#carriedPurge, ...purge]);
      this.#purges.delete(checkpointId);
    };
  }

  /** Deletes what no restorable checkpoint needs: ancestors' items and older commit records. */
  async #cleanUp(): Promise<void> {
    const ctx = this.#ctx;
    try {
      if (this.#needsCoverage() && ctx.log.updatesRestorable && this.#confirmCovered(await ctx.log.list())) {
        await ctx.log.updateRestorable(ctx.tracker.restorableIds());
      }
      const oldest = ctx.tracker.oldestRestorable();
      if (oldest === undefined) return;
      for (const [id, superseded] of this.#superseded) {
        if (id > oldest) continue;
        await deleteSuperseded(ctx, superseded);
        this.#superseded.delete(id);
      }
      await deleteTombstones(ctx);
      for (const [id, epochs] of this.#purges) {
        if (id > oldest) continue;
        const deleted = await purgeAncestors(ctx, epochs);
        ctx.logger.info('Deleted the items of compacted ancestors', { checkpointId: id, deleted });
        this.#purges.delete(id);
      }
      await pruneCommits(ctx, oldest);
    } catch (error) {
      // Clean-up only: what stays is deleted at a later checkpoint, or overwritten.
      ctx.logger.warn('Could not delete superseded versions or commit records', { error: String(error) });
    }
  }
}

/** Whether the commit records of checkpoint `checkpointId` cover every key group of the operator. */
function coversEveryKeyGroup(
  records: readonly CommitRecord[],
  checkpointId: number,
  maxParallelism: number,
): boolean {
  const parts = records.filter((c) => c.checkpointId === checkpointId).sort((a, b) => a.start - b.start);
  let next = 0;
  for (const part of parts) {
    if (part.start > next) return false;
    next = Math.max(next, part.end + 1);
  }
  return next >= maxParallelism;
}
