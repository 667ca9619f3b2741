import type { S3Client } from '@aws-sdk/client-s3';
import {
  type CheckpointingHeapKeyedStateBackend,
  type CompletedCheckpoint,
  type KeyGroupRange,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import {
  blockOffset,
  cleanupAfterAll,
  describeEachTarget,
  HoldingCheckpointStorage,
  RecordingCheckpointStorage,
} from '@statebackend/testkit';
import type { S3StateBackend } from '../../src/index.js';
import { keyGroupOf } from '../support/key-group-of.js';
import { parameters, s3StateBackend } from '../support/s3-backend.js';
import { createBucket, listKeys, s3ClientFor } from '../support/s3-bucket.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const values = new ValueStateDescriptor('values', Serializers.string, '');
// Every eighth key group stays empty. About 3 MB stored uncompressed: less than one read of a
// lazy restore at concurrency 1 (4 MiB), six of them at concurrency 8.
const KEYS = Array.from({ length: 3000 }, (_, i) => `key-${i}`).filter((k) => keyGroupOf(k) % 8 !== 7);
const stored = (key: string, round = 1) => `${key}:${round}:${'x'.repeat(1000)}`;
const keyGroups = [...new Set(KEYS.map(keyGroupOf))].sort((a, b) => a - b);
const firstKeyGroup = keyGroups[0] as number;
const lastKeyGroup = keyGroups[keyGroups.length - 1] as number;
const middleKeyGroup = keyGroups[Math.floor(keyGroups.length / 2)] as number;
const keyIn = (keyGroup: number) => KEYS.find((k) => keyGroupOf(k) === keyGroup) as string;
/** A key of an empty key group: a record of it waits for no read. */
const freshKey = Array.from({ length: 1000 }, (_, i) => `fresh-${i}`).find(
  (k) => keyGroupOf(k) % 8 === 7,
) as string;
/** Checkpoint 2 changes one key in every tenth key group: deltas over checkpoint 1's file. */
const changedIn2 = new Set(keyGroups.filter((_, i) => i % 10 === 3).map(keyIn));
const expectedAfter2 = (key: string) => stored(key, changedIn2.has(key) ? 2 : 1);

const read = (backend: Backend, key: string) => backend.withKey(key, (ctx) => ctx.getState(values).value());
const write = (backend: Backend, key: string, value: string) =>
  backend.withKey(key, (ctx) => ctx.getState(values).update(value));
const keyGroupsOf = (ranges: readonly KeyGroupRange[]) =>
  ranges.flatMap((r) => Array.from({ length: r.size }, (_, i) => r.startKeyGroup + i));

type Loading = 'finished' | 'in progress' | 'not started';
type Touch = 'none' | 'written' | 'read';

// Issue 17 item 1 on S3: after a lazy restore from an incremental checkpoint, the next checkpoint
// uploads only the key groups changed since; the others are referenced where they are, whatever
// the background loading had done and whenever the state was registered. What is uploaded is
// counted at the storage and in the bucket.
describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  let s3: S3Client;
  let bucket: string;
  /** Restores reading every key group in one ranged GET (concurrency 1), or in batches (8). */
  const backends = new Map<number, S3StateBackend>();

  beforeAll(async () => {
    s3 = s3ClientFor(target, cleanup);
    bucket = await createBucket(s3, target, cleanup, 's3-lazy-ref');
    for (const restoreConcurrency of [1, 8]) {
      const backend = s3StateBackend(target, s3, bucket, { compression: 'none', restoreConcurrency });
      backends.set(restoreConcurrency, backend);
      cleanup.add('S3 state backend', () => backend.close());
    }
  });
  const backendOf = (concurrency: number) => backends.get(concurrency) as S3StateBackend;

  /** Checkpoint 1 of every key, then incremental checkpoint 2 with deltas. */
  async function incrementalHistory(jobId: string): Promise<CompletedCheckpoint> {
    const writer = await backendOf(8).createKeyedStateBackend(parameters(jobId), {
      restoreFrom: 'none',
      retainedCheckpoints: 2,
    });
    for (const key of KEYS) await write(writer, key, stored(key));
    await writer.snapshot(1);
    for (const key of changedIn2) await write(writer, key, stored(key, 2));
    const second = await writer.snapshot(2);
    await writer.dispose();
    return second;
  }

  async function restoredValues(jobId: string): Promise<Record<string, string>> {
    const reader = await backendOf(8).createKeyedStateBackend(parameters(jobId), { restoreMode: 'eager' });
    const seen: Record<string, string> = {};
    for (const key of [...KEYS, freshKey]) seen[key] = await read(reader, key);
    await reader.dispose();
    return seen;
  }

  let run = 0;
  for (const loading of ['finished', 'in progress', 'not started'] as const) {
    for (const touch of ['none', 'written', 'read'] as const) {
      for (const registered of ['at build', 'by the first record'] as const) {
        it(`loading ${loading}, ${touch === 'none' ? 'nothing touched' : `one key ${touch}`}, state registered ${registered}: only what changed is uploaded`, async () => {
          await check(`lazy-ref-${++run}`, loading, touch, registered);
        });
      }
    }
  }

  async function check(
    jobId: string,
    loading: Loading,
    touch: Touch,
    registered: 'at build' | 'by the first record',
  ): Promise<void> {
    const second = await incrementalHistory(jobId);
    expect(second.metadata.files.some((f) => f.checkpointId === 2 && f.delta === true)).toBe(true);
    // Not started: the background reads every key group in one held GET. In progress: in
    // batches, and the one of the middle key group is held.
    const backend = backendOf(loading === 'not started' ? 1 : 8);
    const holding = new HoldingCheckpointStorage(backend.storageFor(jobId, 'op'));
    const recording = new RecordingCheckpointStorage(holding);
    if (loading !== 'finished') {
      const held = loading === 'not started' ? firstKeyGroup : middleKeyGroup;
      const at = await blockOffset(holding, second.metadata.files, held);
      if (at === undefined) throw new Error(`no block of key group ${held}`);
      holding.hold(at.path, at.offset);
    }
    const restored = await backend.createKeyedStateBackend(parameters(jobId), {
      restoreMode: 'lazy',
      storage: recording,
      ...(registered === 'at build' ? { states: [{ descriptor: values }] } : {}),
    });
    if (loading === 'finished') await restored.whenRestored();
    else await holding.whenHeld();
    const key = loading === 'not started' ? freshKey : keyIn(lastKeyGroup);
    if (touch === 'written') await write(restored, key, 'changed');
    if (touch === 'read')
      expect(await read(restored, key)).toBe(loading === 'not started' ? '' : expectedAfter2(key));
    let loaded = false;
    void restored.whenRestored().then(
      () => {
        loaded = true;
      },
      () => undefined,
    );
    await Promise.resolve();
    expect(loaded).toBe(loading === 'finished');
    const sharedBefore = await listKeys(s3, bucket, `it/${jobId}/op/shared/`);
    recording.reset();
    const snapshot = restored.snapshot(3);
    holding.release();
    const third = await snapshot;
    await restored.dispose();

    const touched = keyGroupOf(key);
    const uploaded = third.metadata.files.filter((f) => f.checkpointId === 3);
    expect(uploaded.flatMap((f) => keyGroupsOf(f.keyGroups))).toEqual(touch === 'written' ? [touched] : []);
    expect(recording.writesOf(3).length).toBe(touch === 'written' ? 1 : 0);
    const sharedAfter = await listKeys(s3, bucket, `it/${jobId}/op/shared/`);
    expect(sharedAfter.filter((k) => !sharedBefore.includes(k)).length).toBe(touch === 'written' ? 1 : 0);
    // Every other key group is referenced in the files of checkpoints 1 and 2.
    const referenced = third.metadata.files
      .filter((f) => f.checkpointId < 3 && f.delta !== true)
      .flatMap((f) => keyGroupsOf(f.keyGroups));
    for (const keyGroup of keyGroups.filter((kg) => touch !== 'written' || kg !== touched))
      expect(referenced).toContain(keyGroup);
    expect(third.bytesWritten).toBeLessThan(second.stateSize / 50);

    const expected = Object.fromEntries(KEYS.map((k) => [k, expectedAfter2(k)]));
    expected[freshKey] = '';
    if (touch === 'written') expected[key] = 'changed';
    expect(await restoredValues(jobId)).toEqual(expected);
  }
});
