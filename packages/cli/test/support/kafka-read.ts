import { Consumer } from '@platformatic/kafka';
import { committedRecords } from '@statebackend/kafka';

/** The values a read_committed reader sees in `topic`, from every partition. */
export async function readCommittedValues(bootstrap: string, topic: string): Promise<string[]> {
  const consumer = new Consumer({
    clientId: 'test-reader',
    groupId: `reader-${Date.now()}`,
    bootstrapBrokers: [bootstrap],
  });
  try {
    const metadata = await consumer.metadata({ topics: [topic] });
    const info = metadata.topics.get(topic);
    if (info === undefined) return [];
    const values: string[] = [];
    for (let partition = 0; partition < info.partitionsCount; partition += 1) {
      let offset = 0n;
      for (;;) {
        const response = await consumer.fetch({
          node: info.partitions[partition]?.leader ?? 1,
          isolationLevel: 1,
          maxWaitTime: 10,
          minBytes: 0,
          maxBytes: 8 * 1024 * 1024,
          topics: [
            {
              topicId: info.id,
              partitions: [
                {
                  partition,
                  fetchOffset: offset,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 4 * 1024 * 1024,
                },
              ],
            },
          ],
        });
        const p = response.responses[0]?.partitions[0];
        if (p === undefined) break;
        const batches = p.records ?? [];
        for (const r of committedRecords(topic, partition, batches, p.abortedTransactions ?? [], offset))
          values.push(r.value?.toString() ?? '');
        const last = batches[batches.length - 1];
        const end = last === undefined ? offset : last.firstOffset + BigInt(last.lastOffsetDelta) + 1n;
        if (end <= offset || end >= p.lastStableOffset) break;
        offset = end;
      }
    }
    return values;
  } finally {
    await consumer.close(true);
  }
}
