import type {
  CheckpointingKeyedStateBackend,
  CheckpointStorage,
  KeyedStateBackendParameters,
  RestoreSource,
} from '@statebackend/aws-base';

/** How a case asks for a checkpointing backend. */
export interface ConformanceCheckpointing {
  /** Where the backend takes checkpoints (possibly wrapped to inject failures). */
  readonly storage: CheckpointStorage;
  /** What to restore from; a fresh start when absent. */
  readonly restoreFrom?: RestoreSource;
  /** Incremental checkpoints, for backends that offer them. */
  readonly incremental?: boolean;
  /** Complete checkpoints to keep; the backend's default when absent. */
  readonly retainedCheckpoints?: number;
}

/** How the checkpoint conformance cases create storage and backends of the kind under test. */
export interface CheckpointConformanceOptions {
  /**
   * The checkpoint storage of one job's operator. The same ids must give the same location, as
   * after a restart: cases restore what earlier backends of the case wrote there.
   */
  storage(location: {
    readonly jobId: string;
    readonly operatorId: string;
  }): CheckpointStorage | Promise<CheckpointStorage>;
  /** A checkpointing keyed backend of the kind under test. */
  create<K>(
    parameters: KeyedStateBackendParameters<K>,
    checkpointing: ConformanceCheckpointing,
  ): Promise<CheckpointingKeyedStateBackend<K>>;
  /** Run the incremental-checkpoint cases too. Default false. */
  readonly incremental?: boolean;
  /**
   * The fewest calls to its checkpoint storage a checkpoint of this backend makes. The crash
   * cases fail each call in turn and check that they saw at least this many, so a checkpoint
   * that skipped storage would not pass for crash-safe. Default 3, as backends that write their
   * data files to the checkpoint storage take at least; a backend that keeps its data elsewhere
   * and writes only claims and commit records there passes fewer (DynamoDB's: 2).
   */
  readonly minCheckpointStorageSteps?: number;
}
