// The example job on Kafka: clicks per user, counted by N worker processes sharing one consumer
// group, exactly once into an output topic. Run from packages/kafka after `pnpm run build`:
//
//   node --experimental-strip-types example/click-counts.ts --bootstrap 127.0.0.1:9092 --workers 3
//
// It creates the topics `clicks` (12 partitions, one per key group) and `click-counts` if they
// are missing, starts the workers as child processes (each one is this file with `--worker`),
// produces clicks for `--seconds`, kills one worker with SIGKILL halfway, stops the others
// gracefully, and checks the output topic read with read_committed: every click counted once.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import { LocalCheckpointStorage, Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { committedRecords, KafkaKeyedWorker, keyGroupPartition } from '../dist/index.js';

const PARTITIONS = 12;
const { values } = parseArgs({
  options: {
    bootstrap: { type: 'string', default: '127.0.0.1:9092' },
    workers: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    checkpoints: { type: 'string', default: './.statebackend/kafka-example' },
    prefix: { type: 'string', default: '' },
    worker: { type: 'boolean', default: false },
  },
});
const bootstrap = values.bootstrap;
const clicksTopic = `${values.prefix}clicks`;
const countsTopic = `${values.prefix}click-counts`;
const groupId = `${values.prefix}click-counts`;
const clicks = new ValueStateDescriptor('clicks', Serializers.int, 0);
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function runWorker(): Promise<void> {
  const worker = new KafkaKeyedWorker<string>({
    bootstrapBrokers: [bootstrap],
    groupId,
    inputTopic: clicksTopic,
    outputTopic: countsTopic,
    maxParallelism: PARTITIONS,
    jobId: 'click-counts',
    operatorId: 'per-user',
    keySerializer: Serializers.string,
    checkpointStorage: new LocalCheckpointStorage({
      directory: values.checkpoints,
      jobId: 'click-counts',
      operatorId: 'per-user',
    }),
    states: [{ descriptor: clicks }],
    sessionTimeoutMs: 3_000,
    heartbeatIntervalMs: 300,
    keyOf: (record) => record.key?.toString() ?? '',
    process: async (record, ctx, emit) => {
      const count = ctx.getState(clicks);
      const next = (await count.value()) + 1;
      await count.update(next);
      emit({ key: record.key ?? Buffer.alloc(0), value: Buffer.from(`${record.key?.toString()}:${next}`) });
    },
  });
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  await worker.run(controller.signal);
  say(`worker ${process.pid}: ${JSON.stringify(worker.stats)}`);
}

async function ensureTopics(): Promise<void> {
  const admin = new Admin({ clientId: 'example-admin', bootstrapBrokers: [bootstrap] });
  try {
    const existing = new Set(await admin.listTopics());
    for (const [topic, partitions] of [
      [clicksTopic, PARTITIONS],
      [countsTopic, 1],
    ] as const) {
      if (!existing.has(topic)) await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    }
  } finally {
    await admin.close();
  }
}

async function readCounts(): Promise<string[]> {
  const consumer = new Consumer({
    clientId: 'example-reader',
    groupId: `${groupId}-reader`,
    bootstrapBrokers: [bootstrap],
  });
  try {
    const info = (await consumer.metadata({ topics: [countsTopic] })).topics.get(countsTopic);
    if (info === undefined) return [];
    const out: string[] = [];
    let offset = 0n;
    for (;;) {
      const response = await consumer.fetch({
        node: info.partitions[0]?.leader ?? 1,
        isolationLevel: 1,
        maxWaitTime: 10,
        minBytes: 0,
        maxBytes: 8 * 1024 * 1024,
        topics: [
          {
            topicId: info.id,
            partitions: [
              {
                partition: 0,
                fetchOffset: offset,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 8 * 1024 * 1024,
              },
            ],
          },
        ],
      });
      const p = response.responses[0]?.partitions[0];
      const batches = p?.records ?? [];
      const last = batches[batches.length - 1];
      if (p === undefined || last === undefined) break;
      out.push(
        ...committedRecords(countsTopic, 0, batches, p.abortedTransactions ?? [], offset).map(
          (r) => r.value?.toString() ?? '',
        ),
      );
      offset = last.firstOffset + BigInt(last.lastOffsetDelta) + 1n;
      if (offset >= p.lastStableOffset) break;
    }
    return out;
  } finally {
    await consumer.close(true);
  }
}

async function runJob(): Promise<void> {
  await ensureTopics();
  const before = await readCounts();
  const workers = Array.from({ length: Number(values.workers) }, () =>
    spawn(
      process.execPath,
      [
        '--experimental-strip-types',
        '--no-warnings',
        import.meta.filename,
        ...process.argv.slice(2),
        '--worker',
      ],
      {
        stdio: 'inherit',
      },
    ),
  );
  // Idempotent: the client retries a whole produce request when some partitions fail, which
  // would otherwise write the others twice (and the check below would count them).
  const producer = new Producer({
    clientId: 'example-clicks',
    bootstrapBrokers: [bootstrap],
    idempotent: true,
  });
  const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
  const produced = new Map<string, number>();
  const seconds = Number(values.seconds);
  const until = Date.now() + seconds * 1000;
  let killed = false;
  while (Date.now() < until) {
    const batch = Array.from(
      { length: 100 },
      () => users[Math.floor(Math.random() * users.length)] ?? 'user-0',
    );
    await producer.send({
      messages: batch.map((user) => ({
        topic: clicksTopic,
        key: Buffer.from(user),
        value: Buffer.from('{}'),
        partition: keyGroupPartition(Serializers.string.serialize(user), PARTITIONS),
      })),
    });
    for (const user of batch) produced.set(user, (produced.get(user) ?? 0) + 1);
    if (!killed && Date.now() > until - (seconds * 1000) / 2 && workers.length > 1) {
      killed = true;
      say(`example: killing worker ${workers[0]?.pid} with SIGKILL`);
      workers[0]?.kill('SIGKILL');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await producer.close();
  const total = [...produced.values()].reduce((a, b) => a + b, 0);
  const deadline = Date.now() + 60_000;
  let after = await readCounts();
  while (after.length - before.length < total && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    after = await readCounts();
  }
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(
    workers.map((w) => (w.exitCode === null && w.signalCode === null ? once(w, 'exit') : undefined)),
  );
  const fresh = after.slice(before.length);
  const distinct = new Set(fresh).size;
  const exactlyOnce = fresh.length === total && distinct === total;
  say(
    `example: produced ${total} clicks of ${produced.size} users; read_committed output has ${fresh.length} counts, ${distinct} distinct`,
  );
  say(`example: exactly once: ${exactlyOnce ? 'yes' : 'NO'}`);
  if (!exactlyOnce) process.exitCode = 1;
}

await (values.worker ? runWorker() : runJob());
