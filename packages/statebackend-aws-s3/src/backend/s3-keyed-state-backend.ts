import {
  type CheckpointSnapshotter,
  type CompletedCheckpoint,
  HeapKeyedStateBackend,
  type JsonValue,
  type KeyedStateBackendParameters,
  loadRestoredState,
  type RegisteredKeyedState,
  type RestoredKeyedState,
  type RestoredUserMetadata,
  TableSnapshotView,
  type WriterLease,
} from '@statebackend/aws-base';
import type { CheckpointMetrics } from '../metrics/checkpoint-metrics.js';
import type { S3CheckpointStorage } from '../storage/s3-checkpoint-storage.js';

/** What an {@link S3KeyedStateBackend} checkpoints with, set up by its builder. */
export interface S3KeyedStateBackendServices {
  readonly storage: S3CheckpointStorage;
  readonly lease: WriterLease;
  readonly snapshotter: CheckpointSnapshotter;
  readonly metrics: CheckpointMetrics;
  /** State read from the checkpoint restored, handed to each state as it registers. */
  readonly restored: RestoredKeyedState | undefined;
}

/** Where a keyed backend's state came from. */
export interface RestoredCheckpoint {
  readonly checkpointId: number;
  /** The caller's metadata of each part restored (one per writer of the restored key groups). */
  readonly userMetadata: readonly RestoredUserMetadata[];
}

/**
 * The heap keyed backend with its checkpoints in S3. Working state stays in memory as
 * deserialized values; {@link snapshot} freezes the tables copy-on-write (the only step that
 * holds up processing) and uploads in the background: full, or with incremental checkpoints only
 * the key groups changed since the last one, the manifest referencing earlier shared files for
 * the rest. Retention then deletes from S3 what no retained checkpoint references.
 *
 * Created by `S3StateBackend.createKeyedStateBackend`, which claims the key-group range (fencing
 * any previous owner) and restores the latest complete checkpoint, or the one asked for.
 *
 * @example
 * ```ts
 * await backend.withKey('user-1', async (ctx) => ctx.getState(counts).update(1));
 * const pending = backend.snapshot(42, { offset: 1200 }); // processing may go on now
 * await pending;                                          // checkpoint 42 is complete in S3
 * ```
 */
export class S3KeyedStateBackend<K> extends HeapKeyedStateBackend<K> {
  readonly storage: S3CheckpointStorage;
  readonly lease: WriterLease;
  /** The checkpoint restored at creation; undefined for a fresh start. */
  readonly restoredCheckpoint: RestoredCheckpoint | undefined;
  readonly checkpointMetrics: CheckpointMetrics;
  readonly #snapshotter: CheckpointSnapshotter;
  readonly #restored: RestoredKeyedState | undefined;

  constructor(parameters: KeyedStateBackendParameters<K>, services: S3KeyedStateBackendServices) {
    super(parameters);
    this.storage = services.storage;
    this.lease = services.lease;
    this.#snapshotter = services.snapshotter;
    this.checkpointMetrics = services.metrics;
    this.#restored = services.restored;
    const restored = services.restored;
    this.restoredCheckpoint =
      restored?.checkpointId === undefined
        ? undefined
        : { checkpointId: restored.checkpointId, userMetadata: restored.userMetadata };
  }

  /**
   * Takes checkpoint `checkpointId` of this backend's key groups, with `userMetadata` (e.g. the
   * source position) stored alongside. The state is captured when this is called; writes after
   * it never show in the checkpoint. The promise resolves once the commit record is in S3 (the
   * checkpoint is complete) and rejects with a typed error otherwise (`FencedError` when another
   * instance owns the key groups now), leaving the previous checkpoint the latest.
   */
  snapshot(checkpointId: number, userMetadata?: JsonValue): Promise<CompletedCheckpoint> {
    const started = performance.now();
    const view = new TableSnapshotView(
      this.snapshotTables(),
      this.maxParallelism,
      this.keySerializer,
      this.#restored?.pendingStates ?? [],
    );
    return this.#snapshotter.snapshot(checkpointId, view, userMetadata).then(
      (completed) => {
        this.checkpointMetrics.recordCompleted(completed, performance.now() - started);
        return completed;
      },
      (error: unknown) => {
        this.checkpointMetrics.recordFailed();
        throw error;
      },
    );
  }

  /** Aborts checkpoint `checkpointId`: stops its upload, or withdraws it if this backend committed it. */
  abortCheckpoint(checkpointId: number): Promise<void> {
    return this.#snapshotter.abort(checkpointId);
  }

  /** Ids of checkpoints still uploading. */
  get inFlightCheckpointIds(): ReadonlySet<number> {
    return this.#snapshotter.inFlightCheckpointIds;
  }

  protected override onStateRegistered(state: RegisteredKeyedState): void {
    super.onStateRegistered(state);
    const restored = this.#restored;
    const entries = restored?.take(state.name);
    if (restored === undefined || entries === undefined) return;
    loadRestoredState(entries, state, this.keySerializer, this.tableOf(state), restored.description);
  }

  protected override async disposeStore(): Promise<void> {
    this.#snapshotter.close();
    await super.disposeStore();
  }
}
