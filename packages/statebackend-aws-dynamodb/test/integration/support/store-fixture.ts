import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager, assignToKeyGroup, KeyGroupRange } from '@statebackend/aws-base';
import { type Cleanup, deleteTableIfExists, type TestTarget, uniqueName } from '@statebackend/testkit';
import { DynamoDbStateStore, type DynamoDbStateStoreOptions, type EntryRef } from '../../../src/index.js';
import { FaultInjector } from './fault-injector.js';

export const MAX_PARALLELISM = 128;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A DynamoDB client of `target` and a fresh table name, both removed after the suite. */
export function storeFixture(
  target: TestTarget,
  cleanup: Cleanup,
  clientConfig: { maxAttempts?: number } = {},
) {
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-dynamodb-it',
  });
  cleanup.add('AWS clients', () => clients.close());
  const client = clients.getOrCreate(DynamoDBClient, { clientConfig: { maxAttempts: 1, ...clientConfig } });
  const tableName = uniqueName('ddb-state');
  cleanup.add(`table ${tableName}`, () => deleteTableIfExists(client, tableName));
  /** A second client of the same target with a fault injector on it. */
  const faultyClient = (): { client: DynamoDBClient; faults: FaultInjector } => {
    const faulty = clients.getOrCreate(DynamoDBClient, { clientConfig: { maxAttempts: 1 } });
    const faults = new FaultInjector();
    faults.attach(faulty);
    return { client: faulty, faults };
  };
  const open = (overrides: Partial<DynamoDbStateStoreOptions> = {}): Promise<DynamoDbStateStore> =>
    DynamoDbStateStore.open({
      client,
      table: { tableName },
      scope: 'job-1/operator-1',
      keyGroupRange: KeyGroupRange.of(0, MAX_PARALLELISM - 1),
      maxParallelism: MAX_PARALLELISM,
      retry: { baseDelayMs: 5 },
      ...overrides,
    });
  return { client, tableName, open, faultyClient };
}

/** The ref of a value state `state` of string `key`. */
export function valueRef(state: string, key: string, maxParallelism = MAX_PARALLELISM): EntryRef {
  const bytes = encoder.encode(key);
  return {
    state,
    keyGroup: assignToKeyGroup(bytes, maxParallelism),
    key: bytes,
    namespace: new Uint8Array(0),
  };
}

export function mapRef(
  state: string,
  key: string,
  mapKey: string,
  maxParallelism = MAX_PARALLELISM,
): EntryRef {
  return { ...valueRef(state, key, maxParallelism), mapKey: encoder.encode(mapKey) };
}

export const bytes = (text: string): Uint8Array => encoder.encode(text);
export const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : decoder.decode(value);
