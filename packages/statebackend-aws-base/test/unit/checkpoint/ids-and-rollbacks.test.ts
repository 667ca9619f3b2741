import {
  CheckpointChangedError,
  CheckpointIdTooLowError,
  CheckpointingHeapBackendBuilder,
  type CheckpointingOptions,
  type CheckpointStorage,
  CorruptCheckpointError,
  KeyGroupRange,
  LocalCheckpointStorage,
  openCheckpoint,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { ForwardingCheckpointStorage } from '../../../src/spi.js';
import { temporaryDirectory } from './fixtures.js';

const counts = new ValueStateDescriptor('counts', Serializers.int, 0);
type Backend = Awaited<ReturnType<CheckpointingHeapBackendBuilder<string>['build']>>;

async function count(backend: Backend): Promise<number> {
  return backend.withKey('k', (ctx) => ctx.getState(counts).value());
}

async function setCount(backend: Backend, value: number): Promise<void> {
  await backend.withKey('k', (ctx) => ctx.getState(counts).update(value));
}

describe('checkpoint ids and rollbacks (local directory)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
  const build = (options: CheckpointingOptions = {}, checkpointStorage: CheckpointStorage = storage()) =>
    new CheckpointingHeapBackendBuilder(
      {
        jobId: 'job',
        operatorId: 'op',
        keyGroupRange: KeyGroupRange.of(0, 127),
        maxParallelism: 128,
        keySerializer: Serializers.string,
      },
      { checkpointStorage, retainedCheckpoints: 3, ...options },
    ).build();
  const committedIds = async () => [...new Set((await storage().listCommitted()).map((c) => c.checkpointId))];

  it('refuses a checkpoint id at or below the latest committed one before writing anything', async () => {
    const first = await build();
    await setCount(first, 5);
    await first.snapshot(5);
    await first.dispose();
    const owner = await build({ restoreFrom: 'latest' });
    await setCount(owner, 6);
    const filesBefore = await storage().listFiles();

    await expect(owner.snapshot(1)).rejects.toBeInstanceOf(CheckpointIdTooLowError);
    await expect(owner.snapshot(5)).rejects.toThrow(/not above 5/);
    expect(await storage().listFiles()).toEqual(filesBefore);
    expect(await committedIds()).toEqual([5]);
    // The refused snapshots' changes are not lost: the next id takes them.
    await owner.snapshot(6);
    await owner.notifyCheckpointComplete(6);
    await owner.dispose();
    const restored = await build({ restoreFrom: 'latest' });
    expect(restored.restored?.checkpointId).toBe(6);
    expect(await count(restored)).toBe(6);
    await restored.dispose();
  });

  it('keeps the newer checkpoints after a rollback until the new lineage commits, so it can be undone', async () => {
    const writer = await build();
    for (const id of [1, 2, 3]) {
      await setCount(writer, id * 10);
      await writer.snapshot(id);
      await writer.notifyCheckpointComplete(id);
    }
    await writer.dispose();

    const rolledBack = await build({ restoreFrom: { checkpointId: 1 } });
    expect(await count(rolledBack)).toBe(10);
    expect(await committedIds()).toEqual([1, 2, 3]);
    await rolledBack.dispose();
    // Undone: checkpoint 3 is still there to restore by id.
    const undone = await build({ restoreFrom: { checkpointId: 3 } });
    expect(await count(undone)).toBe(30);
    await undone.dispose();

    const again = await build({ restoreFrom: { checkpointId: 1 } });
    await setCount(again, 11);
    await expect(again.snapshot(2)).rejects.toBeInstanceOf(CheckpointIdTooLowError);
    await again.snapshot(4);
    await again.notifyCheckpointComplete(4);
    await again.dispose();
    expect(await committedIds()).toEqual([1, 4]);
    const latest = await build({ restoreFrom: 'latest' });
    expect(latest.restored?.checkpointId).toBe(4);
    expect(await count(latest)).toBe(11);
    await latest.dispose();
  });

  it('opens an older checkpoint read-only: no claim, nothing changes, the running owner keeps committing', async () => {
    const owner = await build();
    await setCount(owner, 1);
    await owner.snapshot(1);
    await setCount(owner, 2);
    await owner.snapshot(2);
    const claims = await storage().listClaims();

    const source = await openCheckpoint(storage(), { checkpointId: 1 });
    const values: number[] = [];
    await source.forEachEntry(KeyGroupRange.of(0, 127), (_keyGroup, _state, entry) => {
      values.push(Serializers.int.deserialize(entry.value));
    });

    expect(source.checkpointId).toBe(1);
    expect(values).toEqual([1]);
    expect(await storage().listClaims()).toEqual(claims);
    await setCount(owner, 3);
    await expect(owner.snapshot(3)).resolves.toMatchObject({ checkpointId: 3 });
    await owner.dispose();
  });

  it('lists again when a commit record vanishes between listing and reading: a race, not corruption', async () => {
    const writer = await build();
    await setCount(writer, 1);
    await writer.snapshot(1);
    await setCount(writer, 2);
    await writer.snapshot(2);
    await writer.dispose();
    // Checkpoint 2 is removed (another owner's retention) after the restore listed it.
    let removed = false;
    const racing = new (class extends ForwardingCheckpointStorage {
      override async readFile(path: string, range?: { offset: number; length: number }) {
        if (!removed && path.startsWith('chk-2/')) {
          removed = true;
          const records = (await storage().listCommitted()).filter((c) => c.checkpointId === 2);
          await storage().delete(records.map((c) => c.path));
        }
        return super.readFile(path, range);
      }
    })(storage());

    const restored = await build({ restoreFrom: 'latest' }, racing);

    expect(removed).toBe(true);
    expect(restored.restored?.checkpointId).toBe(1);
    expect(await count(restored)).toBe(1);
    await restored.dispose();
  });

  /** A storage that, on the first read of a data file of checkpoint 2, removes that checkpoint's files (and its record). */
  const removingCheckpoint2 = (withRecord: boolean) => {
    let done = false;
    return new (class extends ForwardingCheckpointStorage {
      override async readFile(path: string, range?: { offset: number; length: number }) {
        if (!done && path.startsWith('chk-2/') && !path.includes('_metadata')) {
          done = true;
          const local = storage();
          const records = (await local.listCommitted()).filter((c) => c.checkpointId === 2);
          const files = (await local.listFiles()).filter((f) => f.path.startsWith('chk-2/'));
          await local.delete([
            ...(withRecord ? records.map((c) => c.path) : []),
            ...files.map((f) => f.path),
          ]);
        }
        return super.readFile(path, range);
      }
    })(storage());
  };

  const twoCheckpoints = async () => {
    const writer = await build();
    await setCount(writer, 1);
    await writer.snapshot(1);
    await setCount(writer, 2);
    await writer.snapshot(2);
    await writer.dispose();
  };

  it('restores again when a checkpoint is removed with its record while its data is read', async () => {
    await twoCheckpoints();

    const restored = await build({ restoreFrom: 'latest' }, removingCheckpoint2(true));

    expect(restored.restored?.checkpointId).toBe(1);
    expect(await count(restored)).toBe(1);
    await restored.dispose();
  });

  it('reports a data file missing while its commit record stays as corrupt, not as a race', async () => {
    await twoCheckpoints();

    await expect(build({ restoreFrom: 'latest' }, removingCheckpoint2(false))).rejects.toBeInstanceOf(
      CorruptCheckpointError,
    );
  });

  it('says a checkpoint changed while read with a retryable CheckpointChangedError', async () => {
    await twoCheckpoints();
    const source = await openCheckpoint(removingCheckpoint2(true), { checkpointId: 2 });

    const read = source.forEachEntry(KeyGroupRange.of(0, 127), () => undefined);

    await expect(read).rejects.toBeInstanceOf(CheckpointChangedError);
    await expect(read).rejects.toMatchObject({ isRetryable: true, checkpointId: 2 });
  });
});
