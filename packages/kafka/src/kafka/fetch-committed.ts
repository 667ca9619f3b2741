import type { ClusterTopicMetadata, Consumer } from '@platformatic/kafka';
import { KafkaRequestError } from '../errors.js';
import { committedRecords, type InputRecord } from './committed-records.js';

const READ_COMMITTED = 1;

/**
 * One read_committed fetch of `positions` (partition → next offset) of `topic`, one request per
 * partition leader, waiting at most `maxWaitMs` for data. Returns the committed data records
 * per partition (partitions without new records are absent). The worker positions partitions
 * itself, from the offsets stored with its checkpoints, so it fetches rather than subscribing
 * a stream that would position them from the group's offsets.
 *
 * @throws KafkaRequestError when a partition answers with an error code.
 */
export async function fetchCommitted(
  consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
  topicName: string,
  topic: ClusterTopicMetadata,
  positions: ReadonlyMap<number, bigint>,
  maxWaitMs: number,
): Promise<Map<number, InputRecord[]>> {
  const byLeader = new Map<number, number[]>();
  for (const partition of positions.keys()) {
    const leader = topic.partitions[partition]?.leader ?? -1;
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
  }
  const result = new Map<number, InputRecord[]>();
  await Promise.all(
    [...byLeader].map(async ([node, partitions]) => {
      const response = await consumer.fetch({
        node,
        isolationLevel: READ_COMMITTED,
        maxWaitTime: maxWaitMs,
        minBytes: 1,
        maxBytes: 8 * 1024 * 1024,
        topics: [
          {
            topicId: topic.id,
            partitions: partitions.map((partition) => ({
              partition,
              fetchOffset: positions.get(partition) ?? 0n,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
              partitionMaxBytes: 1024 * 1024,
            })),
          },
        ],
      });
      for (const t of response.responses) {
        for (const p of t.partitions) {
          const position = positions.get(p.partitionIndex);
          if (position === undefined) continue;
          if (p.errorCode !== 0) {
            throw new KafkaRequestError(
              `Fetching ${topicName}-${p.partitionIndex} at ${position} failed with error code ${p.errorCode}`,
            );
          }
          const records = committedRecords(
            topicName,
            p.partitionIndex,
            p.records ?? [],
            p.abortedTransactions ?? [],
            position,
          );
          if (records.length > 0) result.set(p.partitionIndex, records);
        }
      }
    }),
  );
  return result;
}
