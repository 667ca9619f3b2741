import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager, KeyGroupRange, Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { DynamoDbStateBackend, listScopes } from '../../src/index.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration());
  cleanup.add('AWS clients', () => clients.close());
  const client = clients.getOrCreate(DynamoDBClient);
  const tableName = uniqueName('ddb-scopes');
  cleanup.add(`table ${tableName}`, () => deleteTableIfExists(client, tableName));
  const backend = new DynamoDbStateBackend(target.configuration(), { clients, table: { tableName } });
  cleanup.add('backend', () => backend.close());

  it('lists every job and operator that keeps state in a table, also one that never completed a checkpoint', async () => {
    const parameters = (jobId: string, operatorId: string) => ({
      jobId,
      operatorId,
      keyGroupRange: KeyGroupRange.of(0, 15),
      maxParallelism: 16,
      keySerializer: Serializers.string,
    });
    const checkpointed = await backend.restoreKeyedStateBackend(parameters('orders', 'enrich'), {
      kind: 'empty',
    });
    await checkpointed.withKey('k', (ctx) => ctx.getState(counts).update(1));
    await checkpointed.snapshot();
    await checkpointed.dispose();
    const claimedOnly = await backend.restoreKeyedStateBackend(parameters('clicks', 'count/by-page'), {
      kind: 'empty',
    });
    await claimedOnly.dispose();

    expect(await listScopes({ client, tableName })).toEqual(['clicks/count/by-page', 'orders/enrich']);
  });

  it('finds no scope in a table that does not exist', async () => {
    expect(await listScopes({ client, tableName: uniqueName('ddb-absent') })).toEqual([]);
  });
});
