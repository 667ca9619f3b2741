import type { KeyedStateBackendParameters } from '@statebackend/aws-base';
import { AbstractAwsKeyedStateBackendBuilder, type KeyedStateSource } from '@statebackend/aws-base/spi';
import { DynamoDbStateStore } from '../store/dynamodb-state-store.js';
import type { DynamoDbStateStoreOptions, StartFrom } from '../store/store-options.js';
import { DynamoDbKeyedStateBackend } from './dynamodb-keyed-state-backend.js';

/** What a keyed backend's store is opened with, besides what the parameters say. */
export type StoreSettings = Omit<
  DynamoDbStateStoreOptions,
  'scope' | 'keyGroupRange' | 'maxParallelism' | 'startFrom' | 'logger'
>;

/**
 * Builds a {@link DynamoDbKeyedStateBackend}: opens its store for the job and operator (scope
 * `jobId/operatorId`), claiming the key-group range and, when `startFrom` says so, restoring the
 * newest complete checkpoint of those key groups (rescaling included).
 */
export class DynamoDbKeyedStateBackendBuilder<K> extends AbstractAwsKeyedStateBackendBuilder<
  K,
  DynamoDbKeyedStateBackend<K>
> {
  readonly #settings: StoreSettings;
  readonly #startFrom: StartFrom;
  readonly #importFrom: KeyedStateSource | undefined;

  /**
   * `importFrom`, a canonical savepoint or another backend's checkpoint, is written into the
   * store (which then starts empty) as its first changes.
   */
  constructor(
    parameters: KeyedStateBackendParameters<K>,
    settings: StoreSettings,
    startFrom: StartFrom = { kind: 'empty' },
    importFrom?: KeyedStateSource,
  ) {
    super(parameters);
    this.#settings = settings;
    this.#startFrom = importFrom === undefined ? startFrom : { kind: 'empty' };
    this.#importFrom = importFrom;
  }

  protected async createBackend(): Promise<DynamoDbKeyedStateBackend<K>> {
    const p = this.parameters;
    const store = await DynamoDbStateStore.open({
      ...this.#settings,
      scope: `${p.jobId}/${p.operatorId}`,
      keyGroupRange: p.keyGroupRange,
      maxParallelism: p.maxParallelism,
      startFrom: this.#startFrom,
      ...(p.logger === undefined ? {} : { logger: p.logger }),
      ...(p.metricGroup === undefined ? {} : { metricGroup: p.metricGroup.addGroup('dynamodb') }),
    });
    const backend = new DynamoDbKeyedStateBackend(p, store);
    if (this.#importFrom !== undefined) {
      try {
        await backend.importFrom(this.#importFrom);
      } catch (error) {
        await backend.dispose();
        throw error;
      }
    }
    return backend;
  }
}
