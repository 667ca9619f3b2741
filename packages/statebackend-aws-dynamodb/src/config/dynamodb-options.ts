import { ConfigOptions } from '@statebackend/aws-base';
import {
  DEFAULT_BUCKETS,
  DEFAULT_CACHE_BYTES,
  DEFAULT_FLUSH_PARALLELISM,
  DEFAULT_LINEAGE_COMPACTION_DEPTH,
} from '../store/store-options.js';

/** Configuration keys of the DynamoDB state backend (`state.backend.type: dynamodb`). */
export const DynamoDbOptions = Object.freeze({
  TABLE_NAME: ConfigOptions.key('state.backend.dynamodb.table-name')
    .stringType()
    .check(
      (name) => /^[a-zA-Z0-9_.-]{3,255}$/.test(name),
      'a DynamoDB table name (3-255 of a-z, A-Z, 0-9, _ . -)',
    )
    .noDefaultValue()
    .withDescription(
      'The table holding the state; required. Created when absent unless create-table is false.',
    ),
  CREATE_TABLE: ConfigOptions.key('state.backend.dynamodb.create-table')
    .booleanType()
    .defaultValue(true)
    .withDescription('Create the table when it does not exist.'),
  BILLING_MODE: ConfigOptions.key('state.backend.dynamodb.billing-mode')
    .enumType(['PAY_PER_REQUEST', 'PROVISIONED'], {
      'on-demand': 'PAY_PER_REQUEST',
      provisioned: 'PROVISIONED',
    })
    .defaultValue('PAY_PER_REQUEST')
    .withDescription('Billing of a table the backend creates: PAY_PER_REQUEST (on-demand) or PROVISIONED.'),
  READ_CAPACITY: ConfigOptions.key('state.backend.dynamodb.read-capacity-units')
    .intType()
    .min(1)
    .defaultValue(5)
    .withDescription('Read capacity of a PROVISIONED table the backend creates.'),
  WRITE_CAPACITY: ConfigOptions.key('state.backend.dynamodb.write-capacity-units')
    .intType()
    .min(1)
    .defaultValue(5)
    .withDescription('Write capacity of a PROVISIONED table the backend creates.'),
  DELETION_PROTECTION: ConfigOptions.key('state.backend.dynamodb.deletion-protection')
    .booleanType()
    .defaultValue(false)
    .withDescription('Turn on deletion protection on a table the backend creates.'),
  CACHE_SIZE: ConfigOptions.key('state.backend.dynamodb.cache-size')
    .intType()
    .min(1024)
    .defaultValue(DEFAULT_CACHE_BYTES)
    .withDescription('Bytes the local cache of each keyed backend may hold.'),
  FLUSH_PARALLELISM: ConfigOptions.key('state.backend.dynamodb.flush-parallelism')
    .intType()
    .min(1)
    .check((n) => n <= 64, 'an integer in [1, 64]')
    .defaultValue(DEFAULT_FLUSH_PARALLELISM)
    .withDescription('BatchWriteItem / BatchGetItem calls in flight at once.'),
  CHECKPOINT_COMPLETION: ConfigOptions.key('state.backend.dynamodb.checkpoint-completion')
    .enumType(['commit', 'notify'])
    .defaultValue('commit')
    .withDescription(
      'When a committed checkpoint counts as complete: commit (once every key group committed it; at once for a writer of all of them) or notify (when notifyCheckpointComplete says so).',
    ),
  RETAINED_CHECKPOINTS: ConfigOptions.key('state.backend.dynamodb.retained-checkpoints')
    .intType()
    .min(1)
    .check((n) => n <= 3, 'an integer in [1, 3]')
    .defaultValue(1)
    .withDescription(
      'Complete checkpoints that stay restorable; each costs a kept version in changed items.',
    ),
  BUCKETS: ConfigOptions.key('state.backend.dynamodb.buckets')
    .intType()
    .min(1)
    .check((n) => n <= 256, 'an integer in [1, 256]')
    .defaultValue(DEFAULT_BUCKETS)
    .withDescription('Partitions per key group; fixed for the life of the state.'),
  LINEAGE_COMPACTION_DEPTH: ConfigOptions.key('state.backend.dynamodb.lineage-compaction-depth')
    .intType()
    .min(0)
    .defaultValue(DEFAULT_LINEAGE_COMPACTION_DEPTH)
    .withDescription(
      'Ancestors a restore may leave (each costs a slot read per cache miss) before the backend copies their entries forward in the background; 0 never compacts.',
    ),
});
