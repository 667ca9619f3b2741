import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  type CheckpointStorage,
  Configuration,
  type KeyedStateBackendParameters,
  type RestoreSource,
} from '@statebackend/aws-base';
import {
  AbstractAwsStateBackend,
  type AwsStateBackendOptions,
  type WithClient,
  type WithConfig,
} from '@statebackend/aws-base/spi';
import type { CompletionMode } from '../store/checkpoint-tracker.js';
import { DEFAULT_CHECKPOINT_COMPLETION, type StartFrom } from '../store/store-options.js';
import type { TableOptions } from '../table/table-options.js';
import type { DynamoDbKeyedStateBackend } from './dynamodb-keyed-state-backend.js';
import {
  DynamoDbKeyedStateBackendBuilder,
  type StoreSettings,
} from './dynamodb-keyed-state-backend-builder.js';

/** Options of {@link DynamoDbStateBackend.createCheckpointingKeyedStateBackend}. */
export interface CheckpointingOptions {
  readonly checkpointStorage?: CheckpointStorage;
  readonly restoreFrom?: RestoreSource;
  readonly retainedCheckpoints?: number;
  /** Default `commit`, as everywhere (see `DynamoDbStateStoreOptions.checkpointCompletion`). */
  readonly checkpointCompletion?: CompletionMode;
  /**
   * Delete nothing already in the table, as aws-base's `keepHistory`: for a tool that adds a
   * checkpoint beside a job's own (a savepoint import). See `DynamoDbStateStoreOptions.keepHistory`.
   */
  readonly keepHistory?: boolean;
}

function startFromOf(restoreFrom: RestoreSource | undefined): StartFrom {
  if (restoreFrom === undefined) return { kind: 'empty' };
  if (restoreFrom === 'latest') return { kind: 'latest-or-empty' };
  // A savepoint (or another backend's checkpoint) is imported into a store that starts empty.
  if ('forEachEntry' in restoreFrom) return { kind: 'empty' };
  return { kind: 'checkpoint', checkpointId: restoreFrom.checkpointId };
}

/** Options of a {@link DynamoDbStateBackend}: a caller's client or a client config, never both. */
export type DynamoDbStateBackendOptions = AwsStateBackendOptions &
  (WithClient<DynamoDBClient> | WithConfig<DynamoDBClientConfig>) & {
    readonly table: TableOptions;
    readonly cacheBytes?: number;
    readonly flushParallelism?: number;
    readonly buckets?: number;
    /** `commit` (default) or `notify`: see `DynamoDbStateStoreOptions.checkpointCompletion`. */
    readonly checkpointCompletion?: CompletionMode;
    /** Complete checkpoints that stay restorable (1-3, default 1). */
    readonly retainedCheckpoints?: number;
    /** Ancestors a restore may leave before the store compacts (default 3; 0: never); see the store's option. */
    readonly lineageCompactionDepth?: number;
    /** Report consumed capacity in the metrics (default true); see the store's option. */
    readonly trackConsumedCapacity?: boolean;
  };

/**
 * The DynamoDB state backend (`state.backend.type: dynamodb`): each keyed backend keeps its
 * working state in one DynamoDB table behind a bounded cache, with exactly-once checkpoints.
 *
 * @example
 * ```ts
 * const backend = new DynamoDbStateBackend(configuration, { table: { tableName: 'state' } });
 * const keyed = await backend.restoreKeyedStateBackend(parameters, { kind: 'checkpoint' });
 * ```
 */
export class DynamoDbStateBackend extends AbstractAwsStateBackend {
  readonly type = 'dynamodb';
  readonly #options: DynamoDbStateBackendOptions;

  constructor(configuration: Configuration = new Configuration(), options: DynamoDbStateBackendOptions) {
    super(configuration, options);
    this.#options = options;
  }

  /**
   * The keyed backend of one operator instance, restored from the newest complete checkpoint of
   * its key groups (empty when they have none), as the heap and S3 backends restore theirs: a job
   * written against `createStateBackend` resumes on whichever backend the configuration names.
   * {@link restoreKeyedStateBackend} chooses otherwise (`{ kind: 'empty' }`, a checkpoint id).
   */
  override async createKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): Promise<DynamoDbKeyedStateBackend<K>> {
    return this.restoreKeyedStateBackend(parameters, { kind: 'latest-or-empty' });
  }

  /** A keyed backend that starts from `startFrom`: empty, or the newest complete checkpoint of its key groups. */
  restoreKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
    startFrom: StartFrom,
  ): Promise<DynamoDbKeyedStateBackend<K>> {
    const withLogger = parameters.logger === undefined ? { ...parameters, logger: this.logger } : parameters;
    return new DynamoDbKeyedStateBackendBuilder(withLogger, this.#settings(), startFrom).build();
  }

  /**
   * A keyed backend with aws-base's checkpointing contract: claims and commit records in
   * `checkpointStorage` (the table when absent), restored from `restoreFrom` (`'latest'`, which
   * starts empty when nothing was checkpointed, or `{ checkpointId }`), and checkpoints complete
   * as `checkpointCompletion` says (the backend's, else `commit`: see the store's option).
   */
  createCheckpointingKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
    options: CheckpointingOptions = {},
  ): Promise<DynamoDbKeyedStateBackend<K>> {
    const withLogger = parameters.logger === undefined ? { ...parameters, logger: this.logger } : parameters;
    const settings: StoreSettings = {
      ...this.#settings(),
      checkpointCompletion:
        options.checkpointCompletion ?? this.#options.checkpointCompletion ?? DEFAULT_CHECKPOINT_COMPLETION,
      ...(options.checkpointStorage === undefined ? {} : { checkpointStorage: options.checkpointStorage }),
      ...(options.retainedCheckpoints === undefined
        ? {}
        : { retainedCheckpoints: options.retainedCheckpoints }),
      ...(options.keepHistory === true ? { keepHistory: true } : {}),
    };
    const restoreFrom = options.restoreFrom;
    return new DynamoDbKeyedStateBackendBuilder(
      withLogger,
      settings,
      startFromOf(restoreFrom),
      restoreFrom !== undefined && typeof restoreFrom === 'object' && 'forEachEntry' in restoreFrom
        ? restoreFrom
        : undefined,
    ).build();
  }

  protected createKeyedStateBackendBuilder<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): DynamoDbKeyedStateBackendBuilder<K> {
    return new DynamoDbKeyedStateBackendBuilder(parameters, this.#settings());
  }

  #settings(): StoreSettings {
    const o = this.#options;
    const client =
      o.client !== undefined
        ? this.clients.getOrCreate(DynamoDBClient, { client: o.client })
        : this.clients.getOrCreate(
            DynamoDBClient,
            o.clientConfig === undefined ? undefined : { clientConfig: o.clientConfig },
          );
    return {
      client,
      table: o.table,
      ...(o.cacheBytes === undefined ? {} : { cacheBytes: o.cacheBytes }),
      ...(o.flushParallelism === undefined ? {} : { flushParallelism: o.flushParallelism }),
      ...(o.buckets === undefined ? {} : { buckets: o.buckets }),
      ...(o.checkpointCompletion === undefined ? {} : { checkpointCompletion: o.checkpointCompletion }),
      ...(o.retainedCheckpoints === undefined ? {} : { retainedCheckpoints: o.retainedCheckpoints }),
      ...(o.trackConsumedCapacity === undefined ? {} : { trackConsumedCapacity: o.trackConsumedCapacity }),
      ...(o.lineageCompactionDepth === undefined ? {} : { lineageCompactionDepth: o.lineageCompactionDepth }),
    };
  }
}
