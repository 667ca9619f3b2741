// A Repartitioner in a process of its own, for tests that kill it. It runs the package's build
// (dist/). Configuration comes as JSON in STATEBACKEND_KAFKA_REPARTITIONER; it reports as JSON
// lines on stdout ({"event":"warning",…}, {"event":"stopped","stats":…}). SIGTERM stops it
// gracefully (commits, leaves the group); the test kills it with SIGKILL at any moment.
import { Serializers } from '@statebackend/aws-base';
import { Repartitioner } from '../../dist/index.js';

const config = JSON.parse(process.env.STATEBACKEND_KAFKA_REPARTITIONER ?? '{}');
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const stage = new Repartitioner({
  bootstrapBrokers: [config.bootstrap],
  groupId: config.groupId,
  sourceTopic: config.sourceTopic,
  targetTopic: config.targetTopic,
  maxParallelism: config.maxParallelism,
  workerId: config.workerId,
  commitIntervalMs: config.commitIntervalMs ?? 100,
  sessionTimeoutMs: config.sessionTimeoutMs ?? 3_000,
  heartbeatIntervalMs: 300,
  keyBytesOf: (record) => Serializers.string.serialize(record.key?.toString() ?? ''),
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, context) => say({ event: 'warning', message, error: context?.error }),
    error: (message) => say({ event: 'error', message }),
  },
});

const controller = new AbortController();
process.once('SIGTERM', () => controller.abort());
try {
  say({ event: 'started' });
  await stage.run(controller.signal);
  say({ event: 'stopped', stats: stage.stats });
} catch (error) {
  say({ event: 'error', message: String(error?.stack ?? error) });
  process.exitCode = 1;
}
