import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointingHeapBackendBuilder,
  LocalCheckpointStorage,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { buildCheckpointing, TEST_PARAMETERS } from './helpers.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'next-checkpoint-id-'));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

const buildStorage = (dir: string) =>
  new LocalCheckpointStorage({ directory: dir, jobId: 'job', operatorId: 'op' });

const counts = new ValueStateDescriptor<number>('counts', undefined, 0);

describe('checkpoint ids without bookkeeping', () => {
  it('snapshot() without an id takes nextCheckpointId: 1 after a fresh start, then one above the last', async () => {
    const backend = await buildCheckpointing(directory, { restoreFrom: 'latest' });
    expect(backend.nextCheckpointId).toBe(1);
    expect((await backend.snapshot()).checkpointId).toBe(1);
    expect(backend.nextCheckpointId).toBe(2);
    await backend.withKey('a', (ctx) => ctx.getState(counts).update(5));
    const second = await backend.snapshot(undefined, { offset: 7 });
    expect(second.checkpointId).toBe(2);
    // An id given explicitly moves the next one past it.
    expect((await backend.snapshot(10)).checkpointId).toBe(10);
    expect(backend.nextCheckpointId).toBe(11);
    await backend.dispose();
  });

  it('after a restore, the next id is one above the restored checkpoint, so a rerun never collides', async () => {
    for (let run = 1; run <= 3; run++) {
      const backend = await buildCheckpointing(directory, { restoreFrom: 'latest' });
      expect(backend.restored?.checkpointId).toBe(run === 1 ? undefined : run - 1);
      expect(backend.nextCheckpointId).toBe(run);
      await backend.withKey('a', async (ctx) =>
        ctx.getState(counts).update((await ctx.getState(counts).value()) + 1),
      );
      const { checkpointId } = await backend.snapshot(backend.nextCheckpointId, { run });
      await backend.notifyCheckpointComplete(checkpointId);
      expect(checkpointId).toBe(run);
      await backend.dispose();
    }
  });

  it('a rollback to an older checkpoint continues above the newer ones, which stay until then', async () => {
    const job = await buildCheckpointing(directory, { restoreFrom: 'latest', retainedCheckpoints: 3 });
    for (let i = 0; i < 3; i++) await job.snapshot();
    await job.dispose();
    const rolledBack = await buildCheckpointing(directory, {
      restoreFrom: { checkpointId: 1 },
      retainedCheckpoints: 3,
    });
    // Ids only go up (issue 19): checkpoints 2 and 3 are kept until the rolled-back lineage commits.
    expect(rolledBack.nextCheckpointId).toBe(4);
    const { checkpointId } = await rolledBack.snapshot();
    expect(checkpointId).toBe(4);
    await rolledBack.notifyCheckpointComplete(checkpointId);
    await rolledBack.dispose();
    const ids = (await buildStorage(directory).listCommitted()).map((c) => c.checkpointId);
    expect(ids).toEqual([1, 4]);
  });

  it('a backend without checkpoint storage still answers 1 and rejects the snapshot, saying why', async () => {
    const backend = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS).build();
    expect(backend.nextCheckpointId).toBe(1);
    await expect(backend.snapshot()).rejects.toThrow(/has no checkpoint storage/);
    await backend.dispose();
  });
});
