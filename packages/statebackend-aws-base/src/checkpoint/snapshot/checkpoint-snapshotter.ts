import {
  CheckpointAlreadyExistsError,
  CheckpointIdTooLowError,
  FencedError,
  SnapshotAbortedError,
} from '../../errors.js';
import { type Logger, noopLogger } from '../../logging/logger.js';
import type { CheckpointPart } from '../catalog/checkpoint-part.js';
import { discardNewerCheckpoints } from '../catalog/discard-newer-checkpoints.js';
import { KnownCommitRecords } from '../catalog/known-commit-records.js';
import { applyRetention, coversAllKeyGroups } from '../catalog/retention.js';
import type { JsonValue } from '../json.js';
import {
  type CheckpointFile,
  type CheckpointMetadata,
  encodeCheckpointMetadata,
} from '../metadata/checkpoint-metadata.js';
import type { CheckpointStorage, CommittedCheckpoint, WriterLease } from '../storage/checkpoint-storage.js';
import { CheckpointMetrics } from './checkpoint-metrics.js';
import type { CheckpointSnapshotterOptions, CompletedCheckpoint } from './checkpoint-snapshotter-options.js';
import type { SnapshotPlan, WrittenBlocks } from './snapshot-strategy.js';
import type { StateSnapshotView } from './state-snapshot-view.js';
import { writeDataFiles } from './write-data-files.js';

/**
 * Runs the asynchronous part of snapshots: encodes a frozen view into data files, writes them,
 * commits the metadata last, then applies retention. A failure at any step leaves the previous
 * checkpoint the latest complete one; the files it wrote are removed when that is safe, and by
 * retention otherwise.
 */
export class CheckpointSnapshotter {
  readonly #options: CheckpointSnapshotterOptions;
  readonly #logger: Logger;
  readonly #metrics: CheckpointMetrics | undefined;
  readonly #inFlight = new Map<number, { aborted: string | undefined; done: Promise<unknown> }>();
  #closed = false;
  /** The newest checkpoint confirmed complete (or restored); retention counts only up to it. */
  #confirmed = -1;
  /** The checkpoint restored or the newest one started, whichever is higher; 0 for none. */
  #latestId = 0;
  /** Of the state snapshotted; lets retention see checkpoints every writer committed. */
  #maxParallelism: number | undefined;
  /** The retention passes queued: one at a time, each after the previous one ended. */
  #retention: Promise<void> = Promise.resolve();
  /**
   * For each retention pass running, the checkpoints in flight at any time during it: a
   * snapshot started meanwhile adds its id, so the pass never takes its files for leftovers.
   */
  readonly #retentionGuards = new Set<Set<number>>();
  /** The newest checkpoint id committed for any key group of the range, by anyone; -1 for none. */
  #latestCommitted = -1;
  /**
   * What the history restored from left behind (the checkpoint restored, or undefined for a
   * savepoint or nothing): earlier owners' newer checkpoints stay until this writer's first
   * checkpoint is committed, so that a rollback can be undone until then.
   */
  #abandonedAfter: { readonly restoredId: number | undefined } | undefined;
  /** Whether this writer committed a checkpoint. */
  #committedOnce = false;
  /** Commit records whose files retention knows without reading them: its own, the restore's, those read. */
  readonly #knownRecords = new KnownCommitRecords();

  constructor(options: CheckpointSnapshotterOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#metrics =
      options.metricGroup === undefined ? undefined : new CheckpointMetrics(options.metricGroup);
  }

  get lease(): WriterLease {
    return this.#options.lease;
  }

  get storage(): CheckpointStorage {
    return this.#options.storage;
  }

  /** Whether the strategy writes only what changed, so the backend should record changed cells. */
  get incremental(): boolean {
    return this.#options.strategy.name === 'incremental';
  }

  /**
   * The newest checkpoint id committed for any key group of the range (by this writer or,
   * before it claimed the range, by earlier owners); -1 when there is none. A snapshot must
   * take a higher id.
   */
  get latestCheckpointId(): number {
    return this.#latestCommitted;
  }

