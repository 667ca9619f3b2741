import type { S3Client } from '@aws-sdk/client-s3';
import {
  CheckpointChangedError,
  type CheckpointingHeapKeyedStateBackend,
  type CompletedCheckpoint,
  computeKeyGroupRangeForOperatorIndex,
  FencedError,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import {
  blockOffset,
  cleanupAfterAll,
  describeEachTarget,
  HoldingCheckpointStorage,
} from '@statebackend/testkit';
import type { S3StateBackend } from '../../src/index.js';
import { keyGroupOf } from '../support/key-group-of.js';
import { MAX_PARALLELISM, parameters, s3StateBackend } from '../support/s3-backend.js';
import { createBucket, s3ClientFor } from '../support/s3-bucket.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const values = new ValueStateDescriptor('values', Serializers.string, '');
// 3,000 keys of about 1 KiB, stored uncompressed: more than one batch of a lazy restore's
// background reads (4 MiB over 8 reads), so a held read leaves the other key groups loading.
const KEYS = Array.from({ length: 3000 }, (_, i) => `key-${i}`);
const stored = (key: string) => `${key}:${'x'.repeat(1000)}`;
const firstKeyGroup = Math.min(...KEYS.map(keyGroupOf));
const lastKeyGroup = Math.max(...KEYS.map(keyGroupOf));
const keyIn = (keyGroup: number) => KEYS.find((k) => keyGroupOf(k) === keyGroup) as string;
const everyKey = (change: Record<string, string> = {}) =>
  Object.fromEntries(KEYS.map((k) => [k, change[k] ?? stored(k)]));

const read = (backend: Backend, key: string) => backend.withKey(key, (ctx) => ctx.getState(values).value());
const write = (backend: Backend, key: string, value: string) =>
  backend.withKey(key, (ctx) => ctx.getState(values).update(value));

// Issue 17's cases on S3: a checkpoint, a rescale and a crash while key groups are still loading
// (the GET of one key group's block held), each restored exactly afterwards.
describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  let s3: S3Client;
  let bucket: string;
  let backend: S3StateBackend;

  beforeAll(async () => {
    s3 = s3ClientFor(target, cleanup);
    bucket = await createBucket(s3, target, cleanup, 's3-lazy');
    backend = s3StateBackend(target, s3, bucket, { compression: 'none' });
    cleanup.add('S3 state backend', () => backend.close());
  });

  const lazily = (
    jobId: string,
    options: { storage?: HoldingCheckpointStorage; parallelism?: number; index?: number } = {},
  ): Promise<Backend> =>
    backend.createKeyedStateBackend(
      parameters(
        jobId,
        computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, options.parallelism ?? 1, options.index ?? 0),
      ),
      { restoreMode: 'lazy', ...(options.storage === undefined ? {} : { storage: options.storage }) },
    );

  /** Checkpoint 1 of every key, by one owner. */
  async function firstCheckpoint(jobId: string): Promise<CompletedCheckpoint> {
    const writer = await backend.createKeyedStateBackend(parameters(jobId), { restoreFrom: 'none' });
    for (const key of KEYS) await write(writer, key, stored(key));
    const completed = await writer.snapshot(1);
    await writer.dispose();
    return completed;
  }

  /** A storage of `jobId` holding the GET of the first key group's block. */
  async function holdingFirstBlock(jobId: string, checkpoint: CompletedCheckpoint) {
    const holding = new HoldingCheckpointStorage(backend.storageFor(jobId, 'op'));
    const at = await blockOffset(holding, checkpoint.metadata.files, firstKeyGroup);
    if (at === undefined) throw new Error('no block of the first key group');
    holding.hold(at.path, at.offset);
    return holding;
  }

  /** Every key's value as an eager restore of the latest checkpoint sees it (at parallelism 1). */
  async function restoredValues(jobId: string): Promise<Record<string, string>> {
    const reader = await backend.createKeyedStateBackend(parameters(jobId), { restoreMode: 'eager' });
    const seen: Record<string, string> = {};
    for (const key of KEYS) seen[key] = await read(reader, key);
    await reader.dispose();
    return seen;
  }

  /** Whether `backend` still loads key groups now. */
  async function stillLoading(backend: Backend): Promise<boolean> {
    let loaded = false;
    void backend.whenRestored().then(
      () => {
        loaded = true;
      },
      () => undefined,
    );
    await Promise.resolve();
    return !loaded;
  }

  it('takes an incremental checkpoint while key groups are still loading; it restores exactly and references the restored files', async () => {
    const checkpoint = await firstCheckpoint('loading-checkpoint');
    const holding = await holdingFirstBlock('loading-checkpoint', checkpoint);
    const restored = await lazily('loading-checkpoint', { storage: holding });
    const changed = keyIn(lastKeyGroup);
    await write(restored, changed, 'changed');
    await holding.whenHeld();
    expect(await stillLoading(restored)).toBe(true);
    const snapshot = restored.snapshot(2);
    holding.release();
    const completed = await snapshot;
    await restored.dispose();
    // Untouched key groups stay in checkpoint 1's file; only the changed one is uploaded.
    expect(completed.metadata.files.some((f) => f.checkpointId === 1)).toBe(true);
    expect(completed.bytesWritten).toBeLessThan(checkpoint.bytesWritten / 10);
    expect(await restoredValues('loading-checkpoint')).toEqual(everyKey({ [changed]: 'changed' }));
  });

  it('rescales while loading: two new owners claim the range from one still loading, which is fenced; both restore every key exactly', async () => {
    const checkpoint = await firstCheckpoint('loading-rescale');
    const holding = await holdingFirstBlock('loading-rescale', checkpoint);
    const old = await lazily('loading-rescale', { storage: holding });
    await holding.whenHeld();
    expect(await stillLoading(old)).toBe(true);
    const owners = await Promise.all(
      [0, 1].map((index) => lazily('loading-rescale', { parallelism: 2, index })),
    );
    for (const key of KEYS) {
      const owner = owners[owners[0]?.keyGroupRange.contains(keyGroupOf(key)) ? 0 : 1] as Backend;
      expect(await read(owner, key)).toBe(stored(key));
    }
    const fenced = old.snapshot(2);
    holding.release();
    await expect(fenced).rejects.toBeInstanceOf(FencedError);
    await old.dispose();
    await Promise.all(owners.map((owner) => owner.snapshot(2)));
    for (const owner of owners) await owner.dispose();
    expect(await restoredValues('loading-rescale')).toEqual(everyKey());
  });

  it('survives a crash while loading: the next owner restores exactly; the dropped one can never checkpoint', async () => {
    const checkpoint = await firstCheckpoint('loading-crash');
    const holding = await holdingFirstBlock('loading-crash', checkpoint);
    const dropped = await lazily('loading-crash', { storage: holding });
    await write(dropped, keyIn(lastKeyGroup), 'never checkpointed');
    await holding.whenHeld();
    expect(await stillLoading(dropped)).toBe(true);
    // Never disposed: the next owner claims the range, as after a killed process.
    const next = await lazily('loading-crash');
    for (const key of KEYS) expect(await read(next, key)).toBe(stored(key));
    await next.snapshot(2);
    await next.dispose();
    holding.release();
    // The held read goes on once released. The next owner's checkpoint may have retired checkpoint 1
    // by then: the dropped owner's key groups still loading then fail with the typed error.
    const loading = await dropped.whenRestored().then(
      () => undefined,
      (error: unknown) => error,
    );
    if (loading !== undefined) expect(loading).toBeInstanceOf(CheckpointChangedError);
    await expect(dropped.snapshot(3)).rejects.toBeInstanceOf(
      loading === undefined ? FencedError : CheckpointChangedError,
    );
    await dropped.dispose();
    expect(await restoredValues('loading-crash')).toEqual(everyKey());
  });

  it('rescales lazily reading only the data file that holds each new range, by ranged GETs', async () => {
    const writers = await Promise.all(
      [0, 1].map((index) =>
        backend.createKeyedStateBackend(
          parameters('lazy-rescale', computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, 2, index)),
        ),
      ),
    );
    const ownerOf = (key: string) => (writers[0]?.keyGroupRange.contains(keyGroupOf(key)) ? 0 : 1);
    for (const key of KEYS.slice(0, 400)) await write(writers[ownerOf(key)] as Backend, key, stored(key));
    const completed = await Promise.all(writers.map((w) => w.snapshot(1)));
    await Promise.all(writers.map((w) => w.dispose()));
    for (let index = 0; index < 4; index++) {
      const recording = new HoldingCheckpointStorage(backend.storageFor('lazy-rescale', 'op'));
      const part = await lazily('lazy-rescale', { storage: recording, parallelism: 4, index });
      for (const key of KEYS.slice(0, 400).filter((k) => part.keyGroupRange.contains(keyGroupOf(k))))
        expect(await read(part, key)).toBe(stored(key));
      await part.whenRestored();
      await part.dispose();
      // The writer that held this quarter wrote the only data file read, and it was read by range.
      const files = completed[index < 2 ? 0 : 1]?.metadata.files.map((f) => f.path) ?? [];
      const dataReads = new Set(recording.rangedReads);
      expect([...dataReads]).toEqual(files);
      expect(recording.wholeReads.filter((path) => files.includes(path))).toEqual([]);
    }
  });
});
