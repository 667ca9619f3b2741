// Public surface of @statebackend/kafka/dynamodb: the worker's key groups with their state in
// DynamoDB. A subpath of its own, so that the package's main entry needs no DynamoDB packages.

export {
  DynamoDbKeyGroupBackends,
  type DynamoDbKeyGroupBackendsOptions,
} from './dynamodb-key-group-backends.js';
