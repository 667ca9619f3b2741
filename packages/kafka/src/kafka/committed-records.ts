import type { RecordsBatch } from '@platformatic/kafka';

/** One input record as the job's function sees it. */
export interface InputRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [Buffer | null, Buffer | null])[];
}

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/**
 * The data records of a read_committed fetch of one partition, from `fromOffset` on. A
 * read_committed fetch stops at the last stable offset but still returns the batches of aborted
 * transactions below it (listed in `abortedTransactions`) and the control batches that end
 * transactions; both are left out here, as Kafka's own consumer does. Batches may start before
 * the offset asked for (the broker returns whole batches); those records are skipped.
 */
export function committedRecords(
  topic: string,
  partition: number,
  batches: readonly RecordsBatch[],
  abortedTransactions: readonly { readonly producerId: bigint; readonly firstOffset: bigint }[],
  fromOffset: bigint,
): InputRecord[] {
  const pending = [...abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const aborted = new Set<bigint>();
  const out: InputRecord[] = [];
  for (const batch of batches) {
    while (pending.length > 0 && (pending[0]?.firstOffset ?? 0n) <= batch.firstOffset) {
      const next = pending.shift();
      if (next !== undefined) aborted.add(next.producerId);
    }
    const transactional = (batch.attributes & TRANSACTIONAL) !== 0;
    if ((batch.attributes & CONTROL) !== 0) {
      // The marker ends the producer's transaction, committed or aborted.
      if (transactional) aborted.delete(batch.producerId);
      continue;
    }
    if (transactional && aborted.has(batch.producerId)) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < fromOffset) continue;
      out.push({
        topic,
        partition,
        offset,
        timestamp: batch.firstTimestamp + record.timestampDelta,
        key: record.key,
        value: record.value,
        headers: record.headers,
      });
    }
  }
  return out;
}
