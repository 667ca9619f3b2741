import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckpointStorage,
  LocalCheckpointStorage,
  type Logger,
  noopLogger,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { loadCheckpoint } from '@statebackend/aws-base/spi';
import {
  type InputRecord,
  KafkaKeyedWorker,
  type KafkaKeyedWorkerHooks,
  type KeyGroupBackends,
  type OutputSink,
} from '../../src/index.js';
import { KeyGroupState } from '../../src/state/key-group-state.js';

/** The job the integration tests run: counts records per key and emits `key:count` per record. */
export const count = new ValueStateDescriptor('count', Serializers.int, 0);

export interface CountingJob {
  readonly groupId: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly maxParallelism: number;
  readonly checkpointDir: string;
}

export function checkpointDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'statebackend-kafka-ckpt-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function storageOf(job: CountingJob): CheckpointStorage {
  return new LocalCheckpointStorage({
    directory: job.checkpointDir,
    jobId: 'counting',
    operatorId: 'per-key',
  });
}

export function countingWorker(
  job: CountingJob,
  bootstrapBrokers: readonly string[],
  extra: {
    workerId?: string;
    hooks?: KafkaKeyedWorkerHooks;
    logger?: Logger;
    checkpointIntervalMs?: number;
    /** Where checkpoints go; default the job's local directory. */
    checkpointStorage?: CheckpointStorage;
    /** Another store for the key groups' state (then no checkpoint storage is given). */
    keyGroupBackends?: KeyGroupBackends;
    /** Emitted records go here instead of the output topic. */
    sink?: OutputSink;
    /** Called with each record the worker applies, after its state update. */
    onRecord?: (record: InputRecord) => void;
    rebalancing?: 'cooperative' | 'eager';
  } = {},
): KafkaKeyedWorker<string> {
  return new KafkaKeyedWorker<string>({
    bootstrapBrokers,
    groupId: job.groupId,
    inputTopic: job.inputTopic,
    ...(extra.sink === undefined ? { outputTopic: job.outputTopic } : { sink: extra.sink }),
    maxParallelism: job.maxParallelism,
    jobId: 'counting',
    operatorId: 'per-key',
    keySerializer: Serializers.string,
    ...(extra.keyGroupBackends === undefined
      ? { checkpointStorage: extra.checkpointStorage ?? storageOf(job) }
      : { keyGroupBackends: extra.keyGroupBackends }),
    states: [{ descriptor: count }],
    checkpointIntervalMs: extra.checkpointIntervalMs ?? 200,
    sessionTimeoutMs: 3_000,
    heartbeatIntervalMs: 300,
    keyOf: (record: InputRecord) => record.key?.toString() ?? '',
    process: async (record, ctx, emit) => {
      const state = ctx.getState(count);
      const next = (await state.value()) + 1;
      await state.update(next);
      emit({ value: Buffer.from(`${record.key?.toString()}:${next}`) });
      extra.onRecord?.(record);
    },
    ...(extra.rebalancing === undefined ? {} : { rebalancing: extra.rebalancing }),
    ...(extra.workerId === undefined ? {} : { workerId: extra.workerId }),
    ...(extra.hooks === undefined ? {} : { hooks: extra.hooks }),
    ...(extra.logger === undefined ? {} : { logger: extra.logger }),
  });
}

/** `key:1 … key:n` for every key, as a sorted list: what exactly-once output of the job holds. */
export function expectedOutputs(countsByKey: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [key, n] of countsByKey) for (let i = 1; i <= n; i += 1) out.push(`${key}:${i}`);
  return out.sort();
}

/** Records `k0..k{keys-1}` round-robin, `perKey` each, values naming their index. */
export function inputRecords(keys: number, perKey: number, prefix = 'k'): { key: string; value: string }[] {
  const records: { key: string; value: string }[] = [];
  for (let i = 0; i < perKey; i += 1)
    for (let k = 0; k < keys; k += 1) records.push({ key: `${prefix}${k}`, value: `${i}` });
  return records;
}

/** For each key group, the input offset of every committed checkpoint, newest checkpoint first. */
export async function checkpointOffsets(job: CountingJob): Promise<Map<number, bigint[]>> {
  const storage = storageOf(job);
  const result = new Map<number, bigint[]>();
  const committed = (await storage.listCommitted()).sort((a, b) => b.checkpointId - a.checkpointId);
  for (const c of committed) {
    const kg = c.keyGroupRange.startKeyGroup;
    const selection = await loadCheckpoint(storage, c.checkpointId, c.keyGroupRange, job.maxParallelism);
    const meta = selection.parts[0]?.metadata.userMetadata as { kafkaOffset?: string } | undefined;
    if (meta?.kafkaOffset !== undefined)
      result.set(kg, [...(result.get(kg) ?? []), BigInt(meta.kafkaOffset)]);
  }
  return result;
}

/**
 * The job's state as its checkpoints hold it, once no worker runs: each key group restored from
 * the checkpoint at the group's committed offset, every key's count.
 */
export async function finalCounts(
  job: CountingJob,
  committed: ReadonlyMap<number, bigint>,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const config = {
    jobId: 'counting',
    operatorId: 'per-key',
    maxParallelism: job.maxParallelism,
    keySerializer: Serializers.string,
    checkpointStorage: storageOf(job),
    states: [{ descriptor: count }],
    logger: noopLogger,
  };
  for (let kg = 0; kg < job.maxParallelism; kg += 1) {
    const state = await KeyGroupState.open(config, kg, committed.get(kg), 0n);
    try {
      for await (const key of state.backend.keys('count')) {
        counts.set(key, await state.backend.withKey(key, (ctx) => ctx.getState(count).value()));
      }
    } finally {
      await state.close();
    }
  }
  return counts;
}
