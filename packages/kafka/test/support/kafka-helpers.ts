import { Admin, Consumer, Producer } from '@platformatic/kafka';
import { Serializers } from '@statebackend/aws-base';
import { KAFKA_BOOTSTRAP_ENV } from '@statebackend/testkit';
import { committedRecords, type InputRecord, keyGroupPartition } from '../../src/index.js';

/** The broker the testkit's global setup started. */
export function bootstrap(): string {
  const value = process.env[KAFKA_BOOTSTRAP_ENV];
  if (value === undefined || value === '')
    throw new Error(`${KAFKA_BOOTSTRAP_ENV} is not set: run through jest`);
  return value;
}

let counter = 0;
/** A topic or group name unique to this run. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export async function createTopics(topics: readonly { name: string; partitions: number }[]): Promise<void> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [bootstrap()] });
  try {
    for (const { name, partitions } of topics) {
      await admin.createTopics({ topics: [name], partitions, replicas: 1 });
    }
  } finally {
    await admin.close();
  }
}

/**
 * A producer for test input. Idempotent: @platformatic/kafka retries a whole produce request when
 * some of its partitions fail (NOT_LEADER_OR_FOLLOWER is common just after a topic is created),
 * and without idempotence the partitions that had succeeded are written again. Measured here under
 * load: 26 of 40 first sends after `createTopics` duplicated a partition's records.
 */
export function inputProducer(clientId: string): Producer<Buffer, Buffer, Buffer, Buffer> {
  return new Producer({ clientId, bootstrapBrokers: [bootstrap()], idempotent: true });
}

/** A producer writing string keys into partition keyGroup(key), as a co-partitioned input needs. */
export function keyedProducer(maxParallelism: number): {
  send(records: readonly { key: string; value: string }[], topic: string): Promise<void>;
  close(): Promise<void>;
} {
  const producer = inputProducer('test-input');
  return {
    async send(records, topic) {
      await producer.send({
        messages: records.map((r) => ({
          topic,
          key: Buffer.from(r.key),
          value: Buffer.from(r.value),
          partition: keyGroupPartition(stringKeyBytes(r.key), maxParallelism),
        })),
      });
    },
    close: () => producer.close(),
  };
}

/**
 * Input arriving all along: one record per key (`k0`, `k1`, …) every `everyMs`, counted per key in
 * `sent`, until `stop()`, which returns how many were sent (it may be called more than once).
 */
export function continuousInput(
  producer: ReturnType<typeof keyedProducer>,
  topic: string,
  keys: number,
  everyMs: number,
): { readonly sent: Map<string, number>; stop(): Promise<number> } {
  const sent = new Map<string, number>();
  let producing = true;
  const production = (async () => {
    while (producing) {
      const batch = Array.from({ length: keys }, (_, k) => ({ key: `k${k}`, value: 'x' }));
      await producer.send(batch, topic);
      for (const { key } of batch) sent.set(key, (sent.get(key) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    sent,
    async stop() {
      producing = false;
      await production;
      return [...sent.values()].reduce((x, y) => x + y, 0);
    },
  };
}

/** Waits until `topic` holds at least `total` committed records. */
export async function everyOutput(topic: string, total: number, timeoutMs: number): Promise<void> {
  await eventually(async () => (await readCommitted(topic)).length >= total, timeoutMs, 'every output');
}

/** The bytes the string key serializer gives `key`: what its key group is computed from. */
export function stringKeyBytes(key: string): Uint8Array {
  return Serializers.string.serialize(key);
}

/** Everything a read_committed reader sees in `topic` now, per partition in offset order. */
export async function readCommitted(topic: string): Promise<InputRecord[]> {
  const consumer = new Consumer({
    clientId: 'test-reader',
    groupId: uniqueName('reader'),
    bootstrapBrokers: [bootstrap()],
  });
  try {
    const metadata = await consumer.metadata({ topics: [topic] });
    const info = metadata.topics.get(topic);
    if (info === undefined) throw new Error(`no topic ${topic}`);
    const out: InputRecord[] = [];
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
        const records = committedRecords(
          topic,
          partition,
          p.records ?? [],
          p.abortedTransactions ?? [],
          offset,
        );
        const batches = p.records ?? [];
        const last = batches[batches.length - 1];
        const end = last === undefined ? offset : last.firstOffset + BigInt(last.lastOffsetDelta) + 1n;
        out.push(...records);
        if (end <= offset || end >= p.lastStableOffset) {
          break;
        }
        offset = end;
      }
    }
    return out;
  } finally {
    await consumer.close(true);
  }
}

/** Polls `check` until it returns true; fails after `timeoutMs`. Used where the event is in another process. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The group's committed offset per partition of `topic` (no entry where none is committed). */
export async function committedOffsets(
  groupId: string,
  topic: string,
  partitions: number,
): Promise<Map<number, bigint>> {
  const consumer = new Consumer({ clientId: 'test-offsets', groupId, bootstrapBrokers: [bootstrap()] });
  try {
    const offsets = await consumer.listCommittedOffsets({
      topics: [{ topic, partitions: Array.from({ length: partitions }, (_, i) => i) }],
    });
    const result = new Map<number, bigint>();
    (offsets.get(topic) ?? []).forEach((offset, partition) => {
      if (offset >= 0n) result.set(partition, offset);
    });
    return result;
  } finally {
    await consumer.close(true);
  }
}
