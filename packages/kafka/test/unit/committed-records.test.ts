import type { RecordsBatch } from '@platformatic/kafka';
import { committedRecords } from '../../src/index.js';

function batch(firstOffset: bigint, values: string[], extra: Partial<RecordsBatch> = {}): RecordsBatch {
  return {
    firstOffset,
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: 0,
    lastOffsetDelta: values.length - 1,
    firstTimestamp: 1000n,
    maxTimestamp: 1000n,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: 0,
    records: values.map((v, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: Buffer.from(`k${v}`),
      value: Buffer.from(v),
      headers: [],
    })),
    ...extra,
  };
}

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const values = (records: { value: Buffer | null }[]): string[] =>
  records.map((r) => r.value?.toString() ?? '');

describe('committedRecords', () => {
  it('numbers records by their batch offset and skips those before the offset asked for', () => {
    const records = committedRecords('t', 3, [batch(10n, ['a', 'b', 'c'])], [], 11n);
    expect(values(records)).toEqual(['b', 'c']);
    expect(records.map((r) => r.offset)).toEqual([11n, 12n]);
    expect(records[0]).toMatchObject({ topic: 't', partition: 3, timestamp: 1001n });
  });

  it('leaves out the batches of aborted transactions and every control batch', () => {
    const batches = [
      batch(0n, ['committed-1'], { attributes: TRANSACTIONAL, producerId: 7n }),
      batch(1n, ['marker'], { attributes: TRANSACTIONAL | CONTROL, producerId: 7n }),
      batch(2n, ['aborted-1', 'aborted-2'], { attributes: TRANSACTIONAL, producerId: 8n }),
      batch(4n, ['plain'], {}),
      batch(5n, ['abort-marker'], { attributes: TRANSACTIONAL | CONTROL, producerId: 8n }),
      batch(6n, ['later-from-8'], { attributes: TRANSACTIONAL, producerId: 8n }),
      batch(7n, ['commit-marker'], { attributes: TRANSACTIONAL | CONTROL, producerId: 8n }),
    ];
    const records = committedRecords('t', 0, batches, [{ producerId: 8n, firstOffset: 2n }], 0n);
    // Producer 8's second transaction (offset 6) began after its abort marker: it is not aborted.
    expect(values(records)).toEqual(['committed-1', 'plain', 'later-from-8']);
  });

  it('keeps transactional batches of a producer whose aborted transaction starts later', () => {
    const batches = [
      batch(0n, ['committed'], { attributes: TRANSACTIONAL, producerId: 8n }),
      batch(1n, ['commit-marker'], { attributes: TRANSACTIONAL | CONTROL, producerId: 8n }),
      batch(2n, ['aborted'], { attributes: TRANSACTIONAL, producerId: 8n }),
    ];
    expect(values(committedRecords('t', 0, batches, [{ producerId: 8n, firstOffset: 2n }], 0n))).toEqual([
      'committed',
    ]);
  });
});
