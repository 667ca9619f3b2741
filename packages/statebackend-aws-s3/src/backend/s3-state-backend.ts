import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import {
  AbstractAwsStateBackend,
  type AwsStateBackendOptions,
  type Configuration,
  type KeyedStateBackendParameters,
  type MetricGroup,
} from '@statebackend/aws-base';
import { S3CheckpointStorage } from '../storage/s3-checkpoint-storage.js';
import type { S3CheckpointStorageOptions } from '../storage/s3-checkpoint-storage-options.js';
import type { S3KeyedStateBackend } from './s3-keyed-state-backend.js';
import {
  type RestoreMode,
  type S3CheckpointSettings,
  S3KeyedStateBackendBuilder,
} from './s3-keyed-state-backend-builder.js';

/** Where checkpoints go, for every keyed backend of the state backend. */
export type S3LocationOptions = Omit<
  S3CheckpointStorageOptions,
  'client' | 'jobId' | 'operatorId' | 'metricGroup' | 'logger'
>;

/** The caller's own S3 client (never destroyed by the backend), or config for one it creates. */
export type S3ClientOption =
  | { readonly client: S3Client; readonly clientConfig?: never }
  | { readonly client?: never; readonly clientConfig?: S3ClientConfig };

/** Options of an {@link S3StateBackend}. */
export type S3StateBackendOptions = AwsStateBackendOptions &
  S3ClientOption &
  S3CheckpointSettings & {
    readonly location: S3LocationOptions;
    /** Where the storage of each keyed backend counts bytes, files, requests and retries. */
    readonly metricGroup?: MetricGroup;
  };

/**
 * The S3 state backend (`state.backend.type: s3`): keyed state in memory, as the heap backend
 * keeps it, with checkpoints in S3 under `<bucket>/<prefix>/<jobId>/<operatorId>/`. The model
 * of Flink's `HashMapStateBackend` with S3 checkpoint storage.
 *
 * @example
 * ```ts
 * const backend = new S3StateBackend(configuration, { location: { bucket: 'my-state', prefix: 'ckpt' } });
 * const keyed = await backend.createKeyedStateBackend({
 *   jobId: 'clicks', operatorId: 'count', keyGroupRange: KeyGroupRange.of(0, 127), maxParallelism: 128,
 *   keySerializer: Serializers.string,
 * }); // claims key groups 0-127 and restores the latest complete checkpoint, if any
 * await keyed.snapshot(1, { offset: 42 });
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
   * The keyed backend of one operator instance. It claims the key-group range, fencing the
   * previous owner, and restores per `restore`: the latest complete checkpoint (default), a
   * given one, or nothing.
   */
  override async createKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
    restore: RestoreMode = 'latest',
  ): Promise<S3KeyedStateBackend<K>> {
    const withLogger = parameters.logger === undefined ? { ...parameters, logger: this.logger } : parameters;
    const storage = this.storageFor(parameters.jobId, parameters.operatorId);
    return new S3KeyedStateBackendBuilder(withLogger, storage, restore, this.#options).build();
  }

  protected createKeyedStateBackendBuilder<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): S3KeyedStateBackendBuilder<K> {
    return new S3KeyedStateBackendBuilder(
      parameters,
      this.storageFor(parameters.jobId, parameters.operatorId),
      'latest',
      this.#options,
    );
  }
}
