import type { KeyGroupRange } from '@statebackend/aws-base';
import type { CommitRecord } from './lineage.js';

/**
 * Where a writer's claims and commit records live: in the state table itself
 * ({@link TableCommitLog}), or in aws-base's `CheckpointStorage` (`StorageCommitLog`). Either
 * keeps the same promises: a claim fences every older intersecting claim; a commit of a fenced
 * writer fails with `FencedError` and stores nothing; a checkpoint is complete exactly when its
 * record is stored.
 */
export interface CommitLog {
  /** For messages, e.g. `dynamodb://state/job/op`. */
  readonly location: string;
  /** Claims `range` with an epoch above every earlier claim's; returns the epoch. */
  claim(range: KeyGroupRange): Promise<number>;
  /** Throws `FencedError` when a newer claim intersects this writer's range. */
  checkNotFenced(): Promise<void>;
  /**
   * Stores `record` atomically, unless this writer is fenced. A failure whose outcome cannot be
   * learned is a `StoreFailedError`.
   */
  commit(record: CommitRecord): Promise<void>;
  /** Every commit record of the scope, newest checkpoint first. */
  list(): Promise<CommitRecord[]>;
  /** Deletes commit records (absent ones are ignored). */
  remove(records: readonly CommitRecord[]): Promise<void>;
  /**
   * Whether {@link updateRestorable} rewrites the newest record. A log that cannot learns which
   * checkpoints stay restorable only from the next commit record.
   */
  readonly updatesRestorable: boolean;
  /** Notes on this writer's newest record which of its checkpoints stay restorable, where the log can. */
  updateRestorable(restorable: readonly number[]): Promise<void>;
}
