import type { Logger } from '../../logging/logger.js';
import type { MetricGroup } from '../../metrics/metric-group.js';
import type { SnapshotCompression } from '../format/key-group-file-format.js';
import type { CheckpointMetadata } from '../metadata/checkpoint-metadata.js';
import type { CheckpointStorage, CommittedCheckpoint, WriterLease } from '../storage/checkpoint-storage.js';
import type { SnapshotStrategy } from './snapshot-strategy.js';

/** Options of a `CheckpointSnapshotter`. */
export interface CheckpointSnapshotterOptions {
  readonly storage: CheckpointStorage;
  readonly lease: WriterLease;
  readonly jobId: string;
  readonly operatorId: string;
  readonly strategy: SnapshotStrategy;
  /**
   * Complete checkpoints kept per key group. Default 1, as Flink's `state.checkpoints.num-retained`.
   * A checkpoint counts once `CheckpointSnapshotter.complete` confirmed it; newer ones are
   * all kept until then.
   */
  readonly retainedCheckpoints?: number;
  /** A data file ends after the key group that brings it to this size. Default 64 MiB. */
  readonly targetFileSize?: number;
  /**
   * `zstd`: data files are compressed (format version 3), frame by frame where that saves space.
   * Default `none`.
   */
  readonly compression?: SnapshotCompression;
  /**
   * Delete nothing under the storage: no retention, no abandoning of newer checkpoints. For a
   * tool that adds a checkpoint next to a job's own (a savepoint import) and must never delete
   * what it did not write. Default false.
   */
  readonly keepHistory?: boolean;
  readonly logger?: Logger;
  /** Where checkpoint metrics go (see `CheckpointMetrics`); none when absent. */
  readonly metricGroup?: MetricGroup;
}

/** A committed checkpoint, as `CheckpointSnapshotter.snapshot` reports it. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly snapshotType: 'full' | 'incremental';
  readonly committed: CommittedCheckpoint;
  readonly metadata: CheckpointMetadata;
  /** Bytes of the data files this checkpoint wrote. */
  readonly bytesWritten: number;
  /** Bytes of every data file it references, reused ones included: the state's size. */
  readonly stateSize: number;
  /** Entries written (reused files not counted). */
  readonly entriesWritten: number;
}
