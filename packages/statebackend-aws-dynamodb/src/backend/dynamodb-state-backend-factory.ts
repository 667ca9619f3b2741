import {
  AwsConfigOptions,
  type Configuration,
  defaultStateBackendRegistry,
  type StateBackendContext,
} from '@statebackend/aws-base';
import {
  AbstractAwsStateBackendFactory,
  type AnyConfigOption,
  type ConfigurationRule,
  type StateBackendRegistry,
} from '@statebackend/aws-base/spi';
import { DynamoDbOptions } from '../config/dynamodb-options.js';
import { DynamoDbStateBackend } from './dynamodb-state-backend.js';

/**
 * Creates the {@link DynamoDbStateBackend} for `state.backend.type: dynamodb` from
 * `state.backend.dynamodb.*` and `aws.*` keys, validated (every problem at once) before any AWS
 * call. Register it with {@link registerDynamoDbStateBackend}, or pass it to `createStateBackend`
 * in `factories`.
 */
export class DynamoDbStateBackendFactory extends AbstractAwsStateBackendFactory<DynamoDbStateBackend> {
  readonly type = 'dynamodb';
  protected get options(): readonly AnyConfigOption[] {
    return [...Object.values(DynamoDbOptions), ...AwsConfigOptions.all()];
  }

  protected override get scopePrefixes(): readonly string[] {
    return ['state.backend.dynamodb.', 'aws.'];
  }

  protected override get rules(): readonly ConfigurationRule[] {
    return [(context) => context.require(DynamoDbOptions.TABLE_NAME, 'a DynamoDB table name')];
  }

  protected async create(
    configuration: Configuration,
    context: StateBackendContext,
  ): Promise<DynamoDbStateBackend> {
    const provisioned = configuration.get(DynamoDbOptions.BILLING_MODE) === 'PROVISIONED';
    return new DynamoDbStateBackend(configuration, {
      ...(context.clients === undefined ? {} : { clients: context.clients }),
      ...(context.logger === undefined ? {} : { logger: context.logger }),
      table: {
        tableName: configuration.get(DynamoDbOptions.TABLE_NAME) ?? '',
        createIfMissing: configuration.get(DynamoDbOptions.CREATE_TABLE),
        deletionProtection: configuration.get(DynamoDbOptions.DELETION_PROTECTION),
        billing: provisioned
          ? {
              mode: 'provisioned',
              readCapacityUnits: configuration.get(DynamoDbOptions.READ_CAPACITY),
              writeCapacityUnits: configuration.get(DynamoDbOptions.WRITE_CAPACITY),
            }
          : { mode: 'on-demand' },
      },
      cacheBytes: configuration.get(DynamoDbOptions.CACHE_SIZE),
      flushParallelism: configuration.get(DynamoDbOptions.FLUSH_PARALLELISM),
      buckets: configuration.get(DynamoDbOptions.BUCKETS),
      checkpointCompletion: configuration.get(DynamoDbOptions.CHECKPOINT_COMPLETION),
      retainedCheckpoints: configuration.get(DynamoDbOptions.RETAINED_CHECKPOINTS),
      lineageCompactionDepth: configuration.get(DynamoDbOptions.LINEAGE_COMPACTION_DEPTH),
    });
  }
}

/**
 * Registers the `dynamodb` type in `registry` (aws-base's default registry unless given), so that
 * `createStateBackend` creates the DynamoDB backend when `state.backend.type` is `dynamodb`. Call
 * it once at start-up: the package registers nothing by being imported.
 *
 * @example
 * ```ts
 * registerDynamoDbStateBackend();
 * const backend = await createStateBackend(Configuration.fromYamlFile('statebackend.yaml'));
 * ```
 */
export function registerDynamoDbStateBackend(
  registry: StateBackendRegistry = defaultStateBackendRegistry,
): StateBackendRegistry {
  return registry.register(new DynamoDbStateBackendFactory());
}
