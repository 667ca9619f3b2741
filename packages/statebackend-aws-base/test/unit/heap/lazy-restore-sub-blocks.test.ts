import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HoldingCheckpointStorage } from '@statebackend/testkit';
import { subBlockOfKeyId } from '../../../src/checkpoint/format/sub-blocks.js';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  type CheckpointingOptions,
  type CheckpointStorage,
  type CompletedCheckpoint,
  CorruptCheckpointError,
  KeyGroupRange,
  ListStateDescriptor,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { bytesAsFile, KeyGroupFileReader } from '../../../src/spi.js';
import { temporaryDirectory } from '../checkpoint/fixtures.js';
import { keyGroupOf } from '../checkpoint/key-group-of.js';

// Four key groups of about 1,000 keys of 300-byte values each: every block is split into sub-blocks.
const MAX_PARALLELISM = 4;
const PARAMETERS = {
  jobId: 'job',
  operatorId: 'op',
  keyGroupRange: KeyGroupRange.of(0, MAX_PARALLELISM - 1),
  maxParallelism: MAX_PARALLELISM,
  keySerializer: Serializers.string,
};
const values = new ValueStateDescriptor('values', Serializers.string, '');
/** A second state, never registered by some restores: carried as restored. */
const events = new ListStateDescriptor('events', Serializers.int);
const KEYS = Array.from({ length: 4000 }, (_, i) => `key-${i}`);
const stored = (key: string) => `${key}:${'x'.repeat(300)}`;
/** Events of every tenth key: list elements whose order must survive the split. */
const eventsOf = (key: string) => (Number(key.slice(4)) % 10 === 0 ? [3, 1, 2, Number(key.slice(4))] : []);
const LAZY = { mode: 'lazy', concurrency: 1, maxBytesInFlight: 1 } as const;
const groupOf = (key: string) => keyGroupOf(key, MAX_PARALLELISM);

type Backend = CheckpointingHeapKeyedStateBackend<string>;

