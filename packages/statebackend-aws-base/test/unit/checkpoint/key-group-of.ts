import { assignToKeyGroup, Serializers } from '../../../src/index.js';

/** The key group of a string key among `maxParallelism`. */
export function keyGroupOf(key: string, maxParallelism = 128): number {
  return assignToKeyGroup(Serializers.string.serialize(key), maxParallelism);
}
