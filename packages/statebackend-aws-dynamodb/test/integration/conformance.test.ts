import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager } from '@statebackend/aws-base';
import {
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

  describeKeyedStateBackendConformance(`dynamodb on ${target.name}`, {
    create: (parameters) => backend.createKeyedStateBackend(parameters),
    timeoutMs: 60_000,
  });
});
