import type { CheckpointingKeyedStateBackend } from '../backend/checkpointing-keyed-state-backend.js';
import { type DriverMetadata, encodeDriverMetadata } from './driver-metadata.js';
import type { DriverCheckpoint } from './processor-driver-options.js';

/**
 * The driver's checkpoints: ids follow the restored one, and at most one snapshot uploads at a
 * time while the next records are processed. A failed snapshot is reported to `fail` (the driver
 * then stops); it never counts as taken.
 */
export class SnapshotPipeline {
  readonly #backend: CheckpointingKeyedStateBackend<unknown>;
  readonly #onCheckpoint: ((checkpoint: DriverCheckpoint) => void) | undefined;
  readonly #fail: (error: unknown) => void;
  #lastCheckpointId: number | undefined;
  #completed = 0;
  #pending: Promise<void> | undefined;

  constructor(
    backend: CheckpointingKeyedStateBackend<unknown>,
    restoredCheckpointId: number | undefined,
    onCheckpoint: ((checkpoint: DriverCheckpoint) => void) | undefined,
    fail: (error: unknown) => void,
  ) {
    this.#backend = backend;
    // After a rollback, newer checkpoints of the old lineage still hold ids above the restored one.
    const latest = backend.latestCheckpointId ?? -1;
    this.#lastCheckpointId =
      latest >= 0 && latest > (restoredCheckpointId ?? -1) ? latest : restoredCheckpointId;
    this.#onCheckpoint = onCheckpoint;
    this.#fail = fail;
  }

  /** The last checkpoint started (or restored); undefined when there is none. */
  get lastCheckpointId(): number | undefined {
    return this.#lastCheckpointId;
  }

  /** The id the next checkpoint takes. */
  get nextCheckpointId(): number {
    return (this.#lastCheckpointId ?? 0) + 1;
  }

  /** Checkpoints completed by this pipeline. */
  get completed(): number {
    return this.#completed;
  }

  /** Resolves once the snapshot uploading (if any) settled. */
  async settled(): Promise<void> {
    await this.#pending;
  }

  /**
   * Freezes the state now with `progress` (the caller has drained the work in flight and waited
   * for {@link settled}); the upload continues in the background.
   */
  start(progress: DriverMetadata): void {
    const backend = this.#backend;
    const checkpointId = this.nextCheckpointId;
    const snapshot = backend.snapshot(checkpointId, encodeDriverMetadata(progress));
    this.#lastCheckpointId = checkpointId;
    this.#pending = snapshot.then(
      async () => {
        this.#completed++;
        await backend.notifyCheckpointComplete(checkpointId);
        this.#onCheckpoint?.({ checkpointId, offset: progress.offset, position: progress.position });
      },
      (error: unknown) => this.#fail(error),
    );
  }
}
