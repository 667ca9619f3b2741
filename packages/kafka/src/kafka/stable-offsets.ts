import { inspect } from 'node:util';
import { Connection, type ConnectionOptions, type Consumer, offsetFetchV9 } from '@platformatic/kafka';
import { KafkaRequestError } from '../errors.js';

function isUnstable(error: unknown): boolean {
  return /UNSTABLE_OFFSET_COMMIT|\b88\b/.test(inspect(error, { depth: 6 }));
}

/**
 * The group's committed offsets for `partitions` of `topic`, read with `require_stable`: while a
 * transaction holding offsets of these partitions is pending, the coordinator answers
 * UNSTABLE_OFFSET_COMMIT and the read is retried, so what it returns can no longer change under
 * an earlier owner's commit. (The client's own `listCommittedOffsets` does not ask for stable
 * offsets.) A partition without a committed offset is absent from the result.
 */
export async function fetchStableCommittedOffsets(
  consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
  connectionOptions: ConnectionOptions,
  topic: string,
  partitions: readonly number[],
  signal: { readonly aborted: boolean },
  timeoutMs = 60_000,
): Promise<Map<number, bigint>> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    const coordinator = await consumer.findGroupCoordinator();
    const metadata = await consumer.metadata({ topics: [topic] });
    const broker = metadata.brokers.get(coordinator);
    if (broker === undefined)
      throw new KafkaRequestError(`Group coordinator ${coordinator} is not in the metadata`);
    const connection = new Connection(`${consumer.clientId}-offsets`, connectionOptions);
    try {
      await connection.connect(broker.host, broker.port);
      const response = await offsetFetchV9.api.async(
        connection,
        [
          {
            groupId: consumer.groupId,
            memberId: null,
            memberEpoch: -1,
            topics: [{ name: topic, partitionIndexes: [...partitions] }],
          },
        ],
        true,
      );
      const offsets = new Map<number, bigint>();
      for (const group of response.groups) {
        for (const t of group.topics) {
          for (const p of t.partitions)
            if (p.committedOffset >= 0n) offsets.set(p.partitionIndex, p.committedOffset);
        }
      }
      return offsets;
    } catch (error) {
      if (!isUnstable(error) || Date.now() > deadline || signal.aborted) {
        throw new KafkaRequestError(
          `Could not read the committed offsets of group ${consumer.groupId} for ${topic} ${partitions.join(',')}`,
          { cause: error },
        );
      }
    } finally {
      await connection.close().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 500);
  }
}
