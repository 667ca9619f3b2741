import { CheckpointSnapshotter } from '../../../src/checkpoint/snapshot/checkpoint-snapshotter.js';
import { IncrementalSnapshotStrategy } from '../../../src/checkpoint/snapshot/incremental-snapshot-strategy.js';
import { FullSnapshotStrategy } from '../../../src/checkpoint/snapshot/snapshot-strategy.js';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  type CheckpointingOptions,
  CheckpointSource,
  type CheckpointStorage,
  type KeyedStateBackendParameters,
  KeyGroupRange,
  LocalCheckpointStorage,
  Serializers,
} from '../../../src/index.js';
import { findLatestCompleteCheckpoint, type WriterLease } from '../../../src/spi.js';
import { describeEntry } from './fixtures.js';

/** Job `job`, operator `op`, string keys, every key group of 128. */
export const TEST_PARAMETERS: KeyedStateBackendParameters<string> = {
  jobId: 'job',
  operatorId: 'op',
  keyGroupRange: KeyGroupRange.of(0, 127),
  maxParallelism: 128,
  keySerializer: Serializers.string,
};

/** A heap backend of {@link TEST_PARAMETERS} checkpointing to `directory` (unless `options` name other storage). */
export function buildCheckpointing(
  directory: string,
  options: CheckpointingOptions = {},
): Promise<CheckpointingHeapKeyedStateBackend<string>> {
  return new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
    checkpointStorage: new LocalCheckpointStorage({ directory, jobId: 'job', operatorId: 'op' }),
    ...options,
  }).build();
}

export function snapshotter(
  storage: CheckpointStorage,
  lease: WriterLease,
  options: { incremental?: boolean; retained?: number; targetFileSize?: number } = {},
): CheckpointSnapshotter {
  return new CheckpointSnapshotter({
    storage,
    lease,
    jobId: 'job-1',
    operatorId: 'op',
    strategy: options.incremental === true ? new IncrementalSnapshotStrategy() : new FullSnapshotStrategy(),
    retainedCheckpoints: options.retained ?? 10,
    ...(options.targetFileSize === undefined ? {} : { targetFileSize: options.targetFileSize }),
  });
}

/** Every entry of the latest complete checkpoint for `range`, as sorted strings, and its id. */
export async function restoreLatest(
  storage: CheckpointStorage,
  range: KeyGroupRange,
): Promise<{ checkpointId: number | undefined; entries: string[]; source: CheckpointSource | undefined }> {
  const selection = await findLatestCompleteCheckpoint(storage, range);
  if (selection === undefined) return { checkpointId: undefined, entries: [], source: undefined };
  const source = new CheckpointSource(storage, selection);
  const entries: string[] = [];
  await source.forEachEntry(range, (keyGroup, state, entry) =>
    entries.push(describeEntry(keyGroup, state.name, entry)),
  );
  return { checkpointId: selection.checkpointId, entries: entries.sort(), source };
}
