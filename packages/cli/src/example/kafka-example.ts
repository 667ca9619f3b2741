// `statebackend run-example --source kafka://host:port/topic`: one worker of a keyed job on a
// Kafka topic, with @statebackend/kafka. Run the same command N times (same --group, same
// --location: s3://…, dynamodb://… or a --dir on a shared volume) and the consumer group shares
// the topic's partitions among them, each key group's state moving through that store. The job
// counts clicks per user (the Kafka worker has no timers, so not the sessions of the generated
// stream's job) and writes `user:count` per click, exactly once, to `<topic>-counts`.
// @statebackend/kafka and its client are optional peer dependencies, loaded only here: the
// command line keeps its Node.js floor and install size for everyone else.
import {
  AwsClientManager,
  type CheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { KeyGroupBackends } from '@statebackend/kafka';
import type { CliIo } from '../cli/io.js';
import { integerOption, type ParsedCommand, stringOption } from '../cli/parse.js';
import { CliError, UsageError } from '../errors.js';
import { type AwsSettings, awsConfiguration, awsKeysOnly } from '../target/aws-settings.js';
import type { JobTarget } from '../target/job-target.js';
import { lazyImport } from '../target/lazy-import.js';
import { openCheckpointStorage } from '../target/open-storage.js';
import { type ClickStreamOptions, clickStream } from './click-stream.js';
import { exampleTarget } from './run-example.js';

const COMMAND = 'run-example';

/** The job and operator ids the Kafka example keeps its state under, in every store. */
export const KAFKA_EXAMPLE_SCOPE = { jobId: 'click-example-kafka', operatorId: 'clicks-per-user' } as const;

/** Where `--source kafka://…` points: the brokers and the input topic. */
export interface KafkaSource {
  readonly bootstrapBrokers: readonly string[];
  readonly topic: string;
}

/**
 * Parses `kafka://host:port[,host:port…]/topic`.
 *
 * @throws UsageError naming what is wrong.
 */
export function parseKafkaSource(text: string, command = COMMAND): KafkaSource {
  const match = /^kafka:\/\/([^/]+)\/([A-Za-z0-9._-]+)$/.exec(text);
  if (match === null) {
    throw new UsageError(
      `--source must be kafka://<host:port>[,<host:port>…]/<topic>, not '${text}'`,
      command,
    );
  }
  const [, brokers = '', topic = ''] = match;
  const bootstrapBrokers = brokers.split(',');
  for (const broker of bootstrapBrokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(broker)) {
      throw new UsageError(`--source: '${broker}' is not <host:port>`, command);
    }
  }
  return { bootstrapBrokers, topic };
}

const clicks = new ValueStateDescriptor('clicks', Serializers.int, 0);

type KafkaClient = typeof import('@platformatic/kafka');
type KafkaJobs = typeof import('@statebackend/kafka');

/** The optional Kafka packages; a {@link CliError} saying what to install when they are missing. */
async function loadKafka(): Promise<{ client: KafkaClient; jobs: KafkaJobs }> {
  try {
    const [client, jobs] = await Promise.all([import('@platformatic/kafka'), import('@statebackend/kafka')]);
    return { client, jobs };
  } catch (error) {
    throw new CliError(
      '--source kafka:// needs @statebackend/kafka and @platformatic/kafka beside the command line ' +
        `(npm install @statebackend/kafka @platformatic/kafka; Node.js 22.22 or later): ${String(error)}`,
    );
  }
}

