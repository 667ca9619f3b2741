import { RecordingCheckpointStorage } from '@statebackend/testkit';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  computeKeyGroupRangeForOperatorIndex,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { decodeCheckpointMetadata } from '../../../src/spi.js';
import { temporaryDirectory } from './fixtures.js';
import { TEST_PARAMETERS } from './helpers.js';
import { keyGroupOf } from './key-group-of.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const values = new ValueStateDescriptor('values', Serializers.string, '');
const KEYS = Array.from({ length: 400 }, (_, i) => `key-${i}`);
const WRITERS = 4;
const ROUNDS = 6;

// Issue 17 item 2: retention reads only the commit records it does not know yet (its own commits
// and those its restore read are known) and only those that may reference a file it could
// delete, so its reads no longer grow with writers x checkpoints.
describe('retention reads', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });

  async function open(
    parallelism: number,
    index: number,
    recording: RecordingCheckpointStorage,
    restore: boolean,
  ) {
    return new CheckpointingHeapBackendBuilder(
      {
        ...TEST_PARAMETERS,
        keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, parallelism, index),
      },
      {
        checkpointStorage: recording,
        incremental: true,
        retainedCheckpoints: 2,
        ...(restore ? { restoreFrom: 'latest' as const } : {}),
      },
    ).build();
  }

  /** Each owner writes its keys and checkpoints `id`; then every owner is told it completed. */
  async function round(owners: readonly Backend[], id: number): Promise<void> {
    for (const owner of owners) {
      for (const key of KEYS.filter((k) => owner.keyGroupRange.contains(keyGroupOf(k))).slice(0, 5))
        await owner.withKey(key, (ctx) => ctx.getState(values).update(`${key}@${id}`));
    }
    await Promise.all(owners.map((owner) => owner.snapshot(id)));
    await Promise.all(owners.map((owner) => owner.notifyCheckpointComplete(id)));
  }

  /** Reads of commit records, by every recording. */
  const recordReads = (recordings: readonly RecordingCheckpointStorage[]) =>
    recordings.reduce((sum, r) => sum + r.readsOf((path) => path.includes('_metadata')), 0);

  it('reads each commit record once at most, none of its own or that its restore read, and keeps what is referenced', async () => {
    const recordings = Array.from({ length: WRITERS }, () => new RecordingCheckpointStorage(storage()));
    const owners = await Promise.all(recordings.map((r, index) => open(WRITERS, index, r, false)));
    const perRound: number[] = [];
    for (let id = 1; id <= ROUNDS; id++) {
      await round(owners, id);
      perRound.push(recordReads(recordings));
      for (const r of recordings) r.reset();
    }
    for (const owner of owners) await owner.dispose();

    // Rescale to 2 owners, restored lazily from the 4 writers' checkpoint: their files are now
    // fenced writers' files, still referenced, which either owner's retention may delete.
    const rescaled = Array.from({ length: 2 }, () => new RecordingCheckpointStorage(storage()));
    const next = await Promise.all(rescaled.map((r, index) => open(2, index, r, true)));
    for (const r of rescaled) r.reset();
    const afterRescale: number[] = [];
    /** Per owner, the commit records its retention read. */
    const readBy = rescaled.map(() => [] as string[]);
    for (let id = ROUNDS + 1; id <= ROUNDS + 4; id++) {
      await round(next, id);
      afterRescale.push(recordReads(rescaled));
      rescaled.forEach((r, i) => {
        readBy[i]?.push(
          ...r.reads.filter((read) => read.path.includes('_metadata')).map((read) => read.path),
        );
        r.reset();
      });
    }
    for (const owner of next) await owner.dispose();

    console.log(
      `commit records read by retention per round: ${perRound.join(', ')} (${WRITERS} writers); ` +
        `after a rescale to 2: ${afterRescale.join(', ')}`,
    );
    // Its own commits are known: nothing is read while no writer is fenced.
    expect(perRound.every((n) => n === 0)).toBe(true);
    // After the rescale: only records neither its commits nor its restore gave it, each once.
    for (const paths of readBy) expect(paths.length).toBe(new Set(paths).size);

    // Nothing referenced was lost, and the files of the 4 writers went once no longer referenced.
    const reader = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: storage(),
      restoreFrom: 'latest',
      restore: { mode: 'eager' },
      keepHistory: true,
    }).build();
    const written = new Map<string, string>();
    for (const key of KEYS) {
      const owner = [0, 1, 2, 3].find((i) =>
        computeKeyGroupRangeForOperatorIndex(128, WRITERS, i).contains(keyGroupOf(key)),
      ) as number;
      const ownerKeys = KEYS.filter((k) =>
        computeKeyGroupRangeForOperatorIndex(128, WRITERS, owner).contains(keyGroupOf(k)),
      ).slice(0, 5);
      const newOwner = keyGroupOf(key) < 64 ? 0 : 1;
      const newOwnerKeys = KEYS.filter((k) => (keyGroupOf(k) < 64 ? 0 : 1) === newOwner).slice(0, 5);
      if (newOwnerKeys.includes(key)) written.set(key, `${key}@${ROUNDS + 4}`);
      else if (ownerKeys.includes(key)) written.set(key, `${key}@${ROUNDS}`);
    }
    for (const key of KEYS)
      expect(await reader.withKey(key, (ctx) => ctx.getState(values).value())).toBe(written.get(key) ?? '');
    await reader.dispose();
    // Every file left is referenced by a retained checkpoint, and every referenced file is there.
    const local = storage();
    const referenced = new Set<string>();
    for (const c of await local.listCommitted()) {
      const metadata = decodeCheckpointMetadata(c.path, await local.readFile(c.path));
      for (const file of metadata.files) referenced.add(file.path);
    }
    const left = (await local.listFiles()).map((f) => f.path);
    expect(left.filter((path) => !referenced.has(path))).toEqual([]);
    expect([...referenced].filter((path) => !left.includes(path))).toEqual([]);
  });
});
