import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  type CheckpointingOptions,
  type CompletedCheckpoint,
  ListStateDescriptor,
  LocalCheckpointStorage,
  MapStateDescriptor,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from './fixtures.js';
import { TEST_PARAMETERS } from './helpers.js';

const counts = new ValueStateDescriptor('counts', Serializers.int, 0);
const events = new ListStateDescriptor('events', Serializers.string);
const pages = new MapStateDescriptor('pages', Serializers.string, Serializers.int);
const KEYS = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

type Backend = CheckpointingHeapKeyedStateBackend<string>;

/** The version field of a metadata file (after the 4 magic bytes). */
function versionOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint16(4, true);
}

/** How many delta files of `checkpoint` provide each key group. */
function deltasPerKeyGroup(checkpoint: CompletedCheckpoint): Map<number, number> {
  const per = new Map<number, number>();
  for (const file of checkpoint.metadata.files) {
    if (file.delta !== true) continue;
    for (const range of file.keyGroups)
      for (const keyGroup of range) per.set(keyGroup, (per.get(keyGroup) ?? 0) + 1);
  }
  return per;
}

describe('delta checkpoints', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
  const build = (options: CheckpointingOptions = {}) =>
    new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: storage(),
      incremental: true,
      ...options,
    }).build();
  const set = (backend: Backend, key: string, value: number) =>
    backend.withKey(key, (ctx) => ctx.getState(counts).update(value));
  const read = (backend: Backend, key: string) => backend.withKey(key, (ctx) => ctx.getState(counts).value());
  const fill = async (backend: Backend) => {
    for (const [i, key] of KEYS.entries()) await set(backend, key, i);
  };

  it('writes only the changed cells and tombstones, a few percent of a full checkpoint, and restores them', async () => {
    const backend = await build();
    await fill(backend);
    const full = await backend.snapshot(1);
    expect(versionOf(await storage().readFile(full.committed.path))).toBe(1);
    for (let i = 0; i < KEYS.length; i += 100) await set(backend, KEYS[i] as string, -i);
    await backend.withKey('user-1', (ctx) => ctx.getState(counts).clear());
    await backend.withKey('user-2', (ctx) => ctx.getState(counts).clear());
    const delta = await backend.snapshot(2, { offset: 2 });
    await backend.dispose();

    expect(delta.snapshotType).toBe('incremental');
    expect(delta.metadata.files.some((file) => file.delta === true)).toBe(true);
    expect(delta.entriesWritten).toBe(12);
    expect(delta.bytesWritten / full.bytesWritten).toBeLessThan(0.05);
    expect(versionOf(await storage().readFile(delta.committed.path))).toBe(2);

    const restored = await build({ restoreFrom: 'latest', restore: { mode: 'eager' } });
    expect(restored.restored?.checkpointId).toBe(2);
    expect(restored.restored?.entries).toBe(KEYS.length - 2);
    expect(await read(restored, 'user-100')).toBe(-100);
    expect(await read(restored, 'user-101')).toBe(101);
    expect(await read(restored, 'user-1')).toBe(0); // removed: back to the default
    restored.registerState(counts);
    const keys: string[] = [];
    for await (const key of restored.keys('counts')) keys.push(key);
    expect(keys).not.toContain('user-1');
    expect(keys).toHaveLength(KEYS.length - 2);
    await restored.dispose();
  });

  it('restores a chain of deltas lazily: the entries the indexes list, then the resolved state once loaded', async () => {
    const backend = await build();
    await fill(backend);
    await backend.snapshot(1);
    for (let i = 0; i < KEYS.length; i += 100) await set(backend, KEYS[i] as string, -i);
    await backend.withKey('user-1', (ctx) => ctx.getState(counts).clear());
    await backend.withKey('user-2', (ctx) => ctx.getState(counts).clear());
    await backend.snapshot(2);
    await backend.dispose();

    const restored = await build({ restoreFrom: 'latest', restore: { mode: 'lazy' } });
    expect(restored.restored?.checkpointId).toBe(2);
    // Known before any block is read: the full file's entries and the deltas' (10 changes, 2 tombstones).
    expect(restored.restored?.entries).toBe(KEYS.length + 12);
    expect(await read(restored, 'user-100')).toBe(-100);
    expect(await read(restored, 'user-101')).toBe(101);
    expect(await read(restored, 'user-1')).toBe(0);
    await restored.whenRestored();
    expect(restored.numEntries()).toBe(KEYS.length - 2);
    restored.registerState(counts);
    const keys: string[] = [];
    for await (const key of restored.keys('counts')) keys.push(key);
    expect(keys).not.toContain('user-1');
    expect(keys).toHaveLength(KEYS.length - 2);
    await restored.dispose();
  });

  it('writes a changed list or map whole, and an emptied one as a tombstone', async () => {
    const backend = await build();
    for (const key of ['a', 'b', 'c']) {
      await backend.withKey(key, async (ctx) => {
        await ctx.getState(events).addAll([`${key}-1`, `${key}-2`]);
        await ctx.getState(pages).putAll(
          new Map([
            [`/${key}`, 1],
            ['/home', 2],
          ]),
        );
      });
    }
    await backend.snapshot(1);
    await backend.withKey('a', async (ctx) => {
      await ctx.getState(events).add('a-3');
      await ctx.getState(pages).remove('/home');
    });
    await backend.withKey('b', async (ctx) => {
      await ctx.getState(events).clear();
      await ctx.getState(pages).clear();
    });
    await backend.snapshot(2);
    await backend.dispose();

    const restored = await build({ restoreFrom: 'latest' });
    await restored.withKey('a', async (ctx) => {
      expect(await ctx.getState(events).get()).toEqual(['a-1', 'a-2', 'a-3']);
      expect(await ctx.getState(pages).entries()).toEqual([['/a', 1]]);
    });
    await restored.withKey('b', async (ctx) => {
      expect(await ctx.getState(events).get()).toEqual([]);
      expect(await ctx.getState(pages).isEmpty()).toBe(true);
    });
    await restored.withKey('c', async (ctx) => {
      expect(await ctx.getState(events).get()).toEqual(['c-1', 'c-2']);
    });
    await restored.dispose();
  });

  /** The longest delta chain of each of checkpoints 2-12, each changing only `user-7`. */
  async function chainLengths(options: CheckpointingOptions): Promise<number[]> {
    const backend = await build({ retainedCheckpoints: 1, ...options });
    await fill(backend);
    await backend.snapshot(1);
    const chains: number[] = [];
    for (let id = 2; id <= 12; id++) {
      await set(backend, 'user-7', id);
      const completed = await backend.snapshot(id);
      await backend.notifyCheckpointComplete(id);
      chains.push(Math.max(0, ...deltasPerKeyGroup(completed).values()));
    }
    await backend.dispose();
    const restored = await build({ restoreFrom: 'latest' });
    expect(await read(restored, 'user-7')).toBe(12);
    expect(await read(restored, 'user-8')).toBe(8);
    await restored.dispose();
    return chains;
  }

  it('bounds each key group to 8 deltas, then writes it whole again', async () => {
    expect(await chainLengths({ incremental: { maxDeltaRatio: 100 } })).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2,
    ]);
  });

  it('writes a key group whole again once its deltas outweigh half of it', async () => {
    // About 8 cells per key group: each delta of one cell adds an eighth of the full block.
    expect(await chainLengths({})).toEqual([1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  });

  it('writes a key group whole when most of its cells changed', async () => {
    const backend = await build();
    await fill(backend);
    await backend.snapshot(1);
    for (const [i, key] of KEYS.entries()) await set(backend, key, i + 1);
    const second = await backend.snapshot(2);
    expect(second.metadata.files.some((file) => file.delta === true)).toBe(false);
    await backend.dispose();
  });

  it('keeps on disk exactly the files the retained chains need', async () => {
    const backend = await build({ retainedCheckpoints: 2 });
    await fill(backend);
    let latest: CompletedCheckpoint[] = [];
    for (let id = 1; id <= 14; id++) {
      await set(backend, KEYS[id] as string, -id);
      latest = [...latest, await backend.snapshot(id)].slice(-2);
      await backend.notifyCheckpointComplete(id);
    }
    // A delta checkpoint that fails after writing its files leaves nothing behind either.
    await set(backend, 'user-500', -500);
    const aborted = backend.snapshot(15);
    await backend.notifyCheckpointAborted(15);
    await expect(aborted).rejects.toThrow(/aborted/);
    const referenced = new Set(latest.flatMap((c) => c.metadata.files.map((file) => file.path)));
    const onDisk = new Set((await storage().listFiles()).map((file) => file.path));
    expect(onDisk).toEqual(referenced);
    await backend.dispose();

    // Newest first: restoring an older checkpoint abandons the newer ones.
    for (const checkpointId of [14, 13]) {
      const restored = await build({ restoreFrom: { checkpointId } });
      expect(await read(restored, `user-${checkpointId}`)).toBe(-checkpointId);
      expect(await read(restored, 'user-14')).toBe(checkpointId === 14 ? -14 : 14);
      await restored.dispose();
    }
  });

  it('a savepoint between two checkpoints leaves its changes to the next delta', async () => {
    const backend = await build();
    await fill(backend);
    await backend.snapshot(1);
    await set(backend, 'user-3', 33);
    const savepoint = backend.exportSavepoint();
    for await (const _ of savepoint.content) {
      // drained: the savepoint is written
    }
    await backend.snapshot(2);
    await backend.dispose();
    const restored = await build({ restoreFrom: 'latest' });
    expect(await read(restored, 'user-3')).toBe(33);
    await restored.dispose();
  });

  it('a snapshot refused before it was planned leaves its changes to the next one', async () => {
    const backend = await build();
    await fill(backend);
    await backend.snapshot(1);
    await set(backend, 'user-4', 44);
    await expect(backend.snapshot(-1)).rejects.toThrow(/non-negative/);
    await backend.snapshot(2);
    await backend.dispose();
    const restored = await build({ restoreFrom: 'latest' });
    expect(await read(restored, 'user-4')).toBe(44);
    await restored.dispose();
  });
});
