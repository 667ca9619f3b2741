import { assignToKeyGroup, Serializers } from '@statebackend/aws-base';
import { MAX_PARALLELISM } from './s3-backend.js';

/** The key group of a string key. */
export function keyGroupOf(key: string): number {
  return assignToKeyGroup(Serializers.string.serialize(key), MAX_PARALLELISM);
}
