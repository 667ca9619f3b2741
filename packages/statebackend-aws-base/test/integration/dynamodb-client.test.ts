import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { AwsClientManager } from '../../src/index.js';

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-base-it',
  });
  cleanup.add('AWS clients', () => clients.close());

  it(`creates a table and round-trips an item on ${target.name}`, async () => {
    const dynamo = clients.getOrCreate(DynamoDBClient);
    const table = uniqueName('aws-base-items');
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'B' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    cleanup.add(`table ${table}`, () => deleteTableIfExists(dynamo, table));
    await waitUntilTableExists(
      { client: dynamo, maxWaitTime: 120, minDelay: 1, maxDelay: 5 },
      { TableName: table },
    );

    const key = { pk: { S: 'operator-1#kg-7' }, sk: { B: Uint8Array.from([0, 1, 254, 255]) } };
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...key, value: { B: Uint8Array.from([42]) }, ttl: { N: '1893456000' } },
      }),
    );
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );

    expect(Item?.sk?.B).toEqual(Uint8Array.from([0, 1, 254, 255]));
    expect(Item?.value?.B).toEqual(Uint8Array.from([42]));
    expect(Item?.ttl?.N).toBe('1893456000');
  });
});
