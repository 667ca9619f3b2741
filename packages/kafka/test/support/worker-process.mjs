// A worker of the counting job in a process of its own, for tests that kill workers. It runs the
// package's build (dist/), which `pnpm test` compiles first. Configuration comes as JSON in
// STATEBACKEND_KAFKA_WORKER; it reports what happens as JSON lines on stdout:
//   {"event":"assigned","keyGroups":[…]}  {"event":"fenced","by":"store"|"kafka"}  {"event":"stopped",…}
// With crashAtCheckpoint n it kills itself (SIGKILL) right after the state of its n-th checkpoint
// is committed in the store, before the Kafka transaction; with freezeAtCheckpoint n it stops
// itself (SIGSTOP) there instead, until the test sends SIGCONT. SIGTERM stops it gracefully.
// With sink { file, delivery } it writes its outputs to an OutputSink that appends each record
// to `file` as a JSON line { k: "keyGroup/checkpointId/sequence", v } instead of a topic; with
// sink.crashAtWrite n it appends half the records (rounded up) of its n-th non-empty write, then SIGKILLs itself.
import { appendFileSync } from 'node:fs';
import { LocalCheckpointStorage, Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { KafkaKeyedWorker } from '../../dist/index.js';

const config = JSON.parse(process.env.STATEBACKEND_KAFKA_WORKER ?? '{}');
const count = new ValueStateDescriptor('count', Serializers.int, 0);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
let checkpoints = 0;
let sinkWrites = 0;

function fileSink({ file, delivery, crashAtWrite }) {
  const append = (records) => {
    const lines = records.map(
      (r) =>
        `${JSON.stringify({ k: `${r.idempotenceKey.keyGroup}/${r.idempotenceKey.checkpointId}/${r.idempotenceKey.sequence}`, v: r.value.toString() })}\n`,
    );
    if (lines.length > 0) appendFileSync(file, lines.join(''));
  };
  return {
    delivery,
    write: async (records) => {
      if (records.length === 0) return;
      sinkWrites += 1;
      if (crashAtWrite === sinkWrites) {
        append(records.slice(0, Math.ceil(records.length / 2)));
        process.kill(process.pid, 'SIGKILL');
      }
      append(records);
    },
  };
}

const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, context) => {
    if (context?.fenced) say({ event: 'fenced', message });
    else say({ event: 'warning', message, error: context?.error });
  },
  error: (message) => say({ event: 'error', message }),
};

const worker = new KafkaKeyedWorker({
  bootstrapBrokers: [config.bootstrap],
  groupId: config.groupId,
  inputTopic: config.inputTopic,
  ...(config.sink === undefined ? { outputTopic: config.outputTopic } : { sink: fileSink(config.sink) }),
  maxParallelism: config.maxParallelism,
  jobId: 'counting',
  operatorId: 'per-key',
  keySerializer: Serializers.string,
  checkpointStorage: new LocalCheckpointStorage({
    directory: config.checkpointDir,
    jobId: 'counting',
    operatorId: 'per-key',
  }),
  states: [{ descriptor: count }],
  checkpointIntervalMs: config.checkpointIntervalMs ?? 200,
  sessionTimeoutMs: config.sessionTimeoutMs ?? 3_000,
  heartbeatIntervalMs: 300,
  workerId: config.workerId,
  logger,
  keyOf: (record) => record.key?.toString() ?? '',
  process: async (record, ctx, emit) => {
    const state = ctx.getState(count);
    const next = (await state.value()) + 1;
    await state.update(next);
    emit({ value: Buffer.from(`${record.key?.toString()}:${next}`) });
  },
  hooks: {
    afterAssigned: async (keyGroups) => say({ event: 'assigned', keyGroups }),
    afterStateCommitted: async () => {
      checkpoints += 1;
      if (config.crashAtCheckpoint === checkpoints) process.kill(process.pid, 'SIGKILL');
      if (config.freezeAtCheckpoint === checkpoints) {
        say({ event: 'freezing', keyGroups: worker.stats.ownedKeyGroups });
        process.kill(process.pid, 'SIGSTOP');
        say({ event: 'resumed' });
      }
    },
  },
});

const controller = new AbortController();
process.once('SIGTERM', () => controller.abort());
try {
  await worker.run(controller.signal);
  say({ event: 'stopped', stats: worker.stats });
} catch (error) {
  say({ event: 'error', message: String(error?.stack ?? error) });
  process.exitCode = 1;
}
