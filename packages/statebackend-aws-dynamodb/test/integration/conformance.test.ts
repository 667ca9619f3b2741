import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager, LocalCheckpointStorage } from '@statebackend/aws-base';
import {
  checkpointConformanceCases,
  cleanupAfterAll,
  deleteTableIfExists,
  describeEachTarget,
  describeKeyedStateBackendConformance,
  uniqueName,
} from '@statebackend/testkit';
import { DynamoDbStateBackend } from '../../src/index.js';

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-dynamodb-it',
  });
  cleanup.add('AWS clients', () => clients.close());
  const tableName = uniqueName('ddb-conformance');
  const backend = new DynamoDbStateBackend(target.configuration(), {
    clients,
    table: { tableName },
    // Small, so that cases also run through evictions and early flushes.
    cacheBytes: 64 * 1024,
  });
  cleanup.add(`table ${tableName}`, () =>
    deleteTableIfExists(clients.getOrCreate(DynamoDBClient), tableName),
  );
  // Claims and commit records through aws-base's checkpoint storage SPI; the data stays in DynamoDB.
  const directory = mkdtempSync(join(tmpdir(), 'ddb-checkpoints-'));
  cleanup.add(`directory ${directory}`, () => rmSync(directory, { recursive: true, force: true }));

  // One bucket per key group: the checkpoint cases list keys often, a Query per partition.
  const checkpointing = new DynamoDbStateBackend(target.configuration(), {
    clients,
    table: { tableName },
    cacheBytes: 64 * 1024,
    buckets: 1,
  });
  const checkpointCases = checkpointConformanceCases({
    storage: ({ jobId, operatorId }) => new LocalCheckpointStorage({ directory, jobId, operatorId }),
    create: (parameters, { storage, restoreFrom, retainedCheckpoints }) =>
      checkpointing.createCheckpointingKeyedStateBackend(parameters, {
        checkpointStorage: storage,
        ...(restoreFrom === undefined ? {} : { restoreFrom }),
        ...(retainedCheckpoints === undefined ? {} : { retainedCheckpoints }),
      }),
    // The data goes to DynamoDB: a checkpoint's storage calls are the fencing check and the commit.
    minCheckpointStorageSteps: 2,
  });
  describeKeyedStateBackendConformance(`dynamodb on ${target.name}`, {
    create: (parameters) => backend.createKeyedStateBackend(parameters),
    timeoutMs: 120_000,
    extraCases: checkpointCases,
  });
});
