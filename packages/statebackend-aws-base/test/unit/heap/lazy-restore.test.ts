import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blockOffset, HoldingCheckpointStorage } from '@statebackend/testkit';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  type CheckpointingOptions,
  type CheckpointStorage,
  type CompletedCheckpoint,
  CorruptCheckpointError,
  KeyGroupRange,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { type ByteRange, ForwardingCheckpointStorage } from '../../../src/spi.js';
import { temporaryDirectory } from '../checkpoint/fixtures.js';
import { TEST_PARAMETERS } from '../checkpoint/helpers.js';
import { keyGroupOf } from '../checkpoint/key-group-of.js';

const values = new ValueStateDescriptor('values', Serializers.string, '');
// Enough bytes that the first blocks lie before the 64 KiB tail an open reads: they need ranged reads.
const KEYS = Array.from({ length: 3000 }, (_, i) => `key-${i}`);
const stored = (key: string, round = 1) => `${key}:${round}:${'x'.repeat(100)}`;
const LAZY = { mode: 'lazy', concurrency: 1, maxBytesInFlight: 1 } as const;

type Backend = CheckpointingHeapKeyedStateBackend<string>;

describe('lazy restore', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
  const build = (options: CheckpointingOptions, range = TEST_PARAMETERS.keyGroupRange) =>
    new CheckpointingHeapBackendBuilder(
      { ...TEST_PARAMETERS, keyGroupRange: range },
      { checkpointStorage: storage(), states: [{ descriptor: values }], ...options },
    ).build();
  const read = (backend: Backend, key: string) => backend.withKey(key, (ctx) => ctx.getState(values).value());
  const write = (backend: Backend, key: string, value: string) =>
    backend.withKey(key, (ctx) => ctx.getState(values).update(value));

  /** Checkpoint 1 of every key; returns it. */
  async function firstCheckpoint(incremental: boolean): Promise<CompletedCheckpoint> {
    const backend = await build({ incremental });
    for (const key of KEYS) await write(backend, key, stored(key));
    const completed = await backend.snapshot(1);
    await backend.dispose();
    return completed;
  }

  /** The key group whose block comes first (a ranged read) and one whose block comes last (in the tail). */
  const firstKeyGroup = Math.min(...KEYS.map((k) => keyGroupOf(k)));
  const lastKeyGroup = Math.max(...KEYS.map((k) => keyGroupOf(k)));
  const keyIn = (keyGroup: number) => KEYS.find((k) => keyGroupOf(k) === keyGroup) as string;

  /** A storage holding the read of the first key group's block. */
  async function holdingFirstBlock(checkpoint: CompletedCheckpoint): Promise<HoldingCheckpointStorage> {
    const holding = new HoldingCheckpointStorage(storage());
    const at = await blockOffset(storage(), checkpoint.metadata.files, firstKeyGroup);
    if (at === undefined) throw new Error('no block of the first key group');
    holding.hold(at.path, at.offset);
    return holding;
  }

  /** Every key's value as a fresh eager restore of checkpoint `id` sees it, by owner at `parallelism`. */
  async function restoredValues(
    storageToUse: CheckpointStorage,
    id: number,
  ): Promise<Record<string, string>> {
    const backend = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: storageToUse,
      restoreFrom: { checkpointId: id },
      keepHistory: true,
    }).build();
    const seen: Record<string, string> = {};
    for (const key of KEYS) seen[key] = await read(backend, key);
    await backend.dispose();
    return seen;
  }

  it('hands the backend out before a held key group is read, and a record of another key group does not wait for it', async () => {
    const checkpoint = await firstCheckpoint(false);
    const holding = await holdingFirstBlock(checkpoint);
    const backend = await build({ checkpointStorage: holding, restoreFrom: 'latest', restore: LAZY });
    const held = keyIn(firstKeyGroup);
    let heldDone = false;
    const first = read(backend, held).then((value) => {
      heldDone = true;
      return value;
    });
    const other = keyIn(lastKeyGroup);
    expect(await read(backend, other)).toBe(stored(other));
    await holding.whenHeld();
    expect(heldDone).toBe(false);
    holding.release();
    expect(await first).toBe(stored(held));
    await backend.whenRestored();
    for (const key of KEYS.slice(0, 200)) expect(await read(backend, key)).toBe(stored(key));
    expect(backend.restored?.checkpointId).toBe(1);
    await backend.dispose();
  });

  for (const incremental of [true, false]) {
    it(`takes a checkpoint while key groups are still loading and restores it exactly (${incremental ? 'incremental' : 'full'})`, async () => {
      const checkpoint = await firstCheckpoint(incremental);
      const holding = await holdingFirstBlock(checkpoint);
      const backend = await build({
        checkpointStorage: holding,
        restoreFrom: 'latest',
        restore: LAZY,
        incremental,
      });
      const changed = keyIn(lastKeyGroup);
      await write(backend, changed, 'changed');
      await holding.whenHeld();
      const snapshot = backend.snapshot(2);
      holding.release();
      const completed = await snapshot;
      await backend.dispose();
      if (incremental) {
        // Untouched key groups stay in checkpoint 1's files; only the changed one is written.
        expect(completed.metadata.files.some((f) => f.checkpointId === 1)).toBe(true);
        expect(completed.bytesWritten).toBeLessThan(checkpoint.bytesWritten / 10);
      }
      const expected = Object.fromEntries(KEYS.map((k) => [k, k === changed ? 'changed' : stored(k)]));
      expect(await restoredValues(storage(), 2)).toEqual(expected);
    });
  }

  for (const incremental of [true, false]) {
    it(`takes a checkpoint while key groups are read but not yet loaded and restores it exactly (${incremental ? 'incremental' : 'full'})`, async () => {
      const checkpoint = await firstCheckpoint(incremental);
      // One batch reads every key group; they then load one per turn of the event loop.
      const backend = await build({
        restoreFrom: 'latest',
        restore: { mode: 'lazy', concurrency: 1, maxBytesInFlight: 64 * 1024 * 1024 },
        incremental,
      });
      let allLoaded = false;
      // Disposed below, perhaps before every key group loaded: then this rejects, which is fine here.
      void backend.whenRestored().then(
        () => {
          allLoaded = true;
        },
        () => undefined,
      );
      const changed = keyIn(lastKeyGroup);
      await write(backend, changed, 'changed');
      // Loaded first, ahead of the others read in the same batch: the snapshot meets them read, not loaded.
      expect(allLoaded).toBe(false);
      const completed = await backend.snapshot(2);
      await backend.dispose();
      expect(completed.checkpointId).toBe(2);
      if (incremental) expect(completed.bytesWritten).toBeLessThan(checkpoint.bytesWritten / 10);
      const expected = Object.fromEntries(KEYS.map((k) => [k, k === changed ? 'changed' : stored(k)]));
      expect(await restoredValues(storage(), 2)).toEqual(expected);
    });
  }

  it('rescales while loading: the old owner disposed mid-load, two new owners restore every key exactly', async () => {
    const checkpoint = await firstCheckpoint(true);
    const holding = await holdingFirstBlock(checkpoint);
    const old = await build({
      checkpointStorage: holding,
      restoreFrom: 'latest',
      restore: LAZY,
      incremental: true,
    });
    await holding.whenHeld();
    const disposing = old.dispose();
    holding.release();
    await disposing;
    const owners = [KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127)];
    const backends = await Promise.all(
      owners.map((range) => build({ restoreFrom: 'latest', restore: LAZY, incremental: true }, range)),
    );
    for (const key of KEYS) {
      const owner = backends[keyGroupOf(key) < 64 ? 0 : 1] as Backend;
      expect(await read(owner, key)).toBe(stored(key));
    }
    // Both take checkpoint 2 (one at once, one once loaded); it restores exactly at parallelism 1.
    await Promise.all(backends.map((b) => b.snapshot(2)));
    for (const b of backends) await b.dispose();
    expect(await restoredValues(storage(), 2)).toEqual(Object.fromEntries(KEYS.map((k) => [k, stored(k)])));
  });

  it('survives a crash while loading: the backend dropped mid-load, the next one restores exactly', async () => {
    const checkpoint = await firstCheckpoint(true);
    const holding = await holdingFirstBlock(checkpoint);
    const dropped = await build({
      checkpointStorage: holding,
      restoreFrom: 'latest',
      restore: LAZY,
      incremental: true,
    });
    await write(dropped, keyIn(lastKeyGroup), 'never checkpointed');
    await holding.whenHeld();
    // Never disposed: the next owner claims the range, as after a killed process.
    const next = await build({ restoreFrom: 'latest', restore: LAZY, incremental: true });
    for (const key of KEYS) expect(await read(next, key)).toBe(stored(key));
    await next.snapshot(2);
    await next.dispose();
    holding.release();
    await dropped.whenRestored();
    await expect(dropped.snapshot(3)).rejects.toThrow();
    await dropped.dispose();
    expect(await restoredValues(storage(), 2)).toEqual(Object.fromEntries(KEYS.map((k) => [k, stored(k)])));
  });

  it('fails records of a key group whose block is corrupt, and the next checkpoint, with the typed error', async () => {
    const checkpoint = await firstCheckpoint(false);
    const at = await blockOffset(storage(), checkpoint.metadata.files, firstKeyGroup);
    if (at === undefined) throw new Error('no block of the first key group');
    const file = join(dir.path, 'job', 'op', at.path);
    const bytes = await readFile(file);
    bytes[at.offset + 3] = (bytes[at.offset + 3] as number) ^ 0xff;
    await writeFile(file, bytes);

    const backend = await build({ restoreFrom: 'latest', restore: LAZY });
    const other = keyIn(lastKeyGroup);
    expect(await read(backend, other)).toBe(stored(other));
    await expect(read(backend, keyIn(firstKeyGroup))).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(backend.whenRestored()).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(backend.snapshot(2)).rejects.toBeInstanceOf(CorruptCheckpointError);
    expect((await storage().listCommitted()).map((c) => c.checkpointId)).toEqual([1]);
    await backend.dispose();
  });

  it('never asks the storage to prefetch whole files (an eager restore does) and reads data files by range only', async () => {
    await firstCheckpoint(false);
    class Recording extends ForwardingCheckpointStorage {
      readonly prefetched: string[] = [];
      readonly wholeReads: string[] = [];
      override prefetch(paths: readonly string[]): void {
        this.prefetched.push(...paths);
      }
      override readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
        if (range === undefined) this.wholeReads.push(path);
        return super.readFile(path, range);
      }
    }
    const lazily = new Recording(storage());
    const lazy = await build({ checkpointStorage: lazily, restoreFrom: 'latest', restore: LAZY });
    await lazy.whenRestored();
    await lazy.dispose();
    expect(lazily.prefetched).toEqual([]);
    const eagerly = new Recording(storage());
    const eager = await build({
      checkpointStorage: eagerly,
      restoreFrom: 'latest',
      restore: { mode: 'eager' },
    });
    await eager.dispose();
    expect(eagerly.prefetched.length).toBeGreaterThan(0);
    expect(lazily.wholeReads.filter((path) => eagerly.prefetched.includes(path))).toEqual([]);
  });

  it('is refused with a configuration error for an unknown mode', () => {
    expect(
      () => new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, { restore: { mode: 'later' as 'lazy' } }),
    ).toThrow(/restore\.mode/);
  });
});
