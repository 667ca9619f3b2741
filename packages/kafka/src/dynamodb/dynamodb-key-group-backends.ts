import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type CheckpointStorage, KeyGroupRange } from '@statebackend/aws-base';
import { type DynamoDbStateBackend, decodeUserMetadata, openCommitLog } from '@statebackend/aws-dynamodb';
import type {
  KeyGroupBackendParameters,
  KeyGroupBackends,
  OpenedKeyGroupBackend,
  StoredKeyGroupCheckpoint,
} from '../state/key-group-backends.js';

/** Options of {@link DynamoDbKeyGroupBackends}. */
export interface DynamoDbKeyGroupBackendsOptions {
  /** The backend that opens each key group's keyed backend (its table, cache size, buckets …). */
  readonly backend: DynamoDbStateBackend;
  /** A client of the backend's table, to list commit records (the backend's own, or any other). */
  readonly client: DynamoDBClient;
  /** The backend's table. */
  readonly tableName: string;
  /**
   * Where claims and commit records go when not in the table (a `CheckpointStorage`: local, S3);
   * every worker of the job passes the same one. The state itself is always in the table.
   */
  readonly checkpointStorage?: CheckpointStorage;
}

/**
 * The key groups of a `KafkaKeyedWorker` with their state in DynamoDB: each owned key group is a
 * `DynamoDbKeyedStateBackend` of range `[i, i]`, claimed (fencing the previous owner) and
 * restored when assigned. A restore reads only commit records: state is read on demand, as
 * records need it, so nothing is downloaded on assignment. Checkpoints complete by notification
 * (the worker confirms one once Kafka committed its offsets) and one confirmed checkpoint is
 * retained beside the newer ones, so a checkpoint whose Kafka transaction failed is passed over.
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient({});
 * const backend = new DynamoDbStateBackend(new Configuration(), { client, table: { tableName: 'stream-state' } });
 * const worker = new KafkaKeyedWorker({ ...options, keyGroupBackends: new DynamoDbKeyGroupBackends({ backend, client, tableName: 'stream-state' }) });
 * ```
 */
export class DynamoDbKeyGroupBackends implements KeyGroupBackends {
  readonly #options: DynamoDbKeyGroupBackendsOptions;

  constructor(options: DynamoDbKeyGroupBackendsOptions) {
    this.#options = options;
  }

  get location(): string {
    return this.#options.checkpointStorage?.location ?? `dynamodb://${this.#options.tableName}`;
  }

  async checkpoints<K>(
    keyGroup: number,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<readonly StoredKeyGroupCheckpoint[]> {
    const records = await this.#commitRecords(keyGroup, parameters);
    const byId = new Map<number, unknown[]>();
    for (const record of records) {
      byId.set(record.checkpointId, [
        ...(byId.get(record.checkpointId) ?? []),
        decodeUserMetadata(record.metadata),
      ]);
    }
    return [...byId]
      .sort(([a], [b]) => b - a)
      .map(([checkpointId, metadata]) => ({ checkpointId, userMetadata: async () => metadata }));
  }

  async open<K>(
    keyGroup: number,
    restoreFrom: number | undefined,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<OpenedKeyGroupBackend<K>> {
    const o = this.#options;
    const backend = await o.backend.createCheckpointingKeyedStateBackend(
      {
        jobId: parameters.jobId,
        operatorId: parameters.operatorId,
        keyGroupRange: KeyGroupRange.of(keyGroup, keyGroup),
        maxParallelism: parameters.maxParallelism,
        keySerializer: parameters.keySerializer,
        logger: parameters.logger,
      },
      {
        ...(restoreFrom === undefined ? {} : { restoreFrom: { checkpointId: restoreFrom } }),
        ...(o.checkpointStorage === undefined ? {} : { checkpointStorage: o.checkpointStorage }),
        // The worker confirms a checkpoint once Kafka committed its offsets; until then the last
        // confirmed one stays restorable.
        checkpointCompletion: 'notify',
        retainedCheckpoints: 1,
      },
    );
    try {
      for (const { descriptor, namespaceSerializer } of parameters.states ?? []) {
        backend.registerState(descriptor, namespaceSerializer);
      }
      const records = await this.#commitRecords(keyGroup, parameters);
      const newest = records.reduce((max, r) => Math.max(max, r.checkpointId), 0);
      return { backend, epoch: backend.store.epoch, newestCheckpointId: newest };
    } catch (error) {
      await backend.dispose().catch(() => undefined);
      throw error;
    }
  }

  async #commitRecords<K>(keyGroup: number, parameters: KeyGroupBackendParameters<K>) {
    const o = this.#options;
    const { log } = openCommitLog({
      client: o.client,
      tableName: o.tableName,
      scope: `${parameters.jobId}/${parameters.operatorId}`,
      checkpointStorage: o.checkpointStorage,
    });
    return (await log.list()).filter((r) => r.start <= keyGroup && keyGroup <= r.end);
  }
}
