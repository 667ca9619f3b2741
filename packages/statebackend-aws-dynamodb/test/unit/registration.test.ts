import { Configuration } from '@statebackend/aws-base';
import { StateBackendRegistry } from '@statebackend/aws-base/spi';
import {
  DynamoDbStateBackend,
  DynamoDbStateBackendFactory,
  registerDynamoDbStateBackend,
} from '../../src/index.js';

describe('registerDynamoDbStateBackend', () => {
  it('adds the dynamodb type to the registry given, so configuration creates the backend', async () => {
    const registry = new StateBackendRegistry();
    expect(registerDynamoDbStateBackend(registry)).toBe(registry);
    expect(registry.knownTypes()).toEqual(['dynamodb']);
    expect(registry.get('DynamoDB')).toBeInstanceOf(DynamoDbStateBackendFactory);
    const backend = await registry.create(
      Configuration.fromYaml(
        'state.backend.type: dynamodb\nstate.backend.dynamodb.table-name: state\naws.region: eu-west-1\n',
      ),
    );
    expect(backend).toBeInstanceOf(DynamoDbStateBackend);
    await backend.close();
  });
});