/** Runs one worker of the click-count job on `source`; returns the exit code. */
export async function runKafkaExample(parsed: ParsedCommand, io: CliIo, sourceText: string): Promise<number> {
  const source = parseKafkaSource(sourceText);
  for (const option of ['checkpoint', 'metrics']) {
    if (parsed.values[option] !== undefined) {
      throw new UsageError(`--${option} is not available with a Kafka source`, COMMAND);
    }
  }
  const { aws, target } = exampleTarget(parsed, io);
  const partitions = integerOption(parsed, 'partitions', COMMAND, 12, 1);
  const seconds = integerOption(parsed, 'seconds', COMMAND, 0);
  const groupId = stringOption(parsed, 'group') ?? `statebackend-example-${source.topic}`;
  const outputTopic = `${source.topic}-counts`;
  const stream: ClickStreamOptions = {
    records: integerOption(parsed, 'records', COMMAND, 20_000),
    users: integerOption(parsed, 'users', COMMAND, 500, 1),
    seed: integerOption(parsed, 'seed', COMMAND, 42),
  };
  const status = parsed.values.json === true ? io.stderr : io.stdout;
  const { client, jobs } = await loadKafka();
  const { KafkaKeyedWorker } = jobs;
  const state = await openKafkaExampleState(target, { aws, env: io.env });
  try {
    if (parsed.values.produce === true) {
      await ensureTopics(client, source, [
        { topic: source.topic, partitions },
        { topic: outputTopic, partitions: 3 },
      ]);
      const produced = await produceClicks(client, jobs, source, stream, partitions);
      status.write(
        `Produced ${produced} clicks of ${stream.users} users (seed ${stream.seed}) into ${source.topic} (${partitions} partitions)\n`,
      );
    }

    const worker = new KafkaKeyedWorker<string>({
      bootstrapBrokers: source.bootstrapBrokers,
      groupId,
      inputTopic: source.topic,
      outputTopic,
      maxParallelism: partitions,
      ...KAFKA_EXAMPLE_SCOPE,
      keySerializer: Serializers.string,
      ...state.store,
      states: [{ descriptor: clicks }],
      keyOf: (record) => record.key?.toString() ?? '',
      process: async (record, ctx, emit) => {
        const state = ctx.getState(clicks);
        const next = (await state.value()) + 1;
        await state.update(next);
        const user = record.key?.toString() ?? '';
        emit({ key: Buffer.from(user), value: Buffer.from(`${user}:${next}`) });
      },
    });
    const signals = [io.signal, seconds > 0 ? AbortSignal.timeout(seconds * 1000) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    status.write(
      `Worker of group ${groupId} on ${source.topic} (${partitions} key groups), counts to ${outputTopic}, ` +
        `state in ${state.description}; ${seconds > 0 ? `stopping after ${seconds} s` : 'stop it with Ctrl-C'}\n`,
    );
    await worker.run(signals.length === 0 ? undefined : AbortSignal.any(signals));
    const stats = worker.stats;
    const summary = {
      clicks: stats.records,
      checkpoints: stats.checkpoints,
      rollbacks: stats.rollbacks,
      keyGroupsOpened: stats.opened,
    };
    io.stdout.write(
      parsed.values.json === true
        ? `${JSON.stringify(summary)}\n`
        : `Stopped: ${summary.clicks} clicks counted, ${summary.checkpoints} checkpoints committed, ` +
            `${summary.rollbacks} rollbacks, ${summary.keyGroupsOpened} key groups opened\n`,
    );
    return io.signal?.aborted === true ? 130 : 0;
  } finally {
    await state.close();
  }
}

/** Where the workers of the Kafka example keep their key groups' state, and what releases it. */
interface KafkaExampleState {
  readonly store:
    | { readonly checkpointStorage: CheckpointStorage }
    | { readonly keyGroupBackends: KeyGroupBackends };
  /** E.g. `s3://bucket/prefix/click-example-kafka/clicks-per-user`. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * The store of `target`, shared by every worker given the same location: heap state with its
 * checkpoints in a local directory or S3, or the state itself in DynamoDB (read on demand, so a
 * worker that gains key groups downloads nothing). The SDKs and packages load only when used.
 */
async function openKafkaExampleState(
  target: JobTarget,
  context: { readonly aws: AwsSettings; readonly env: Readonly<Record<string, string | undefined>> },
): Promise<KafkaExampleState> {
  const location = target.location;
  if (location.kind !== 'dynamodb') {
    const opened = await openCheckpointStorage(location, KAFKA_EXAMPLE_SCOPE, context);
    return {
      store: { checkpointStorage: opened.storage },
      description: opened.storage.location,
      close: () => opened.close(),
    };
  }
  const purpose = '--backend dynamodb';
  const sdk = await lazyImport('@aws-sdk/client-dynamodb', purpose, () => import('@aws-sdk/client-dynamodb'));
  const dynamodb = await lazyImport(
    '@statebackend/aws-dynamodb',
    purpose,
    () => import('@statebackend/aws-dynamodb'),
  );
  const kafkaDynamoDb = await lazyImport(
    '@statebackend/kafka',
    purpose,
    () => import('@statebackend/kafka/dynamodb'),
  );
  const configuration = awsKeysOnly(awsConfiguration(context.aws, context.env));
  const clients = new AwsClientManager(configuration);
  const client = clients.getOrCreate(sdk.DynamoDBClient);
  const backend = new dynamodb.DynamoDbStateBackend(configuration, {
    clients,
    table: { tableName: location.table },
  });
  return {
    store: {
      keyGroupBackends: new kafkaDynamoDb.DynamoDbKeyGroupBackends({
        backend,
        client,
        tableName: location.table,
      }),
    },
    description: `dynamodb://${location.table}/${KAFKA_EXAMPLE_SCOPE.jobId}/${KAFKA_EXAMPLE_SCOPE.operatorId}`,
    close: async () => {
      await backend.close();
      clients.close();
    },
  };
}

async function ensureTopics(
  { Admin }: KafkaClient,
  source: KafkaSource,
  topics: readonly { topic: string; partitions: number }[],
): Promise<void> {
  const admin = new Admin({
    clientId: 'statebackend-example',
    bootstrapBrokers: [...source.bootstrapBrokers],
  });
  try {
    const existing = new Set(await admin.listTopics());
    for (const { topic, partitions } of topics) {
      if (!existing.has(topic)) await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    }
  } finally {
    await admin.close();
  }
}

/** Writes the generated stream, each click at partition keyGroup(userId); returns how many. */
async function produceClicks(
  { Producer }: KafkaClient,
  { keyGroupPartition }: KafkaJobs,
  source: KafkaSource,
  stream: ClickStreamOptions,
  partitions: number,
): Promise<number> {
  // Idempotent: the client retries a whole request when some partitions fail, and without
  // idempotence the ones that had succeeded would be written (and counted) twice.
  const producer = new Producer({
    clientId: 'statebackend-example',
    bootstrapBrokers: [...source.bootstrapBrokers],
    idempotent: true,
  });
  let produced = 0;
  try {
    let batch: { topic: string; key: Buffer; value: Buffer; partition: number }[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length > 0) await producer.send({ messages: batch });
      produced += batch.length;
      batch = [];
    };
    for await (const click of clickStream(stream, 0)) {
      batch.push({
        topic: source.topic,
        key: Buffer.from(click.userId),
        value: Buffer.from(JSON.stringify(click)),
        partition: keyGroupPartition(Serializers.string.serialize(click.userId), partitions),
      });
      if (batch.length >= 1_000) await flush();
    }
    await flush();
  } finally {
    await producer.close();
  }
  return produced;
}
