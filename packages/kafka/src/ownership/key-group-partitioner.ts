import { assignToKeyGroup } from '@statebackend/aws-base';

/**
 * The partition of a record whose serialized state key is `keyBytes`, in a topic of
 * `maxParallelism` partitions: its key group (`murmur3(keyBytes) % maxParallelism`, the
 * formula of every backend and savepoint). A topic written this way is co-partitioned: a
 * record's key group is its partition, so a worker owns exactly the key groups of the partitions
 * the consumer group assigns it.
 *
 * @example
 * ```ts
 * const producer = new Producer({
 *   bootstrapBrokers, serializers: stringSerializers,
 *   partitioner: (message) => keyGroupPartition(Buffer.from(message.key), 128),
 * });
 * ```
 */
export function keyGroupPartition(keyBytes: Uint8Array, maxParallelism: number): number {
  return assignToKeyGroup(keyBytes, maxParallelism);
}