  /**
   * What the builder found under the storage once the range was claimed and restored:
   * `latestCommitted` for the id rule, and the checkpoint restored from this storage (undefined
   * for a savepoint, another storage, or nothing), after which earlier owners' newer
   * checkpoints are abandoned once this writer's first checkpoint is committed.
   */
  continueHistory(latestCommitted: number, restoredId: number | undefined): void {
    this.#latestCommitted = Math.max(this.#latestCommitted, latestCommitted);
    this.#abandonedAfter = { restoredId };
    // `snapshot()` without an id takes the next one above these too.
    this.#latestId = Math.max(this.#latestId, latestCommitted);
  }

  /** The newest of: the checkpoint restored, any committed for the range, and any a snapshot was started for; 0 when none. */
  get lastCheckpointId(): number {
    return this.#latestId;
  }

  /** Ids of snapshots still being written. */
  get inFlightCheckpointIds(): ReadonlySet<number> {
    return new Set(this.#inFlight.keys());
  }

  /**
   * Plans the snapshot synchronously (the view must have been frozen just before) and returns
   * the promise of its asynchronous part. `release()` of the view is called when it ends.
   */
  snapshot(
    checkpointId: number,
    view: StateSnapshotView,
    userMetadata?: JsonValue,
  ): Promise<CompletedCheckpoint> {
    if (
      this.#closed ||
      this.#inFlight.has(checkpointId) ||
      !Number.isSafeInteger(checkpointId) ||
      checkpointId < 0
    ) {
      // Its changes were taken from the tables: a later checkpoint must still write them.
      this.#options.strategy.carry?.(view);
      view.release();
      const why = this.#closed
        ? 'the backend is closed'
        : this.#inFlight.has(checkpointId)
          ? 'a snapshot with this id is in flight'
          : 'checkpoint ids are non-negative integers';
      return Promise.reject(new SnapshotAbortedError(checkpointId, why));
    }
    if (checkpointId <= this.#latestCommitted) {
      // Refused before anything is written: an id that does not go up would shadow newer state.
      this.#options.strategy.carry?.(view);
      view.release();
      this.#metrics?.failed();
      return Promise.reject(
        new CheckpointIdTooLowError(this.#options.storage.location, checkpointId, this.#latestCommitted),
      );
    }
    this.#maxParallelism = view.maxParallelism;
    this.#latestId = Math.max(this.#latestId, checkpointId);
    let plan: SnapshotPlan;
    try {
      plan = this.#options.strategy.plan(checkpointId, view);
    } catch (error) {
      view.release();
      return Promise.reject(error);
    }
    const control = { aborted: undefined as string | undefined, done: Promise.resolve() as Promise<unknown> };
    this.#inFlight.set(checkpointId, control);
    for (const guard of this.#retentionGuards) guard.add(checkpointId);
    const started = performance.now();
    const done = this.#write(checkpointId, view, plan, userMetadata, control).then(
      (completed) => {
        this.#metrics?.completed(
          checkpointId,
          performance.now() - started,
          completed.stateSize,
          completed.bytesWritten,
        );
        return completed;
      },
      (error: unknown) => {
        this.#metrics?.failed();
        throw error;
      },
    );
    const settled = done.finally(() => {
      view.release();
      this.#inFlight.delete(checkpointId);
    });
    control.done = settled.catch(() => undefined);
    return settled;
  }

  async #write(
    checkpointId: number,
    view: StateSnapshotView,
    plan: SnapshotPlan,
    userMetadata: JsonValue | undefined,
    control: { readonly aborted: string | undefined },
  ): Promise<CompletedCheckpoint> {
    const { storage, lease } = this.#options;
    const written: CheckpointFile[] = [];
    const writtenBlocks: WrittenBlocks[] = [];
    const checkAborted = (): void => {
      if (control.aborted !== undefined) throw new SnapshotAbortedError(checkpointId, control.aborted);
    };
    let committed: CommittedCheckpoint;
    let metadata: CheckpointMetadata;
    let commitAttempted = false;
    try {
      // Key groups still being restored are read (and verified) before anything is written.
      await view.prepare?.();
      checkAborted();
      await writeDataFiles(
        { storage, lease, checkpointId, view, plan, checkAborted },
        {
          targetFileSize: this.#options.targetFileSize ?? 64 * 1024 * 1024,
          compression: this.#options.compression ?? 'none',
        },
        written,
        writtenBlocks,
      );
      checkAborted();
      metadata = {
        checkpointId,
        jobId: this.#options.jobId,
        operatorId: this.#options.operatorId,
        timestamp: view.timestamp,
        maxParallelism: view.maxParallelism,
        keyGroupRange: view.keyGroupRange,
        writerEpoch: lease.epoch,
        snapshotType: plan.snapshotType,
        ...(userMetadata === undefined ? {} : { userMetadata }),
        states: view.states,
        files: [...plan.reusedFiles, ...written].sort(
          (a, b) => (a.keyGroups[0]?.startKeyGroup ?? 0) - (b.keyGroups[0]?.startKeyGroup ?? 0),
        ),
      };
      const encodedMetadata = encodeCheckpointMetadata(metadata);
      commitAttempted = true;
      committed = await storage.commit(lease, checkpointId, encodedMetadata);
    } catch (error) {
      await this.#discardWritten(written, error, commitAttempted);
      throw error;
    }
    this.#knownRecords.remember(committed, metadata);
    this.#options.strategy.committed(metadata, writtenBlocks);
    this.#latestCommitted = Math.max(this.#latestCommitted, checkpointId);
    this.#committedOnce = true;
    this.#logger.info('Checkpoint committed', {
      checkpointId,
      location: storage.location,
      type: plan.snapshotType,
    });
    // Off the checkpoint's critical path, as Flink discards subsumed checkpoints: the checkpoint
    // is complete once committed. Later passes (and `complete`, `abort`, `settled`) queue behind it.
    void this.#queueRetention();
    return {
      checkpointId,
      snapshotType: plan.snapshotType,
      committed,
      metadata,
      bytesWritten: written.reduce((sum, f) => sum + f.size, 0),
      stateSize: metadata.files.reduce((sum, f) => sum + f.size, 0),
      entriesWritten: written.reduce((sum, f) => sum + f.entries, 0),
    };
  }

  /**
   * Removes the files of a failed snapshot, unless its commit may have been stored (a commit
   * whose answer was lost): then they stay, and retention removes them once unreferenced.
   */
  async #discardWritten(
    written: readonly CheckpointFile[],
    error: unknown,
    commitAttempted: boolean,
  ): Promise<void> {
    const commitRefused = error instanceof FencedError || error instanceof CheckpointAlreadyExistsError;
    if (written.length === 0 || (commitAttempted && !commitRefused)) return;
    await this.#options.storage.delete(written.map((f) => f.path)).catch((cleanupError: unknown) => {
      this.#logger.warn('Could not remove the files of a failed snapshot; retention will', {
        error: String(cleanupError),
      });
    });
  }

  /**
   * Applies retention after every pass already queued; a failure is logged, never fails a
   * committed checkpoint.
   */
  retain(): Promise<void> {
    return this.#queueRetention();
  }

  /** Resolves once every retention pass queued so far has ended. */
  settled(): Promise<void> {
    return this.#retention;
  }

  #queueRetention(): Promise<void> {
    const pass = this.#retention.then(() => this.#runRetention());
    this.#retention = pass;
    return pass;
  }

  async #runRetention(): Promise<void> {
    if (this.#options.keepHistory === true) return;
    const guard = new Set(this.#inFlight.keys());
    this.#retentionGuards.add(guard);
    try {
      const abandoned = this.#abandonedAfter;
      if (abandoned !== undefined && this.#committedOnce) {
        // The new lineage has a checkpoint of its own: the history it replaced may go now.
        await discardNewerCheckpoints(
          this.#options.storage,
          this.#options.lease,
          abandoned.restoredId,
          this.#logger,
        );
        this.#abandonedAfter = undefined;
      }
      await applyRetention(this.#options.storage, this.#options.lease, {
        retainedCheckpoints: this.#options.retainedCheckpoints ?? 1,
        confirmedCheckpointId: this.#confirmed,
        ...(this.#maxParallelism === undefined ? {} : { maxParallelism: this.#maxParallelism }),
        inFlightCheckpointIds: guard,
        knownRecords: this.#knownRecords,
        logger: this.#logger,
      });
    } catch (error) {
      this.#logger.warn('Checkpoint retention failed; it runs again after the next checkpoint', {
        error: String(error),
      });
    } finally {
      this.#retentionGuards.delete(guard);
    }
  }

  /**
   * Aborts checkpoint `checkpointId`: stops it if in flight (its files are removed), or removes
   * this writer's commit record and files of it, unless the checkpoint already completed
   * everywhere (every key group committed, or confirmed): a complete checkpoint stays.
   */
  async abort(checkpointId: number, reason = 'it was aborted'): Promise<void> {
    const control = this.#inFlight.get(checkpointId);
    if (control !== undefined) {
      control.aborted = reason;
      // Wait until it stopped and removed its files; its own promise rejects with SnapshotAbortedError.
      await control.done;
      return;
    }
    // A retention pass still queued may expire what this decision reads.
    await this.settled();
    const { storage, lease } = this.#options;
    const committed = await storage.listCommitted();
    const mine = committed.filter((c) => c.checkpointId === checkpointId && c.writerEpoch === lease.epoch);
    if (mine.length === 0) return;
    const complete =
      checkpointId <= this.#confirmed ||
      (this.#maxParallelism !== undefined &&
        coversAllKeyGroups(committed, checkpointId, this.#maxParallelism));
    if (complete) {
      // Once every writer committed it, it is complete, as in Flink: older ones may be gone already.
      this.#logger.warn('Checkpoint was aborted after it completed everywhere; it stays', {
        checkpointId,
        location: storage.location,
      });
      return;
    }
    await storage.delete(mine.map((c) => c.path));
    this.#options.strategy.discarded(checkpointId);
    await this.retain();
  }

  /**
   * Checkpoint `checkpointId` completed everywhere (all writers committed it): retention may now
   * drop what it subsumes.
   */
  async complete(checkpointId: number): Promise<void> {
    this.#confirmed = Math.max(this.#confirmed, checkpointId);
    await this.retain();
  }

  /**
   * The backend's state was restored from `checkpointId` (undefined for a savepoint): the next
   * snapshot cannot build on earlier files, and the restored checkpoint counts as complete.
   */
  restoredFrom(checkpointId: number | undefined): void {
    this.#options.strategy.reset();
    this.#confirmed = checkpointId ?? -1;
    this.#latestId = Math.max(this.#latestId, checkpointId ?? 0);
  }

  /** The commit records a restore from this storage read: retention need not read them again. */
  knowCommitRecords(parts: readonly CheckpointPart[]): void {
    for (const { committed, metadata } of parts) this.#knownRecords.remember(committed, metadata);
  }

  /**
   * After {@link restoredFrom}: the state restored is checkpoint `base` (its files in this
   * storage, restricted to this writer's range), and key groups not changed since are carried
   * into the next checkpoints by reference, where the strategy can (incremental).
   */
  continueFrom(base: CheckpointMetadata): void {
    this.#options.strategy.restoredFrom?.(base);
  }

  /** Aborts every snapshot in flight; later calls to {@link snapshot} fail. */
  close(): void {
    this.#closed = true;
    for (const control of this.#inFlight.values()) control.aborted = 'the backend was closed';
  }
}
