import { SerializerRegistry } from '@statebackend/aws-base';

/** The serializers `state dump` can decode a checkpoint with: every built-in one. */
export function dumpSerializerRegistry(): SerializerRegistry {
  return SerializerRegistry.withBuiltIns();
}
