import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointStorage,
  KeyGroupRange,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { type ByteRange, ForwardingCheckpointStorage } from '@statebackend/aws-base/spi';
import { ParallelRestoreStorage } from '../../src/index.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const parameters = (range: KeyGroupRange) => ({
  jobId: 'job',
  operatorId: 'op',
  keyGroupRange: range,
  maxParallelism: 128,
  keySerializer: Serializers.string,
});

/** Counts reads of data files in flight at once, over aws-base's local-directory storage. */
function countingReads(storage: CheckpointStorage): {
  storage: CheckpointStorage;
  maxInFlight: () => number;
  reads: string[];
} {
  let inFlight = 0;
  let max = 0;
  const reads: string[] = [];
  // A forwarding wrapper, not Object.create(storage): the storage's private (#) fields need the real receiver.
  class Counted extends ForwardingCheckpointStorage {
    override async readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
      if (path.endsWith('.sbkg')) {
        reads.push(path);
        inFlight++;
        max = Math.max(max, inFlight);
      }
      try {
        return await super.readFile(path, range);
      } finally {
        if (path.endsWith('.sbkg')) inFlight--;
      }
    }
  }
  const counted = new Counted(storage);
  return { storage: counted, maxInFlight: () => max, reads };
}

describe('ParallelRestoreStorage', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'parallel-restore-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  async function checkpointInFiles(): Promise<void> {
    const storage = new LocalCheckpointStorage({ directory, jobId: 'job', operatorId: 'op' });
    // A small target size gives a file per key group or so.
    const writer = await new CheckpointingHeapBackendBuilder(parameters(KeyGroupRange.of(0, 127)), {
      checkpointStorage: storage,
      targetFileSize: 1024,
    }).build();
    await Promise.all(
      Array.from({ length: 2_000 }, (_, i) =>
        writer.withKey(`k${i}`, (ctx) => ctx.getState(counts).update(i)),
      ),
    );
    await writer.snapshot(1);
    await writer.dispose();
  }

  it('downloads the files a restore needs in parallel, each once, and restores the same state', async () => {
    await checkpointInFiles();
    const counted = countingReads(new LocalCheckpointStorage({ directory, jobId: 'job', operatorId: 'op' }));
    const storage = new ParallelRestoreStorage(counted.storage, 4);

    const reader = await new CheckpointingHeapBackendBuilder(parameters(KeyGroupRange.of(0, 127)), {
      checkpointStorage: storage,
      restoreFrom: 'latest',
      restore: { mode: 'eager' },
    }).build();
    storage.endRestore();

    expect(counted.maxInFlight()).toBe(4);
    expect(new Set(counted.reads).size).toBe(counted.reads.length);
    expect(await reader.withKey('k1234', (ctx) => ctx.getState(counts).value())).toBe(1234);
    await reader.dispose();
  });

  it('downloads only the files holding key groups of its range', async () => {
    await checkpointInFiles();
    const all = countingReads(new LocalCheckpointStorage({ directory, jobId: 'job', operatorId: 'op' }));
    const whole = new ParallelRestoreStorage(all.storage, 4);
    await (
      await new CheckpointingHeapBackendBuilder(parameters(KeyGroupRange.of(0, 127)), {
        checkpointStorage: whole,
        restoreFrom: 'latest',
        restore: { mode: 'eager' },
      }).build()
    ).dispose();
    const part = countingReads(new LocalCheckpointStorage({ directory, jobId: 'job', operatorId: 'op' }));
    const quarter = new ParallelRestoreStorage(part.storage, 4);
    await (
      await new CheckpointingHeapBackendBuilder(parameters(KeyGroupRange.of(0, 31)), {
        checkpointStorage: quarter,
        restoreFrom: 'latest',
        restore: { mode: 'eager' },
      }).build()
    ).dispose();

    expect(part.reads.length).toBeGreaterThan(0);
    expect(part.reads.length).toBeLessThan(all.reads.length / 2);
  });
});
