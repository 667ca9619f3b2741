import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TableNotActiveError, TableNotFoundError, TableSchemaMismatchError } from '../errors.js';
import type { DynamoIo } from '../io/dynamo-io.js';
import { delay } from '../io/retry.js';
import { type TableOptions, TTL_ATTRIBUTE } from './table-options.js';

/**
 * Makes the state table usable: creates it when absent (on-demand unless provisioned is asked),
 * waits until it is ACTIVE, checks the key schema of an existing table and enables native TTL.
 *
 * @throws TableSchemaMismatchError when an existing table has another key schema.
 */
export async function ensureTable(io: DynamoIo, options: TableOptions): Promise<void> {
  const tableName = options.tableName;
  let table = await describe(io, tableName);
  if (table === undefined) {
    if (options.createIfMissing === false) {
      throw new TableNotFoundError(tableName);
    }
    await create(io, options);
  } else {
    checkKeySchema(tableName, table);
  }
  table = await waitActive(io, tableName, options.activeTimeoutMs ?? 120_000);
  if (options.nativeTtl !== false) await enableTtl(io, tableName);
}

async function describe(io: DynamoIo, tableName: string): Promise<TableDescription | undefined> {
  try {
    const response = await io.send('DescribeTable', (client) =>
      client.send(new DescribeTableCommand({ TableName: tableName })),
    );
    return response.Table;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error && (error as { errorName?: string }).errorName === 'ResourceNotFoundException'
  );
}

async function create(io: DynamoIo, options: TableOptions): Promise<void> {
  const billing = options.billing ?? { mode: 'on-demand' };
  try {
    await io.send('CreateTable', (client) =>
      client.send(
        new CreateTableCommand({
          TableName: options.tableName,
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'B' },
            { AttributeName: 'sk', AttributeType: 'B' },
          ],
          ...(billing.mode === 'on-demand'
            ? { BillingMode: 'PAY_PER_REQUEST' }
            : {
                BillingMode: 'PROVISIONED',
                ProvisionedThroughput: {
                  ReadCapacityUnits: billing.readCapacityUnits,
                  WriteCapacityUnits: billing.writeCapacityUnits,
                },
              }),
          ...(options.deletionProtection === true ? { DeletionProtectionEnabled: true } : {}),
        }),
      ),
    );
  } catch (error) {
    // Another instance created it first: fine, the schema check below still runs.
    if ((error as { errorName?: string }).errorName !== 'ResourceInUseException') throw error;
    const table = await describe(io, options.tableName);
    if (table !== undefined) checkKeySchema(options.tableName, table);
  }
}

function checkKeySchema(tableName: string, table: TableDescription): void {
  const types = new Map((table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const schema = (table.KeySchema ?? []).map(
    (k) => `${k.AttributeName} ${k.KeyType} ${types.get(k.AttributeName) ?? '?'}`,
  );
  if (schema.join(', ') !== 'pk HASH B, sk RANGE B')
    throw new TableSchemaMismatchError(tableName, schema.join(', '));
}

async function waitActive(io: DynamoIo, tableName: string, timeoutMs: number): Promise<TableDescription> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const table = await describe(io, tableName);
    const status = table?.TableStatus ?? 'MISSING';
    if (table !== undefined && status === 'ACTIVE') return table;
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new TableNotActiveError(tableName, status, waited);
    await delay(Math.min(100 * 2 ** attempt, 2_000));
  }
}

async function enableTtl(io: DynamoIo, tableName: string): Promise<void> {
  const current = await io.send('DescribeTimeToLive', (client) =>
    client.send(new DescribeTimeToLiveCommand({ TableName: tableName })),
  );
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await io.send('UpdateTimeToLive', (client) =>
    client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
      }),
    ),
  );
}
