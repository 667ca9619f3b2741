import type { JsonValue } from '../checkpoint/json.js';
import type { RestoredUserMetadata } from '../checkpoint/restore/keyed-state-source.js';
import type { EncodedSavepoint, SavepointOptions } from '../checkpoint/savepoint/write-savepoint.js';
import type { KeyedStateBackend } from './keyed-state-backend.js';

/** What a backend was restored from, and the caller metadata stored with it. */
export interface RestoredCheckpointInfo {
  /** e.g. `checkpoint 7 under file:///ckpt/job/op` or `savepoint state.sbsp`. */
  readonly description: string;
  /** The checkpoint restored; undefined for a savepoint. */
  readonly checkpointId: number | undefined;
  /** What was passed to `snapshot()` (e.g. a source position), per part restored. */
  readonly userMetadata: readonly RestoredUserMetadata[];
  /** Entries read for this backend's key groups. */
  readonly entries: number;
}

/**
 * A keyed backend that takes consistent checkpoints, the contract every checkpointing backend
 * (heap, S3, DynamoDB) keeps and the conformance suite checks:
 *
 * - `snapshot()` captures the state at the call with the caller's metadata; writes after the
 *   call never leak into it; the promise resolves once the checkpoint is complete (committed).
 * - A failure at any step leaves the previous complete checkpoint the one restored.
 * - A restore of any key-group range yields exactly the state captured, with its metadata.
 */
export interface CheckpointingKeyedStateBackend<K> extends KeyedStateBackend<K> {
  /** What this backend was restored from; undefined after a fresh start. */
  readonly restored: RestoredCheckpointInfo | undefined;
  /**
   * The newest checkpoint id committed for any key group of this backend's range (by it, or by
   * earlier owners before it claimed the range); `snapshot()` needs a higher one. -1 when there
   * is none; undefined for a backend that does not track it.
   */
  readonly latestCheckpointId?: number | undefined;
  /**
   * The id `snapshot()` takes when given none: one above the checkpoint restored or the last one
   * snapshotted by this backend (1 after a fresh start).
   */
  readonly nextCheckpointId: number;
  /**
   * Takes checkpoint `checkpointId` (default {@link nextCheckpointId}); see the interface's
   * contract. The result names the id taken.
   *
   * @example
   * ```ts
   * const { checkpointId } = await keyed.snapshot(keyed.nextCheckpointId, { offset });
   * await keyed.notifyCheckpointComplete(checkpointId);
   * ```
   */
  snapshot(checkpointId?: number, metadata?: JsonValue): Promise<{ readonly checkpointId: number }>;
  /** Checkpoint `checkpointId` completed everywhere: older ones may go (retention). */
  notifyCheckpointComplete(checkpointId: number): Promise<void>;
  /** Checkpoint `checkpointId` was aborted: it is stopped or removed, with its files. */
  notifyCheckpointAborted(checkpointId: number): Promise<void>;
  /** The state now as a canonical savepoint, which any backend imports. */
  exportSavepoint(options?: SavepointOptions): EncodedSavepoint;
}
