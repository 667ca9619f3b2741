// Public surface of @statebackend/aws-dynamodb; nothing is defined here.
export {
  DynamoDbKeyedStateBackend,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
} from './backend/dynamodb-keyed-state-backend.js';
export {
  DynamoDbKeyedStateBackendBuilder,
  type StoreSettings,
} from './backend/dynamodb-keyed-state-backend-builder.js';
export {
  type CheckpointingOptions,
  DynamoDbStateBackend,
  type DynamoDbStateBackendOptions,
} from './backend/dynamodb-state-backend.js';
export {
  DynamoDbStateBackendFactory,
  registerDynamoDbStateBackend,
} from './backend/dynamodb-state-backend-factory.js';
export { decodeUserMetadata } from './backend/restored-info.js';
export type { CommitLog } from './checkpoint/commit-log.js';
export type { CommitRecord, LineageEntry } from './checkpoint/lineage.js';
export {
  type CheckpointListing,
  type CheckpointPart,
  type ListedCheckpoint,
  listCheckpoints,
} from './checkpoint/list-checkpoints.js';
export { listScopes, type ScopeListingLocation } from './checkpoint/list-scopes.js';
export { type CommitLogLocation, openCommitLog, type OpenedCommitLog } from './checkpoint/open-commit-log.js';
export { DynamoDbOptions } from './config/dynamodb-options.js';
export type { CompletionMode } from './store/checkpoint-tracker.js';
export {
  CheckpointOrderError,
  DynamoDbRequestError,
  KeyTooLargeError,
  StoreFailedError,
  TableNotActiveError,
  TableNotFoundError,
  TableSchemaMismatchError,
  UndescribedStateError,
  ValueMigrationNotSupportedError,
  ValueTooLargeError,
} from './errors.js';
export { classifyFailure, DEFAULT_RETRY_POLICY, type FailureKind, type RetryPolicy } from './io/retry.js';
export type { CellRef, EntryRef } from './layout/item-key.js';
export { StoreMetrics } from './metrics/store-metrics.js';
export {
  DynamoDbCheckpointSource,
  type DynamoDbCheckpointSourceOptions,
} from './savepoint/dynamodb-checkpoint-source.js';
export {
  type CompletedCheckpoint,
  DynamoDbStateStore,
  type PutOptions,
  type StoreHold,
} from './store/dynamodb-state-store.js';
export type { VisibleEntry } from './store/key-group-reader.js';
export {
  DEFAULT_BUCKETS,
  DEFAULT_LINEAGE_COMPACTION_DEPTH,
  DEFAULT_CACHE_BYTES,
  DEFAULT_FLUSH_PARALLELISM,
  type DynamoDbStateStoreOptions,
  type StartFrom,
} from './store/store-options.js';
export type { BillingMode, TableOptions } from './table/table-options.js';
export { TTL_ATTRIBUTE } from './table/table-options.js';
