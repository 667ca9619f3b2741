import { Configuration, ConfigurationError } from '@statebackend/aws-base';
import { DynamoDbStateBackend, DynamoDbStateBackendFactory } from '../../src/index.js';

describe('DynamoDbStateBackendFactory', () => {
  const factory = new DynamoDbStateBackendFactory();

  it('answers to state.backend.type dynamodb and reads the table, billing and cache settings', async () => {
    const configuration = new Configuration([
      ['state.backend.type', 'dynamodb'],
      ['state.backend.dynamodb.table-name', 'orders-state'],
      ['state.backend.dynamodb.billing-mode', 'provisioned'],
      ['state.backend.dynamodb.cache-size', '1048576'],
      ['aws.region', 'eu-west-1'],
    ]);
    const backend = await factory.createFromConfig(configuration);
    expect(factory.type).toBe('dynamodb');
    expect(backend).toBeInstanceOf(DynamoDbStateBackend);
    expect(backend.type).toBe('dynamodb');
    await backend.close();
  });

  it('lists every problem before any AWS call: missing table, bad numbers, unknown keys', async () => {
    const configuration = new Configuration([
      ['state.backend.type', 'dynamodb'],
      ['state.backend.dynamodb.flush-parallelism', '0'],
      ['state.backend.dynamodb.cache-size', 'lots'],
      ['state.backend.dynamodb.tabel-name', 'x'],
    ]);
    const error = await factory.createFromConfig(configuration).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).keys.sort()).toEqual([
      'state.backend.dynamodb.cache-size',
      'state.backend.dynamodb.flush-parallelism',
      'state.backend.dynamodb.tabel-name',
      'state.backend.dynamodb.table-name',
    ]);
  });
});
