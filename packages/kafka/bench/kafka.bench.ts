// @statebackend/kafka against a real single-node broker (started here through the testkit), each
// figure against a baseline measured in the same run:
// 1. records/s through KafkaKeyedWorker into heap state (a count per key, checkpoints to a local
//    directory every 500 ms, no output) vs a bare read_committed fetch loop over the same topic
//    that only counts records: the cost of ownership, key-group checks, state and checkpoints;
// 2. time from a worker's death (SIGKILL) to its key groups processing again in another worker,
//    against the group session timeout, the floor of any failover that waits for the group.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import { LocalCheckpointStorage, Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { startKafkaBroker } from '@statebackend/testkit';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { committedRecords, KafkaKeyedWorker, keyGroupPartition } from '../dist/index.js';

const PARTITIONS = 12;
const RECORDS = 60_000;
const KEYS = 1_000;
const ROUNDS = 3;
const SESSION_TIMEOUT_MS = 3_000;

const broker = await startKafkaBroker();
const bootstrap = broker.bootstrap;
const dirs: string[] = [];
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'statebackend-kafka-bench-'));
  dirs.push(dir);
  return dir;
};

async function createTopic(name: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: [bootstrap] });
  await admin.createTopics({ topics: [name], partitions, replicas: 1 });
  await admin.close();
}

async function produce(topic: string, count: number, producer: Producer): Promise<void> {
  const batch = 2_000;
  for (let start = 0; start < count; start += batch) {
    const messages = [];
    for (let i = start; i < Math.min(count, start + batch); i += 1) {
      const key = `user-${i % KEYS}`;
      messages.push({
        topic,
        key: Buffer.from(key),
        value: Buffer.from(`{"n":${i}}`),
        partition: keyGroupPartition(Serializers.string.serialize(key), PARTITIONS),
      });
    }
    await producer.send({ messages });
  }
}

/** The baseline: read every partition to its end with read_committed fetches, counting records. */
async function bareLoop(topic: string): Promise<number> {
  const consumer = new Consumer({
    clientId: 'bench-bare',
    groupId: `bare-${Date.now()}`,
    bootstrapBrokers: [bootstrap],
  });
  const metadata = await consumer.metadata({ topics: [topic] });
  const info = metadata.topics.get(topic);
  if (info === undefined) throw new Error('no topic');
  const positions = Array.from({ length: PARTITIONS }, () => 0n);
  let seen = 0;
  const start = performance.now();
  while (seen < RECORDS) {
    const response = await consumer.fetch({
      node: info.partitions[0]?.leader ?? 1,
      isolationLevel: 1,
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 8 * 1024 * 1024,
      topics: [
        {
          topicId: info.id,
          partitions: positions.map((fetchOffset, partition) => ({
            partition,
            fetchOffset,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
            partitionMaxBytes: 1024 * 1024,
          })),
        },
      ],
    });
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const records = committedRecords(
          topic,
          p.partitionIndex,
          p.records ?? [],
          p.abortedTransactions ?? [],
          positions[p.partitionIndex] ?? 0n,
        );
        const last = records[records.length - 1];
        if (last !== undefined) positions[p.partitionIndex] = last.offset + 1n;
        seen += records.length;
      }
    }
  }
  const ms = performance.now() - start;
  await consumer.close(true);
  return (seen / ms) * 1000;
}

const count = new ValueStateDescriptor('count', Serializers.int, 0);

/** The case: one worker counting per key into heap state until it applied every record. */
async function workerRun(topic: string, outputTopic: string): Promise<number> {
  const dir = tempDir();
  const controller = new AbortController();
  let applied = 0;
  let start = 0;
  let end = 0;
  const worker = new KafkaKeyedWorker<string>({
    bootstrapBrokers: [bootstrap],
    groupId: `bench-${Date.now()}`,
    inputTopic: topic,
    outputTopic,
    maxParallelism: PARTITIONS,
    jobId: 'bench',
    operatorId: 'count',
    keySerializer: Serializers.string,
    checkpointStorage: new LocalCheckpointStorage({ directory: dir, jobId: 'bench', operatorId: 'count' }),
    states: [{ descriptor: count }],
    checkpointIntervalMs: 500,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: 300,
    keyOf: (record) => record.key?.toString() ?? '',
    process: async (_record, ctx) => {
      const state = ctx.getState(count);
      await state.update((await state.value()) + 1);
      applied += 1;
      if (applied === 1) start = performance.now();
      if (applied === RECORDS) {
        end = performance.now();
        controller.abort();
      }
    },
  });
  await worker.run(controller.signal);
  // From the first record applied: group join and the first restore are not throughput.
  return (RECORDS / (end - start)) * 1000;
}

