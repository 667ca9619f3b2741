import { SnapshotAbortedError } from '@statebackend/aws-base';
import { type CommitRecord, cutLineage, type LineageEntry } from '../checkpoint/lineage.js';
import type { CheckpointTracker } from './checkpoint-tracker.js';
import type { FrozenEntry } from './flush.js';
import { deleteSuperseded, type Garbage, type Superseded } from './garbage.js';
import { purgeAncestors } from './lineage-compaction.js';
import { pruneCommits } from './prune-commits.js';
import type { WriterScope } from './writer-scope.js';

/** What the store froze for a checkpoint when `snapshot` was called. */
export interface CheckpointRequest {
  readonly checkpointId: number;
  /** The generation it closes: its cutoff. */
  readonly gen: number;
  readonly frozen: readonly FrozenEntry[];
  readonly metadata: Uint8Array;
  readonly states: string | undefined;
  /** The lineage its commit record carries: the store's, without the key groups copied forward. */
  readonly lineage: readonly LineageEntry[];
  /** Key groups a lineage compaction copied forward before it began: it commits them without ancestors. */
  readonly copiedKeyGroups: ReadonlySet<number>;
}

/** What `begin` took of a checkpoint at its call, for the task that writes and commits it. */
interface FrozenCheckpoint extends CheckpointRequest {
  readonly started: number;
}

/** What the checkpoints of a store need of it besides its scope. */
export interface CheckpointHost {
  /** Where flushes note what they made garbage: commits take it, clean-ups delete it. */
  readonly garbage: Garbage;
  /** Writes `frozen` as generation `gen` of the own slot; resolves with the bytes written. */
  flush(frozen: readonly FrozenEntry[], gen: number): Promise<number>;
  /** The ancestors the store reads now. */
  lineage(): readonly LineageEntry[];
  /** A checkpoint committed `lineage` (after a compaction): reads and later commits use it. */
  adoptLineage(lineage: readonly LineageEntry[]): void;
  /** This writer's items of these entries were deleted: cached entries forget them. */
  forgetOwnItems(ids: readonly string[]): void;
  /** Runs a task in the store's one-at-a-time queue, after those queued before it. */
  enqueue(task: () => Promise<void>): Promise<void>;
}

type CheckpointScope = Pick<
  WriterScope,
  | 'io'
  | 'scopeBytes'
  | 'log'
  | 'keyGroupRange'
  | 'maxParallelism'
  | 'buckets'
  | 'epoch'
  | 'keepHistory'
  | 'metrics'
  | 'logger'
>;

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
 * The checkpoint side of a store: snapshots (frozen by the store at the call, written and
 * committed later), completion and abort notices, which checkpoints stay restorable (its
 * {@link CheckpointTracker}), and the clean-up of what no restorable checkpoint needs. Every
 * method that returns a task expects it to run in the store's one-at-a-time queue.
 */
export class Checkpoints {
  readonly #scope: CheckpointScope;
  readonly #tracker: CheckpointTracker;
  readonly #host: CheckpointHost;
  /** Snapshots called and not aborted, until they commit. */
  readonly #inFlight = new Set<number>();
  /** Ancestors' items each committed checkpoint superseded, deleted once it is the oldest restorable. */
  readonly #superseded = new Map<number, Superseded[]>();
  /** Ancestors (by key group) a checkpoint committed after a lineage compaction no longer reads. */
  readonly #purges = new Map<number, readonly LineageEntry[]>();
  #carriedPurge: readonly LineageEntry[] = [];
  /** A completion notice a log that cannot rewrite its records (see `CommitLog`) applies at the next commit. */
  #deferredConfirm: number | undefined;

  constructor(scope: CheckpointScope, tracker: CheckpointTracker, host: CheckpointHost) {
    this.#scope = scope;
    this.#tracker = tracker;
    this.#host = host;
  }

  /**
   * How many versions an item holds at most: the newest, one per retained checkpoint, and one for
   * the newest committed checkpoint while it is not complete.
   */
  get versionsPerItem(): number {
    return this.#tracker.versionsPerItem;
  }

  /** Whether a checkpoint restored at open (committed by earlier owners) may still be restored. */
  get restoredStillRestorable(): boolean {
    return this.#tracker.holdsRestored();
  }

  /** Cutoffs of every checkpoint that may still be restored: the versions a write keeps. */
  cutoffs(): number[] {
    return this.#tracker.cutoffs();
  }

  /** Starts checkpoint `request.checkpointId`; returns the task that writes and commits it. */
  begin(request: CheckpointRequest): () => Promise<CompletedCheckpoint> {
    const snapshot: FrozenCheckpoint = {
      ...request,
      metadata: request.metadata.slice(),
      started: performance.now(),
    };
    this.#inFlight.add(request.checkpointId);
    return () => this.#write(snapshot);
  }

