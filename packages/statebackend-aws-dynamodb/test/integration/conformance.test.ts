import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager, LocalCheckpointStorage } from '@statebackend/aws-base';
import {
  type ConformanceCaseGroup,
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
  });
  describeKeyedStateBackendConformance(`dynamodb on ${target.name}`, {
    create: (parameters) => backend.createKeyedStateBackend(parameters),
    timeoutMs: 120_000,
    extraCases: checkpointCases
      // Canonical savepoints are not offered yet (see the README).
      .filter((group) => group.name !== 'canonical savepoints')
      .map(withoutStorageStepCount),
  });
});

/**
 * The crash cases that fail storage at every step of a checkpoint also require a checkpoint to
 * take at least 3 storage calls, as backends that write data files there do. This one writes its
 * data to DynamoDB and makes 2 storage calls per checkpoint (the fencing check and the commit):
 * exactly-once holds at both, but the count cannot. Those two cases are left out here;
 * faults.test.ts fails every DynamoDB call of a checkpoint instead. The restore crash case stays.
 */
function withoutStorageStepCount(group: ConformanceCaseGroup): ConformanceCaseGroup {
  if (group.name !== 'crash at every step') return group;
  return {
    name: group.name,
    define: (test) =>
      group.define((name, body) => {
        if (/^storage failing (before|after) any call of a checkpoint/.test(name)) return;
        test(name, body);
      }),
  };
}
