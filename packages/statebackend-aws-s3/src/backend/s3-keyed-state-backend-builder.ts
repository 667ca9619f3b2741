import {
  AbstractAwsKeyedStateBackendBuilder,
  CheckpointSnapshotter,
  CheckpointSource,
  FullSnapshotStrategy,
  findLatestCompleteCheckpoint,
  IncrementalSnapshotStrategy,
  type KeyedStateBackendParameters,
  loadCheckpoint,
  RestoredKeyedState,
  type WriterLease,
} from '@statebackend/aws-base';
import { CheckpointMetrics } from '../metrics/checkpoint-metrics.js';
import type { S3CheckpointStorage } from '../storage/s3-checkpoint-storage.js';
import { PrefetchedFiles } from './prefetched-files.js';
import { S3KeyedStateBackend } from './s3-keyed-state-backend.js';

/**
 * What a new keyed backend restores: the latest complete checkpoint holding its key groups (the
 * default; nothing when there is none), a given checkpoint id, or nothing at all.
 */
export type RestoreMode = 'latest' | 'none' | { readonly checkpointId: number };

/** How keyed backends checkpoint; the same for every keyed backend of one {@link S3StateBackend}. */
export interface S3CheckpointSettings {
  /** Upload only key groups changed since the last checkpoint. Default true. */
  readonly incremental?: boolean;
  /** Complete checkpoints kept per key group. Default 1. */
  readonly retainedCheckpoints?: number;
  /** A data file ends after the key group that brings it to this size. Default 64 MiB. */
  readonly targetFileSize?: number;
  /** Files a restore downloads in parallel. Default 8. */
  readonly restoreConcurrency?: number;
}

/**
 * Builds an {@link S3KeyedStateBackend}: claims the key-group range first (fencing the previous
 * owner, so that nothing it commits afterwards can count), then finds the checkpoint to restore,
 * downloads in parallel only the data files holding key groups of the range, and reads them.
 * Restore happens before the backend exists, since states pick up their restored entries as
 * they register.
 */
export class S3KeyedStateBackendBuilder<K> extends AbstractAwsKeyedStateBackendBuilder<
  K,
  S3KeyedStateBackend<K>
> {
  private readonly storage: S3CheckpointStorage;
  private readonly restoreMode: RestoreMode;
  private readonly settings: S3CheckpointSettings;

  constructor(
    parameters: KeyedStateBackendParameters<K>,
    storage: S3CheckpointStorage,
    restoreMode: RestoreMode,
    settings: S3CheckpointSettings,
  ) {
    super(parameters);
    this.storage = storage;
    this.restoreMode = restoreMode;
    this.settings = settings;
  }

  protected async createBackend(): Promise<S3KeyedStateBackend<K>> {
    const { parameters, storage, settings } = this;
    const lease = await storage.claim(parameters.keyGroupRange);
    const restored = await this.readRestoredState();
    const metrics = new CheckpointMetrics(parameters.metricGroup);
    const snapshotter = this.createSnapshotter(lease);
    parameters.logger?.info('S3 keyed state backend ready', {
      location: storage.location,
      epoch: lease.epoch,
      restoredCheckpoint: restored?.checkpointId,
      incremental: settings.incremental ?? true,
    });
    return new S3KeyedStateBackend(parameters, { storage, lease, snapshotter, metrics, restored });
  }

  private createSnapshotter(lease: WriterLease): CheckpointSnapshotter {
    const { parameters, storage, settings } = this;
    return new CheckpointSnapshotter({
      storage,
      lease,
      jobId: parameters.jobId,
      operatorId: parameters.operatorId,
      strategy:
        (settings.incremental ?? true) ? new IncrementalSnapshotStrategy() : new FullSnapshotStrategy(),
      retainedCheckpoints: settings.retainedCheckpoints ?? 1,
      ...(settings.targetFileSize === undefined ? {} : { targetFileSize: settings.targetFileSize }),
      ...(parameters.logger === undefined ? {} : { logger: parameters.logger }),
    });
  }

  private async readRestoredState(): Promise<RestoredKeyedState | undefined> {
    const { parameters, storage, restoreMode } = this;
    const { keyGroupRange: range, maxParallelism } = parameters;
    if (restoreMode === 'none') return undefined;
    const selection =
      restoreMode === 'latest'
        ? await findLatestCompleteCheckpoint(storage, range, maxParallelism)
        : await loadCheckpoint(storage, restoreMode.checkpointId, range, maxParallelism);
    if (selection === undefined) return undefined;
    const paths = new CheckpointSource(storage, selection).filesFor(range).map((file) => file.path);
    const prefetched = await PrefetchedFiles.download(storage, paths, this.settings.restoreConcurrency ?? 8);
    return RestoredKeyedState.read(new CheckpointSource(prefetched, selection), range);
  }
}