  async #write(s: FrozenCheckpoint): Promise<CompletedCheckpoint> {
    const scope = this.#scope;
    const tracker = this.#tracker;
    // Whether the checkpoint before this one became complete meanwhile (every key group committed
    // it), read beside the flush: otherwise this commit would subsume it while it is the job's
    // newest complete one.
    const records = this.#needsCoverage() ? scope.log.list() : undefined;
    records?.catch(() => undefined);
    const bytesWritten = await this.#host.flush(s.frozen, s.gen);
    if (!this.#inFlight.delete(s.checkpointId)) {
      throw new SnapshotAbortedError(s.checkpointId, 'it was aborted while its state was written');
    }
    if (records !== undefined) this.#confirmCovered(await records);
    if (this.#deferredConfirm !== undefined) tracker.confirm(this.#deferredConfirm);
    this.#deferredConfirm = undefined;
    await scope.log.commit({
      checkpointId: s.checkpointId,
      epoch: scope.epoch,
      cutoff: s.gen,
      start: scope.keyGroupRange.startKeyGroup,
      end: scope.keyGroupRange.endKeyGroup,
      lineage: s.lineage,
      metadata: s.metadata,
      committedAt: Date.now(),
      restorable: tracker.restorableAfterCommit(s.checkpointId),
      maxParallelism: scope.maxParallelism,
      buckets: scope.buckets,
      written: { entries: s.frozen.length, bytes: bytesWritten },
      ...(s.states === undefined ? {} : { states: s.states }),
    });
    tracker.onCommitted(s.checkpointId, s.gen);
    // The ancestors of the key groups it committed copied forward: reads and later commits leave
    // them, and once it is the oldest restorable checkpoint their items go.
    const { kept, dropped } = cutLineage(this.#host.lineage(), s.copiedKeyGroups);
    if (dropped.length > 0) this.#host.adoptLineage(kept);
    this.#superseded.set(s.checkpointId, this.#host.garbage.takeSuperseded(s.gen));
    const purge = [...dropped, ...this.#carriedPurge];
    this.#carriedPurge = [];
    if (purge.length > 0) this.#purges.set(s.checkpointId, purge);
    // Off the checkpoint's critical path: the next task in the queue, before any later flush.
    this.#host.enqueue(() => this.#cleanUp()).catch(() => undefined);
    const durationMs = performance.now() - s.started;
    scope.metrics.checkpointDurationMs.update(Math.round(durationMs));
    return { checkpointId: s.checkpointId, durationMs, entriesWritten: s.frozen.length, bytesWritten };
  }

  /** The task of a completion notice. */
  complete(checkpointId: number): () => Promise<void> {
    return async () => {
      const { log } = this.#scope;
      const tracker = this.#tracker;
      if (!tracker.pendingIds().some((id) => id <= checkpointId)) return;
      if (!log.updatesRestorable) {
        // Restores trust the list the newest record was written with: keep it true until the next commit.
        this.#deferredConfirm = Math.max(this.#deferredConfirm ?? 0, checkpointId);
        return;
      }
      tracker.confirm(checkpointId);
      await log.updateRestorable(tracker.restorableIds());
      await this.#cleanUp();
    };
  }

  /** In `commit` mode, a writer of some key groups learns from the records when a checkpoint is complete. */
  #needsCoverage(): boolean {
    const tracker = this.#tracker;
    return tracker.mode === 'commit' && !tracker.completesAtCommit && tracker.pendingIds().length > 0;
  }

  /** Confirms this writer's waiting checkpoints that every key group has committed; true when one was. */
  #confirmCovered(records: readonly CommitRecord[]): boolean {
    const tracker = this.#tracker;
    let confirmed = false;
    for (const id of tracker.pendingIds()) {
      if (coversEveryKeyGroup(records, id, this.#scope.maxParallelism))
        confirmed = tracker.confirm(id) || confirmed;
    }
    return confirmed;
  }

  /** Stops a snapshot still writing `checkpointId` now; returns the task that removes its commit. */
  abort(checkpointId: number): () => Promise<void> {
    this.#inFlight.delete(checkpointId);
    return async () => {
      const { log, epoch } = this.#scope;
      if (!this.#tracker.isPending(checkpointId)) return;
      const records = await log.list();
      await log.remove(records.filter((c) => c.checkpointId === checkpointId && c.epoch === epoch));
      this.#tracker.abort(checkpointId);
      // Still superseded by writes in the own slot: the next checkpoint takes them over.
      this.#host.garbage.giveBack(this.#superseded.get(checkpointId) ?? []);
      this.#superseded.delete(checkpointId);
      // The ancestors go with the next checkpoint instead, which commits without them too.
      const purge = this.#purges.get(checkpointId);
      if (purge !== undefined) this.#carriedPurge = [...this.#carriedPurge, ...purge];
      this.#purges.delete(checkpointId);
    };
  }

  /** Deletes what no restorable checkpoint needs: ancestors' items and older commit records. */
  async #cleanUp(): Promise<void> {
    const scope = this.#scope;
    const tracker = this.#tracker;
    try {
      if (
        this.#needsCoverage() &&
        scope.log.updatesRestorable &&
        this.#confirmCovered(await scope.log.list())
      ) {
        await scope.log.updateRestorable(tracker.restorableIds());
      }
      const oldest = tracker.oldestRestorable();
      // Keeping history: every commit record and item stays for the next owner to clean up.
      if (oldest === undefined || scope.keepHistory) return;
      for (const [id, superseded] of this.#superseded) {
        if (id > oldest) continue;
        await deleteSuperseded(scope.io, superseded);
        this.#superseded.delete(id);
      }
      this.#host.forgetOwnItems(await this.#host.garbage.deleteTombstones(scope.io, tracker.cutoffs()));
      for (const [id, dropped] of this.#purges) {
        if (id > oldest) continue;
        const deleted = await purgeAncestors(scope, dropped);
        scope.logger.info('Deleted the items of compacted ancestors', { checkpointId: id, deleted });
        this.#purges.delete(id);
      }
      await pruneCommits(scope.log, scope.keyGroupRange, oldest);
    } catch (error) {
      // Clean-up only: what stays is deleted at a later checkpoint, or overwritten.
      scope.logger.warn('Could not delete superseded versions or commit records', { error: String(error) });
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
