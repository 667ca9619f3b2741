import type { S3Client } from '@aws-sdk/client-s3';
import {
  type CheckpointingHeapKeyedStateBackend,
  computeKeyGroupRangeForOperatorIndex,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { decodeCheckpointMetadata } from '@statebackend/aws-base/spi';
import { cleanupAfterAll, describeEachTarget, RecordingCheckpointStorage } from '@statebackend/testkit';
import type { S3StateBackend } from '../../src/index.js';
import { keyGroupOf } from '../support/key-group-of.js';
import { MAX_PARALLELISM, parameters, s3StateBackend } from '../support/s3-backend.js';
import { createBucket, s3ClientFor } from '../support/s3-bucket.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const values = new ValueStateDescriptor('values', Serializers.string, '');
const KEYS = Array.from({ length: 400 }, (_, i) => `key-${i}`);
const WRITERS = 4;
const ROUNDS = 4;

// Issue 17 item 2 on S3: a writer's retention GETs only commit records it does not know yet (its
// own commits and those its restore read are known), and only while one may reference a file it
// could delete; before, every pass read every retained record of every writer.
describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  let s3: S3Client;
  let backend: S3StateBackend;

  beforeAll(async () => {
    s3 = s3ClientFor(target, cleanup);
    const bucket = await createBucket(s3, target, cleanup, 's3-retention-reads');
    backend = s3StateBackend(target, s3, bucket);
    cleanup.add('S3 state backend', () => backend.close());
  });

  const open = (parallelism: number, index: number, storage: RecordingCheckpointStorage, restore: boolean) =>
    backend.createKeyedStateBackend(
      parameters(
        'retention-reads',
        computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, parallelism, index),
      ),
      { storage, retainedCheckpoints: 2, restoreFrom: restore ? 'latest' : 'none', restoreMode: 'lazy' },
    );
  const keysOf = (owner: Backend) =>
    KEYS.filter((k) => owner.keyGroupRange.contains(keyGroupOf(k))).slice(0, 5);

  /** Each owner writes its keys and checkpoints `id`; every owner is told it completed. */
  async function round(owners: readonly Backend[], id: number): Promise<void> {
    for (const owner of owners)
      for (const key of keysOf(owner))
        await owner.withKey(key, (ctx) => ctx.getState(values).update(`${key}@${id}`));
    await Promise.all(owners.map((owner) => owner.snapshot(id)));
    await Promise.all(owners.map((owner) => owner.notifyCheckpointComplete(id)));
  }
  /** GETs of commit records, through every recording, since the last reset. */
  const recordReads = (recordings: readonly RecordingCheckpointStorage[]) =>
    recordings.reduce((sum, r) => sum + r.readsOf((path) => path.includes('_metadata')), 0);

  it('reads no commit record while no writer is fenced, each at most once after a rescale, and keeps exactly what is referenced', async () => {
    const storage = () => backend.storageFor('retention-reads', 'op');
    const recordings = Array.from({ length: WRITERS }, () => new RecordingCheckpointStorage(storage()));
    const owners = await Promise.all(recordings.map((r, index) => open(WRITERS, index, r, false)));
    const perRound: number[] = [];
    for (let id = 1; id <= ROUNDS; id++) {
      await round(owners, id);
      perRound.push(recordReads(recordings));
      for (const r of recordings) r.reset();
    }
    const expected = new Map<string, string>();
    for (const owner of owners) for (const key of keysOf(owner)) expected.set(key, `${key}@${ROUNDS}`);
    for (const owner of owners) await owner.dispose();

    const rescaled = Array.from({ length: 2 }, () => new RecordingCheckpointStorage(storage()));
    const next = await Promise.all(rescaled.map((r, index) => open(2, index, r, true)));
    for (const r of rescaled) r.reset();
    const afterRescale: number[] = [];
    /** Per owner, the commit records its retention read. */
    const readBy = rescaled.map(() => [] as string[]);
    for (let id = ROUNDS + 1; id <= ROUNDS + 3; id++) {
      await round(next, id);
      afterRescale.push(recordReads(rescaled));
      rescaled.forEach((r, i) => {
        readBy[i]?.push(
          ...r.reads.filter((read) => read.path.includes('_metadata')).map((read) => read.path),
        );
        r.reset();
      });
    }
    for (const owner of next) for (const key of keysOf(owner)) expected.set(key, `${key}@${ROUNDS + 3}`);
    for (const owner of next) await owner.dispose();

    console.log(
      `${target.name}: commit records read by retention per round: ${perRound.join(', ')} (${WRITERS} writers); ` +
        `after a rescale to 2: ${afterRescale.join(', ')}`,
    );
    expect(perRound.every((n) => n === 0)).toBe(true);
    // After the rescale: only records neither its commits nor its restore gave it, each once.
    for (const paths of readBy) expect(paths.length).toBe(new Set(paths).size);

    // Every key restores as last written; every file left is referenced, every referenced file is there.
    const reader = await backend.createKeyedStateBackend(parameters('retention-reads'), {
      restoreMode: 'eager',
    });
    for (const key of KEYS)
      expect(await reader.withKey(key, (ctx) => ctx.getState(values).value())).toBe(expected.get(key) ?? '');
    await reader.dispose();
    const s3Storage = storage();
    const referenced = new Set<string>();
    for (const c of await s3Storage.listCommitted()) {
      const metadata = decodeCheckpointMetadata(c.path, await s3Storage.readFile(c.path));
      for (const file of metadata.files) referenced.add(file.path);
    }
    const left = (await s3Storage.listFiles()).map((f) => f.path);
    expect(left.filter((path) => !referenced.has(path))).toEqual([]);
    expect([...referenced].filter((path) => !left.includes(path))).toEqual([]);
  });
});