describe('lazy restore by sub-block', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
  const build = (options: CheckpointingOptions, range = PARAMETERS.keyGroupRange) =>
    new CheckpointingHeapBackendBuilder(
      { ...PARAMETERS, keyGroupRange: range },
      { checkpointStorage: storage(), states: [{ descriptor: values }], ...options },
    ).build();
  const read = (backend: Backend, key: string) => backend.withKey(key, (ctx) => ctx.getState(values).value());
  const write = (backend: Backend, key: string, value: string) =>
    backend.withKey(key, (ctx) => ctx.getState(values).update(value));

  /** Checkpoint 1 of every key (values and events). */
  async function firstCheckpoint(incremental: boolean): Promise<CompletedCheckpoint> {
    const backend = await build({ incremental, states: [] });
    for (const key of KEYS) {
      await backend.withKey(key, async (ctx) => {
        await ctx.getState(values).update(stored(key));
        const list = eventsOf(key);
        if (list.length > 0) await ctx.getState(events).update(list);
      });
    }
    const completed = await backend.snapshot(1);
    await backend.dispose();
    return completed;
  }

  /**
   * The first key group's block (read by range, never from the tail an open reads), its
   * sub-block count, and a key of it outside its first sub-block, whose sub-block is read alone
   * (a read not covering the block's first byte).
   */
  async function splitKeyGroup(checkpoint: CompletedCheckpoint) {
    const file = checkpoint.metadata.files[0];
    if (file === undefined) throw new Error('no data file');
    const reader = await KeyGroupFileReader.open(
      bytesAsFile(file.path, await storage().readFile(file.path)),
      'data',
    );
    const block = reader.blocks[0];
    const subBlocks = block === undefined ? undefined : reader.subBlocksOf(block.keyGroup);
    if (block === undefined || subBlocks === undefined) throw new Error('the first block is not split');
    const keyGroup = block.keyGroup;
    const key = KEYS.find(
      (k) => groupOf(k) === keyGroup && subBlockOfKeyId(k, subBlocks.length) > 0 && eventsOf(k).length > 0,
    ) as string;
    const at = subBlocks[subBlockOfKeyId(key, subBlocks.length)]?.offset ?? -1;
    return {
      path: file.path,
      offset: block.offset,
      keyGroup,
      subBlocks: subBlocks.length,
      key,
      keyAt: block.offset + at,
    };
  }

  /**
   * Checkpoint 1 with a split key group, restored lazily from storage that holds that key group's
   * block from the split key's sub-block on, until `holding.release()`.
   */
  async function restoreWithSplitHeld(incremental: boolean, options: CheckpointingOptions = {}) {
    const checkpoint = await firstCheckpoint(incremental);
    const split = await splitKeyGroup(checkpoint);
    const holding = new HoldingCheckpointStorage(storage());
    holding.hold(split.path, split.offset);
    const backend = await build({
      checkpointStorage: holding,
      restoreFrom: 'latest',
      restore: LAZY,
      incremental,
      ...options,
    });
    return { checkpoint, split, holding, backend };
  }

  /** Every key's value and events as a fresh eager restore of checkpoint `id` sees them. */
  async function restored(storageToUse: CheckpointStorage, id: number) {
    const backend = await new CheckpointingHeapBackendBuilder(PARAMETERS, {
      checkpointStorage: storageToUse,
      restoreFrom: { checkpointId: id },
      restore: { mode: 'eager' },
      keepHistory: true,
    }).build();
    const seen: Record<string, [string, number[]]> = {};
    for (const key of KEYS) {
      seen[key] = await backend.withKey(key, async (ctx) => [
        await ctx.getState(values).value(),
        [...((await ctx.getState(events).get()) ?? [])],
      ]);
    }
    await backend.dispose();
    return seen;
  }
  const expected = (changed: Record<string, string> = {}) =>
    Object.fromEntries(KEYS.map((k) => [k, [changed[k] ?? stored(k), eventsOf(k)]]));

  it('writes full data files with the blocks of large key groups split into sub-blocks', async () => {
    const checkpoint = await firstCheckpoint(false);
    const { subBlocks } = await splitKeyGroup(checkpoint);
    expect(subBlocks).toBeGreaterThan(4);
    expect(await restored(storage(), 1)).toEqual(expected());
  });

  it("serves a record once its key's sub-block is loaded, before the rest of its key group is read", async () => {
    const { split, holding, backend } = await restoreWithSplitHeld(false);
    expect(await read(backend, split.key)).toBe(stored(split.key));
    await holding.whenHeld();
    // Only a part of the key group is in the tables; the rest of it is held.
    expect(backend.numEntries()).toBeLessThan(KEYS.filter((k) => groupOf(k) === split.keyGroup).length / 2);
    await write(backend, split.key, 'changed');
    holding.release();
    await backend.whenRestored();
    // Loading the rest kept the record's write.
    expect(await read(backend, split.key)).toBe('changed');
    for (const key of KEYS.filter((k) => k !== split.key)) expect(await read(backend, key)).toBe(stored(key));
    await backend.dispose();
  });

  for (const incremental of [true, false]) {
    it(`takes a checkpoint while a key group is loaded in part and restores it exactly (${incremental ? 'incremental' : 'full'})`, async () => {
      // `events` is not registered: it is carried as restored, the loaded part's entries too.
      const { checkpoint, split, holding, backend } = await restoreWithSplitHeld(incremental, {
        retainedCheckpoints: 3,
      });
      await write(backend, split.key, 'changed');
      await holding.whenHeld();
      const snapshot = backend.snapshot(2);
      // Another sub-block loads after the snapshot froze the tables.
      const other = KEYS.find(
        (k) =>
          groupOf(k) === split.keyGroup &&
          ![0, subBlockOfKeyId(split.key, split.subBlocks)].includes(subBlockOfKeyId(k, split.subBlocks)),
      ) as string;
      await write(backend, other, 'after the snapshot');
      holding.release();
      const completed = await snapshot;
      if (incremental) expect(completed.bytesWritten).toBeLessThan(checkpoint.bytesWritten / 2);
      // Once all is loaded, the next checkpoint holds the later write; loading kept both writes as changes.
      await backend.whenRestored();
      await backend.snapshot(3);
      await backend.dispose();
      expect(await restored(storage(), 2)).toEqual(expected({ [split.key]: 'changed' }));
      expect(await restored(storage(), 3)).toEqual(
        expected({ [split.key]: 'changed', [other]: 'after the snapshot' }),
      );
    });
  }

  it('keeps a write made while its key group was loaded in part in the next incremental checkpoint', async () => {
    const { checkpoint, split, holding, backend } = await restoreWithSplitHeld(true);
    await write(backend, split.key, 'changed');
    holding.release();
    await backend.whenRestored();
    const completed = await backend.snapshot(2);
    await backend.dispose();
    // The changed key group only, not every loaded one.
    expect(completed.bytesWritten).toBeLessThan(checkpoint.bytesWritten / 2);
    expect(await restored(storage(), 2)).toEqual(expected({ [split.key]: 'changed' }));
  });

  it('rescales from a checkpoint taken while a key group was loaded in part: two new owners restore exactly', async () => {
    const { split, holding, backend: old } = await restoreWithSplitHeld(true);
    await write(old, split.key, 'changed');
    await holding.whenHeld();
    const snapshot = old.snapshot(2);
    holding.release();
    await snapshot;
    await old.dispose();
    const owners = [KeyGroupRange.of(0, 1), KeyGroupRange.of(2, 3)];
    const backends = await Promise.all(
      owners.map((range) => build({ restoreFrom: 'latest', restore: LAZY, incremental: true }, range)),
    );
    for (const key of KEYS) {
      const owner = backends[groupOf(key) < 2 ? 0 : 1] as Backend;
      expect(await read(owner, key)).toBe(key === split.key ? 'changed' : stored(key));
    }
    await Promise.all(backends.map((b) => b.snapshot(3)));
    for (const b of backends) await b.dispose();
    expect(await restored(storage(), 3)).toEqual(expected({ [split.key]: 'changed' }));
  });

  it('survives a crash while a key group is loaded in part: the next owner restores exactly', async () => {
    const { split, holding, backend: dropped } = await restoreWithSplitHeld(true);
    await write(dropped, split.key, 'never checkpointed');
    await holding.whenHeld();
    // Never disposed: the next owner claims the range, as after a killed process.
    const next = await build({ restoreFrom: 'latest', restore: LAZY, incremental: true });
    expect(await read(next, split.key)).toBe(stored(split.key));
    for (const key of KEYS) expect(await read(next, key)).toBe(stored(key));
    await next.snapshot(2);
    await next.dispose();
    holding.release();
    await dropped.whenRestored();
    await expect(dropped.snapshot(3)).rejects.toThrow();
    await dropped.dispose();
    expect(await restored(storage(), 2)).toEqual(expected());
  });

  it("fails a record whose sub-block is corrupt with the typed error, as its key group's read finds it", async () => {
    const checkpoint = await firstCheckpoint(false);
    const split = await splitKeyGroup(checkpoint);
    const file = join(dir.path, 'job', 'op', split.path);
    const bytes = await readFile(file);
    bytes[split.keyAt + 3] = (bytes[split.keyAt + 3] as number) ^ 0xff;
    await writeFile(file, bytes);
    const backend = await build({ restoreFrom: 'latest', restore: LAZY });
    await expect(read(backend, split.key)).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(backend.whenRestored()).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(backend.snapshot(2)).rejects.toBeInstanceOf(CorruptCheckpointError);
    await backend.dispose();
  });
});
