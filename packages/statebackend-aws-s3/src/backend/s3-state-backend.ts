import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  type CheckpointStorage,
  type Configuration,
  type KeyedStateBackendParameters,
  type MetricGroup,
  type RestoreMode,
  type RestoreSource,
  type SnapshotCompression,
  type StateRegistration,
} from '@statebackend/aws-base';
import { AbstractAwsStateBackend, type AwsStateBackendOptions } from '@statebackend/aws-base/spi';
import { S3CheckpointStorage } from '../storage/s3-checkpoint-storage.js';
import type { S3CheckpointStorageOptions } from '../storage/s3-checkpoint-storage-options.js';
import { ParallelRestoreStorage } from './parallel-restore-storage.js';

/** Where checkpoints go, for every keyed backend of the state backend. */
export type S3LocationOptions = Omit<
  S3CheckpointStorageOptions,
  'client' | 'jobId' | 'operatorId' | 'metricGroup' | 'logger'
>;

/** The caller's own S3 client (never destroyed by the backend), or config for one it creates. */
export type S3ClientOption =
  | { readonly client: S3Client; readonly clientConfig?: never }
  | { readonly client?: never; readonly clientConfig?: S3ClientConfig };

/** How keyed backends checkpoint; the same for every keyed backend of one {@link S3StateBackend}. */
export interface S3CheckpointSettings {
  /** Upload only what changed since the last checkpoint. Default true. */
  readonly incremental?: boolean;
  /** Complete checkpoints kept per key group. Default 1. */
  readonly retainedCheckpoints?: number;
  /** A data file ends after the key group that brings it to this size. Default 64 MiB. */
  readonly targetFileSize?: number;
  /**
   * `zstd` (default): data files are compressed frame by frame, and frames that do not shrink
   * (encrypted or already compressed values) are stored as they are. `none`: stored uncompressed.
   */
  readonly compression?: SnapshotCompression;
  /** Files a restore downloads in parallel (eager), or ranged reads of key groups at once (lazy). Default 8. */
  readonly restoreConcurrency?: number;
  /**
   * `lazy` (default): a keyed backend is handed out once the commit records and the data files'
   * indexes are read; key groups are read by range behind it, a record waiting only for its own
   * key group, and a key group that cannot be read fails its records and the next checkpoint.
   * `eager`: every file is downloaded and decoded first, and a corrupt one fails the build. See
   * aws-base's `RestoreOptions`.
   */
  readonly restoreMode?: RestoreMode;
}

/** Options of an {@link S3StateBackend}. */
export type S3StateBackendOptions = AwsStateBackendOptions &
  S3ClientOption &
  S3CheckpointSettings & {
    readonly location: S3LocationOptions;
    /** Where the storage of each keyed backend counts bytes, files, requests and retries. */
    readonly metricGroup?: MetricGroup;
  };

/** Per keyed backend: what it restores, and overrides of the backend's settings. */
export interface S3KeyedBackendOptions
  extends Omit<S3CheckpointSettings, 'restoreConcurrency' | 'restoreMode'> {
  /** How this keyed backend restores; the backend's {@link S3CheckpointSettings.restoreMode} by default. */
  readonly restoreMode?: RestoreMode;
  /**
   * What to restore: `'latest'` (default: the latest complete checkpoint holding the backend's
   * key groups, a fresh start when there is none), `{ checkpointId }`, a savepoint source, or
   * `'none'` (start empty; checkpoints newer than nothing are left to retention).
   */
  readonly restoreFrom?: RestoreSource | 'none';
  /** The storage to use instead of {@link S3StateBackend.storageFor} (e.g. a wrapper). */
  readonly storage?: CheckpointStorage;
  /** States to register right after restore, so that an incompatible one fails the build. */
  readonly states?: readonly StateRegistration[];
}

