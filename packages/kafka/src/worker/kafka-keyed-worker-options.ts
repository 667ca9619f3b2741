import type { ConnectionOptions } from '@platformatic/kafka';
import type {
  CheckpointStorage,
  KeyedContext,
  Logger,
  StateRegistration,
  TypeSerializer,
} from '@statebackend/aws-base';
import type { InputRecord } from '../kafka/committed-records.js';
import type { OutputSink } from '../sink/output-sink.js';
import type { KeyGroupBackends } from '../state/key-group-backends.js';

/** A record the job's function emits; it is written to the output topic in the checkpoint's transaction. */
export interface OutputRecord {
  readonly key?: Buffer;
  readonly value: Buffer;
  /** The output partition; by default the producer's partitioner picks one from the key. */
  readonly partition?: number;
}

/** Steps a test can await to interleave workers; not for production use. */
export interface KafkaKeyedWorkerHooks {
  /** After the worker opened (claimed and restored) newly assigned key groups. */
  afterAssigned?(keyGroups: readonly number[]): Promise<void>;
  /** Before the state of a checkpoint is written to the store. */
  beforeStateCommit?(keyGroups: readonly number[]): Promise<void>;
  /** After the state of a checkpoint is committed in the store, before the Kafka transaction. */
  afterStateCommitted?(keyGroups: readonly number[]): Promise<void>;
}

/** Options of {@link KafkaKeyedWorker}. */
export interface KafkaKeyedWorkerOptions<K> {
  /** `host:port` of one or more brokers. */
  readonly bootstrapBrokers: readonly string[];
  /** TLS and SASL settings for every connection (Amazon MSK: TLS, and SASL/OAUTHBEARER for IAM). */
  readonly connection?: ConnectionOptions;
  /** The consumer group shared by every worker of the job. */
  readonly groupId: string;
  /**
   * The input topic, co-partitioned by the state key: `maxParallelism` partitions, each record in
   * partition `keyGroup(key)` ({@link keyGroupPartition}). Partition i is key group i.
   */
  readonly inputTopic: string;
  /**
   * Where emitted records go, exactly once (read them with read_committed). Give this or
   * {@link sink}, not both.
   */
  readonly outputTopic?: string;
  /**
   * Where emitted records go when the output is not Kafka: written with an idempotence key
   * `(key group, checkpoint id, sequence)`, after the commit (exactly-once effect with a sink
   * that drops keys it has seen) or before it (at-least-once); see {@link OutputSink}.
   */
  readonly sink?: OutputSink;
  /** The number of key groups, equal to the input topic's partition count; fixed for the job's life. */
  readonly maxParallelism: number;
  readonly jobId: string;
  readonly operatorId: string;
  readonly keySerializer: TypeSerializer<K>;
  /** The state key of a record; it must fall into the record's partition's key group. */
  readonly keyOf: (record: InputRecord) => K;
  /** Applies one record to its key's state; records of a partition run one at a time, in order. */
  readonly process: (
    record: InputRecord,
    ctx: KeyedContext<K>,
    emit: (output: OutputRecord) => void,
  ) => void | Promise<void>;
  /**
   * Where the key groups' checkpoints go (heap state, checkpointed there); every worker of the
   * job uses the same location. Give this or {@link keyGroupBackends}, not both.
   */
  readonly checkpointStorage?: CheckpointStorage;
  /**
   * Another store for the key groups' state, e.g. `DynamoDbKeyGroupBackends` from
   * `@statebackend/kafka/dynamodb` (state in DynamoDB, read on demand: nothing is downloaded
   * on assignment). Give this or {@link checkpointStorage}, not both.
   */
  readonly keyGroupBackends?: KeyGroupBackends;
  /** States registered when a key group is restored (a mismatch fails the handover, not a record). */
  readonly states?: readonly StateRegistration[];
  /** How often a checkpoint (and so a Kafka transaction) commits, in ms. Default 500. */
  readonly checkpointIntervalMs?: number;
  /** A stable name for this worker, e.g. the pod name; part of its client and transactional ids. */
  readonly workerId?: string;
  /** Group session timeout in ms: how long a dead worker keeps its partitions. Default 10000. */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval in ms. Default 1000. */
  readonly heartbeatIntervalMs?: number;
  /**
   * How the group rebalances (classic protocol). `'cooperative'` (default): the
   * cooperative-sticky assignor; a worker keeps processing and committing the key groups it keeps
   * while the group rebalances, and only moved key groups pause (released by the old owner,
   * restored by the new one). `'eager'`: the round-robin assignor; every rebalance revokes
   * everything, and a worker whose commit meets the rebalance reopens all its key groups from
   * their checkpoints. A cooperative worker also offers the round-robin assignor, so a group
   * that still has eager members (a rolling upgrade) rebalances eagerly until they are gone.
   */
  readonly rebalancing?: 'cooperative' | 'eager';
  readonly logger?: Logger;
  readonly hooks?: KafkaKeyedWorkerHooks;
}

