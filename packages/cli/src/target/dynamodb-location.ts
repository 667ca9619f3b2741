import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AwsClientManager,
  type CheckpointingKeyedStateBackend,
  type KeyGroupRange,
  type TypeSerializer,
} from '@statebackend/aws-base';
import type { KeyedStateSource } from '@statebackend/aws-base/spi';
import type { CommitRecord, DynamoDbCheckpointSource } from '@statebackend/aws-dynamodb';
import { type AwsSettings, awsConfiguration, awsKeysOnly } from './aws-settings.js';
import { lazyImport } from './lazy-import.js';
import type { JobAtLocation, JobScope } from './location.js';

/** A job's checkpoints in a DynamoDB table: its commit records, and readers of them. */
export interface OpenedDynamoDbLocation {
  /** e.g. `dynamodb://state/clicks/sessions`. */
  readonly location: string;
  /** Every commit record of the job's operator, newest checkpoint first. */
  commits(): Promise<CommitRecord[]>;
  /**
   * Every job in the table (the opened one included) that keeps state there: a claim, and
   * perhaps commit records. One Scan of the table's keys (see `listScopes`).
   */
  jobsHere(): Promise<JobAtLocation[]>;
  /** Deletes commit records (the table's data is cleaned up by the job's own checkpoints). */
  remove(records: readonly CommitRecord[]): Promise<void>;
  /** A checkpoint (default the newest complete one) as a source to dump or export; claims nothing. */
  source(checkpointId?: number): Promise<DynamoDbCheckpointSource>;
  /**
   * A keyed backend of the job that starts from `source` (a savepoint): it claims the key groups,
   * fencing a running job, and deletes nothing already in the table.
   */
  importing<K>(
    source: KeyedStateSource,
    keyGroupRange: KeyGroupRange,
    keySerializer: TypeSerializer<K>,
  ): Promise<CheckpointingKeyedStateBackend<K>>;
  close(): Promise<void>;
}

/** Opens `dynamodb://table` for the job `scope` (the DynamoDB package and SDK are loaded only then). */
export async function openDynamoDbLocation(
  table: string,
  scope: JobScope,
  context: { readonly aws: AwsSettings; readonly env: Readonly<Record<string, string | undefined>> },
): Promise<OpenedDynamoDbLocation> {
  const purpose = 'A dynamodb:// location';
  const sdk = await lazyImport('@aws-sdk/client-dynamodb', purpose, () => import('@aws-sdk/client-dynamodb'));
  const dynamodb = await lazyImport(
    '@statebackend/aws-dynamodb',
    purpose,
    () => import('@statebackend/aws-dynamodb'),
  );
  const configuration = awsKeysOnly(awsConfiguration(context.aws, context.env));
  const clients = new AwsClientManager(configuration);
  const client: DynamoDBClient = clients.getOrCreate(sdk.DynamoDBClient);
  const scopeName = `${scope.jobId}/${scope.operatorId}`;
  const { log } = dynamodb.openCommitLog({ client, tableName: table, scope: scopeName });
  const backend = new dynamodb.DynamoDbStateBackend(configuration, { clients, table: { tableName: table } });
  return {
    location: log.location,
    commits: () => log.list(),
    jobsHere: async () => {
      const jobs: JobAtLocation[] = [];
      for (const name of await dynamodb.listScopes({ client, tableName: table })) {
        const records = await dynamodb.openCommitLog({ client, tableName: table, scope: name }).log.list();
        jobs.push({ name, checkpointed: records.length > 0 });
      }
      return jobs;
    },
    remove: (records) => log.remove(records),
    source: (checkpointId) =>
      dynamodb.DynamoDbCheckpointSource.open({
        client,
        tableName: table,
        scope: scopeName,
        ...(checkpointId === undefined ? {} : { checkpointId }),
      }),
    importing: (source, keyGroupRange, keySerializer) =>
      backend.createCheckpointingKeyedStateBackend(
        { ...scope, keyGroupRange, maxParallelism: source.maxParallelism, keySerializer },
        // Whatever is there stays: an import never deletes what it did not write.
        { restoreFrom: source, checkpointCompletion: 'commit', keepHistory: true },
      ),
    close: async () => {
      await backend.close();
      clients.close();
    },
  };
}