/**
 * The S3 state backend (`state.backend.type: s3`): keyed state in memory, as the heap backend
 * keeps it, with checkpoints in S3 under `<bucket>/<prefix>/<jobId>/<operatorId>/`: the model of
 * Flink's `HashMapStateBackend` with S3 checkpoint storage. Keyed backends are aws-base's
 * checkpointing heap backends over an {@link S3CheckpointStorage}; restores read the files they
 * need: lazily by default (key groups by ranged GETs after the backend is handed out), or
 * downloaded whole in parallel before it (`restoreMode: 'eager'`).
 *
 * @example
 * ```ts
 * const backend = new S3StateBackend(configuration, { location: { bucket: 'my-state', prefix: 'ckpt' } });
 * const keyed = await backend.createKeyedStateBackend({
 *   jobId: 'clicks', operatorId: 'count', keyGroupRange: KeyGroupRange.of(0, 127), maxParallelism: 128,
 *   keySerializer: Serializers.string,
 * }); // claims key groups 0-127 (fencing the previous owner), restores the latest complete checkpoint
 * await keyed.snapshot(1, { offset: 42 });
 * await keyed.notifyCheckpointComplete(1); // older checkpoints beyond the retained count go
 * await backend.close();
 * ```
 */
export class S3StateBackend extends AbstractAwsStateBackend {
  readonly type = 's3';
  readonly #options: S3StateBackendOptions;
  #client: S3Client | undefined;

  constructor(configuration: Configuration, options: S3StateBackendOptions) {
    super(configuration, options);
    this.#options = options;
  }

  /**
   * The S3 client: the caller's, or created from the configuration on first use (so that
   * configuration errors surface before any AWS call) and destroyed by `close()`.
   */
  get client(): S3Client {
    if (this.#client === undefined) {
      const { client, clientConfig } = this.#options;
      this.#client =
        client === undefined
          ? this.clients.getOrCreate(S3Client, clientConfig === undefined ? {} : { clientConfig })
          : this.clients.getOrCreate(S3Client, { client });
    }
    return this.#client;
  }

  /** The checkpoint storage of one operator of one job. */
  storageFor(jobId: string, operatorId: string): S3CheckpointStorage {
    const { location, metricGroup } = this.#options;
    return new S3CheckpointStorage({
      ...location,
      client: this.client,
      jobId,
      operatorId,
      ...(metricGroup === undefined ? {} : { metricGroup }),
      logger: this.logger,
    });
  }

  /**
   * The keyed backend of one operator instance: it claims its key-group range (fencing the
   * previous owner), restores per `options.restoreFrom` (default the latest complete checkpoint)
   * and checkpoints to S3.
   */
  override async createKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
    options: S3KeyedBackendOptions = {},
  ): Promise<CheckpointingHeapKeyedStateBackend<K>> {
    const withLogger = parameters.logger === undefined ? { ...parameters, logger: this.logger } : parameters;
    if ((options.restoreMode ?? this.#options.restoreMode ?? 'lazy') === 'lazy') {
      // Key groups are read by range after the backend is handed out: no whole-file downloads.
      return this.createKeyedStateBackendBuilder(withLogger, options.storage, options).build();
    }
    const storage = new ParallelRestoreStorage(
      options.storage ?? this.storageFor(parameters.jobId, parameters.operatorId),
      this.#options.restoreConcurrency ?? 8,
    );
    try {
      return await this.createKeyedStateBackendBuilder(withLogger, storage, options).build();
    } finally {
      storage.endRestore();
    }
  }

  protected createKeyedStateBackendBuilder<K>(
    parameters: KeyedStateBackendParameters<K>,
    storage?: CheckpointStorage,
    options: S3KeyedBackendOptions = {},
  ): CheckpointingHeapBackendBuilder<K> {
    const settings = this.#options;
    const targetFileSize = options.targetFileSize ?? settings.targetFileSize;
    const compression = options.compression ?? settings.compression ?? 'zstd';
    const restoreFrom = options.restoreFrom ?? 'latest';
    return new CheckpointingHeapBackendBuilder(parameters, {
      checkpointStorage: storage ?? this.storageFor(parameters.jobId, parameters.operatorId),
      ...(restoreFrom === 'none' ? {} : { restoreFrom }),
      incremental: options.incremental ?? settings.incremental ?? true,
      retainedCheckpoints: options.retainedCheckpoints ?? settings.retainedCheckpoints ?? 1,
      ...(targetFileSize === undefined ? {} : { targetFileSize }),
      compression,
      ...(options.states === undefined ? {} : { states: options.states }),
      restore: {
        mode: options.restoreMode ?? settings.restoreMode ?? 'lazy',
        concurrency: settings.restoreConcurrency ?? 8,
      },
    });
  }
}
