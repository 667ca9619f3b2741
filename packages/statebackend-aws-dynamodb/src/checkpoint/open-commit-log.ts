import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CheckpointStorage } from '@statebackend/aws-base';
import { DynamoIo } from '../io/dynamo-io.js';
import { DEFAULT_RETRY_POLICY } from '../io/retry.js';
import { metaPartitionKey, scopeBytes } from '../layout/item-key.js';
import { StoreMetrics } from '../metrics/store-metrics.js';
import type { CommitLog } from './commit-log.js';
import { StorageCommitLog } from './storage-commit-log.js';
import { TableCommitLog } from './table-commit-log.js';

/** Where a scope's commit records are: the state table, or a checkpoint storage. */
export interface CommitLogLocation {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The job and operator, `jobId/operatorId`, as the keyed backend scopes its store. */
  readonly scope: string;
  /** Where claims and commit records are when the backend was given one; else the table. */
  readonly checkpointStorage?: CheckpointStorage | undefined;
}

/** A reader's view of a table: its I/O, and the commit log of `location.scope`. */
export interface OpenedCommitLog {
  readonly io: DynamoIo;
  readonly log: CommitLog;
  readonly scopeBytes: Uint8Array;
}

/** Opens the commit log of a scope for reading (listing, pruning); claims nothing. */
export function openCommitLog(location: CommitLogLocation, metrics = new StoreMetrics()): OpenedCommitLog {
  const io = new DynamoIo({
    client: location.client,
    tableName: location.tableName,
    retry: DEFAULT_RETRY_POLICY,
    parallelism: 8,
    metrics,
    trackConsumedCapacity: false,
  });
  return {
    io,
    log: commitLogOf(io, location.scope, location.checkpointStorage),
    scopeBytes: scopeBytes(location.scope),
  };
}

/** The commit log of `scope`: in `checkpointStorage` when given, else in the table `io` writes. */
export function commitLogOf(
  io: DynamoIo,
  scope: string,
  checkpointStorage: CheckpointStorage | undefined,
): CommitLog {
  if (checkpointStorage !== undefined) return new StorageCommitLog(checkpointStorage);
  return new TableCommitLog(
    io,
    scope,
    metaPartitionKey(scopeBytes(scope)),
    `dynamodb://${io.tableName}/${scope}`,
  );
}
