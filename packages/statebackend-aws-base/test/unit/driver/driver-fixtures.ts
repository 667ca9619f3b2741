import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointingHeapBackendBuilder,
  type DriverBackendContext,
  type DriverCheckpoint,
  KeyGroupRange,
  LocalCheckpointStorage,
  type ProcessorDriverOptions,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';

/** A record of the driver tests: a key, a sequence number (its offset) and an event time. */
export interface Rec {
  readonly key: string;
  readonly seq: number;
  readonly ts: number;
}

export const sumState = new ValueStateDescriptor('sum', Serializers.int, 0);

/** A fresh checkpoint directory, removed after the test file. */
export async function tempDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'driver-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * `createBackend` for a heap backend of `keyGroupRange` (default: all 128 key groups) restoring
 * the latest checkpoint under `directory`.
 */
export function heapBackendIn(
  directory: string,
  keyGroupRange = KeyGroupRange.of(0, 127),
): ProcessorDriverOptions<Rec, string>['createBackend'] {
  return ({ clock }: DriverBackendContext) =>
    new CheckpointingHeapBackendBuilder<string>(
      {
        jobId: 'job',
        operatorId: 'op',
        keyGroupRange,
        maxParallelism: 128,
        keySerializer: Serializers.string,
        clock,
      },
      {
        checkpointStorage: new LocalCheckpointStorage({ directory, jobId: 'job', operatorId: 'op' }),
        restoreFrom: 'latest',
        retainedCheckpoints: 2,
      },
    ).build();
}

/** `count` records over `keys` keys starting at offset `from`, 10 ms of event time apart. */
export async function* records(from: number, count: number, keys = 5): AsyncGenerator<Rec> {
  for (let seq = from; seq < count; seq++) yield { key: `k${seq % keys}`, seq, ts: seq * 10 };
}

/** Records `checkpoints` in the order they complete. */
export function checkpointLog(): {
  checkpoints: DriverCheckpoint[];
  onCheckpoint: (c: DriverCheckpoint) => void;
} {
  const checkpoints: DriverCheckpoint[] = [];
  return { checkpoints, onCheckpoint: (c) => checkpoints.push(c) };
}

/** A promise with its resolver, to let a test decide when something happens. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