const KNOWN = new Set([
  'bootstrapBrokers',
  'connection',
  'groupId',
  'inputTopic',
  'outputTopic',
  'sink',
  'maxParallelism',
  'jobId',
  'operatorId',
  'keySerializer',
  'keyOf',
  'process',
  'checkpointStorage',
  'keyGroupBackends',
  'states',
  'checkpointIntervalMs',
  'workerId',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'rebalancing',
  'logger',
  'hooks',
]);

/** Every problem with `options`, one line each; empty when they are valid. */
export function validateWorkerOptions(options: Readonly<Record<string, unknown>>): string[] {
  const issues: string[] = [];
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) issues.push(`unknown option '${key}'`);
  const brokers = options.bootstrapBrokers;
  if (!Array.isArray(brokers) || brokers.length === 0 || brokers.some((b) => typeof b !== 'string')) {
    issues.push(
      `bootstrapBrokers must be a non-empty list of 'host:port'; received ${JSON.stringify(brokers)}`,
    );
  }
  if ((options.outputTopic === undefined) === (options.sink === undefined)) {
    issues.push('give exactly one of outputTopic (Kafka) and sink (another output)');
  } else if (options.sink !== undefined) {
    const sink = options.sink as { write?: unknown; delivery?: unknown };
    if (typeof sink.write !== 'function') issues.push('sink.write must be a function');
    if (
      sink.delivery !== undefined &&
      sink.delivery !== 'after-commit' &&
      sink.delivery !== 'at-least-once'
    ) {
      issues.push(
        `sink.delivery must be 'after-commit' or 'at-least-once'; received ${String(sink.delivery)}`,
      );
    }
  }
  for (const key of [
    'groupId',
    'inputTopic',
    'jobId',
    'operatorId',
    ...(options.sink === undefined ? ['outputTopic'] : []),
  ]) {
    if (typeof options[key] !== 'string' || options[key] === '')
      issues.push(`${key} must be a non-empty string`);
  }
  const m = options.maxParallelism;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 32768) {
    issues.push(`maxParallelism must be an integer in 1..32768; received ${String(m)}`);
  }
  for (const key of ['checkpointIntervalMs', 'sessionTimeoutMs', 'heartbeatIntervalMs']) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
      issues.push(`${key} must be a positive number of milliseconds; received ${String(v)}`);
    }
  }
  const rebalancing = options.rebalancing;
  if (rebalancing !== undefined && rebalancing !== 'cooperative' && rebalancing !== 'eager') {
    issues.push(`rebalancing must be 'cooperative' or 'eager'; received ${String(rebalancing)}`);
  }
  if ((options.checkpointStorage === undefined) === (options.keyGroupBackends === undefined)) {
    issues.push('give exactly one of checkpointStorage (heap state) and keyGroupBackends (another store)');
  }
  for (const key of ['keyOf', 'process']) {
    if (typeof options[key] !== 'function') issues.push(`${key} must be a function`);
  }
  return issues;
}
