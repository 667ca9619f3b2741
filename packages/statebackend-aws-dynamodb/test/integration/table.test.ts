import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CheckpointNotFoundError, KeyGroupRange } from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { DynamoDbStateStore, TableSchemaMismatchError } from '../../src/index.js';
import { bytes, storeFixture, text, valueRef } from './support/store-fixture.js';

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const { client } = storeFixture(target, cleanup);
  const open = (tableName: string, table: object = {}, more: object = {}) =>
    DynamoDbStateStore.open({
      client,
      table: { tableName, ...table },
      scope: 'table-test',
      keyGroupRange: KeyGroupRange.of(0, 127),
      maxParallelism: 128,
      ...more,
    });
  const fresh = (): string => {
    const name = uniqueName('ddb-table');
    cleanup.add(`table ${name}`, () => deleteTableIfExists(client, name));
    return name;
  };

  it('creates an absent table on demand, waits until ACTIVE and enables native TTL on `ttl`', async () => {
    const tableName = fresh();
    await (await open(tableName)).close();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('ttl');
    expect(['ENABLED', 'ENABLING']).toContain(ttl.TimeToLiveDescription?.TimeToLiveStatus);
  });

  it('creates a provisioned table with deletion protection when asked', async () => {
    const tableName = fresh();
    const store = await open(tableName, {
      billing: { mode: 'provisioned', readCapacityUnits: 3, writeCapacityUnits: 4 },
      deletionProtection: true,
    });
    await store.close();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(3);
    expect(Table?.ProvisionedThroughput?.WriteCapacityUnits).toBe(4);
    expect(Table?.DeletionProtectionEnabled).toBe(true);
    // Let the cleanup delete it.
    await client.send(new UpdateTableCommand({ TableName: tableName, DeletionProtectionEnabled: false }));
  });

  it('uses an existing table of the right schema, and refuses one of another schema with a typed error', async () => {
    const right = fresh();
    await (await open(right)).close();
    await (await open(right)).close();

    const wrong = fresh();
    await client.send(
      new CreateTableCommand({
        TableName: wrong,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const error = await open(wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TableSchemaMismatchError);
    expect((error as TableSchemaMismatchError).found).toBe('id HASH S');
  });

  it('a restore that finds no table fails with CheckpointNotFoundError and creates no table', async () => {
    const tableName = fresh();
    const error = await open(tableName, {}, { startFrom: { kind: 'checkpoint' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointNotFoundError);
    expect((error as Error).message).toContain(`table '${tableName}' does not exist`);
    await expect(client.send(new DescribeTableCommand({ TableName: tableName }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('checkpoints again the same job in a table deleted and created anew (commit tokens are per writer)', async () => {
    const tableName = fresh();
    for (const value of ['first table', 'second table']) {
      const store = await open(tableName);
      await store.put(valueRef('v', 'k'), bytes(value));
      await store.snapshot(1);
      await store.close();
      const restored = await open(tableName, {}, { startFrom: { kind: 'checkpoint' } });
      expect(text(await restored.get(valueRef('v', 'k')))).toBe(value);
      await restored.close();
      await deleteTableIfExists(client, tableName);
    }
  });
});