/** Two worker processes; one is killed; ms until the other has restored all its key groups. */
async function failover(topic: string, outputTopic: string): Promise<number> {
  const dir = tempDir();
  const config = {
    bootstrap,
    groupId: `failover-${Date.now()}`,
    inputTopic: topic,
    outputTopic,
    maxParallelism: PARTITIONS,
    checkpointDir: dir,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
  };
  const script = join(import.meta.dirname, '..', 'test', 'support', 'worker-process.mjs');
  const startWorker = (workerId: string) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, STATEBACKEND_KAFKA_WORKER: JSON.stringify({ ...config, workerId }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const owned = new Set<number>();
    const listeners: ((kgs: readonly number[]) => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; keyGroups?: number[] };
      if (event.event === 'assigned') {
        for (const kg of event.keyGroups ?? []) owned.add(kg);
        for (const l of listeners) l(event.keyGroups ?? []);
      }
    });
    return { child, owned, onAssigned: (l: (kgs: readonly number[]) => void) => listeners.push(l) };
  };
  const a = startWorker('a');
  const b = startWorker('b');
  // Wait until the group settled with both workers owning key groups.
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (a.owned.size > 0 && b.owned.size > 0 && a.owned.size + b.owned.size >= PARTITIONS) resolve();
    };
    a.onAssigned(check);
    b.onAssigned(check);
  });
  const victims = new Set(a.owned);
  const taken = new Set<number>();
  const done = new Promise<number>((resolve) => {
    b.onAssigned((kgs) => {
      for (const kg of kgs) if (victims.has(kg)) taken.add(kg);
      if (taken.size === victims.size) resolve(performance.now());
    });
  });
  const killedAt = performance.now();
  a.child.kill('SIGKILL');
  const restoredAt = await done;
  b.child.kill('SIGTERM');
  await once(b.child, 'exit');
  return restoredAt - killedAt;
}

try {
  const producer = new Producer({
    clientId: 'bench-producer',
    bootstrapBrokers: [bootstrap],
    idempotent: true,
  });
  const topic = `bench-in-${Date.now()}`;
  const outputTopic = `bench-out-${Date.now()}`;
  await createTopic(topic, PARTITIONS);
  await createTopic(outputTopic, 1);
  await produce(topic, RECORDS, producer);
  await producer.close();

  const progress = (what: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${what}\n`);
  };
  progress('produced');
  await bareLoop(topic); // warm-up
  progress('bare warm-up done');
  await workerRun(topic, outputTopic);
  progress('worker warm-up done');
  const bare: number[] = [];
  const worked: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    bare.push(await bareLoop(topic));
    worked.push(await workerRun(topic, outputTopic));
    progress(`round ${round} done`);
  }
  const bareMedian = median(bare);
  const workerMedian = median(worked);
  console.log(`records: ${RECORDS} on ${PARTITIONS} partitions, ${KEYS} keys, median of ${ROUNDS}`);
  console.log(`bare read_committed fetch loop:        ${Math.round(bareMedian)} records/s`);
  console.log(`KafkaKeyedWorker into heap state:      ${Math.round(workerMedian)} records/s`);
  console.log(`ratio worker / bare loop:              ${(workerMedian / bareMedian).toFixed(2)}x`);
  recordResult({
    id: 'kafka.worker.vs-fetch-loop',
    label: `records/s through KafkaKeyedWorker into heap state (a count per key, a checkpoint and transaction every 500 ms) / a bare read_committed fetch loop over the same topic (${RECORDS.toLocaleString('en-US')} records, ${PARTITIONS} partitions)`,
    value: workerMedian / bareMedian,
    unit: 'x',
    better: 'higher',
    detail: `${Math.round(workerMedian).toLocaleString('en-US')} vs ${Math.round(bareMedian).toLocaleString('en-US')} records/s`,
  });

  const failovers: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) failovers.push(await failover(topic, outputTopic));
  const failoverMedian = median(failovers);
  console.log(
    `failover (kill -9 → key groups restored elsewhere): ${Math.round(failoverMedian)} ms (${failovers.map(Math.round).join(', ')})`,
  );
  console.log(
    `ratio failover / session timeout (${SESSION_TIMEOUT_MS} ms): ${(failoverMedian / SESSION_TIMEOUT_MS).toFixed(2)}x`,
  );
  recordResult({
    id: 'kafka.failover.vs-session-timeout',
    label: `kill -9 of one of two workers → all its key groups restored in the other / the group session timeout (${SESSION_TIMEOUT_MS / 1000} s)`,
    value: failoverMedian / SESSION_TIMEOUT_MS,
    unit: 'x',
    better: 'lower',
    detail: `${(failoverMedian / 1000).toFixed(1)} s; runs ${failovers.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`,
  });
} finally {
  await broker.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
