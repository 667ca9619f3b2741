import { blockOffset, HoldingCheckpointStorage, RecordingCheckpointStorage } from '@statebackend/testkit';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  type CompletedCheckpoint,
  type KeyGroupRange,
  LocalCheckpointStorage,
  type RestoreOptions,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from '../checkpoint/fixtures.js';
import { TEST_PARAMETERS } from '../checkpoint/helpers.js';
import { keyGroupOf } from '../checkpoint/key-group-of.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const values = new ValueStateDescriptor('values', Serializers.string, '');
// Every eighth key group stays empty. Enough bytes that blocks lie before the 64 KiB tail an open
// reads, so that their reads can be held.
const KEYS = Array.from({ length: 3000 }, (_, i) => `key-${i}`).filter((k) => keyGroupOf(k) % 8 !== 7);
const stored = (key: string, round = 1) => `${key}:${round}:${'x'.repeat(100)}`;
const keyGroups = [...new Set(KEYS.map((k) => keyGroupOf(k)))].sort((a, b) => a - b);
const firstKeyGroup = keyGroups[0] as number;
const lastKeyGroup = keyGroups[keyGroups.length - 1] as number;
const middleKeyGroup = keyGroups[Math.floor(keyGroups.length / 2)] as number;
const keyIn = (keyGroup: number) => KEYS.find((k) => keyGroupOf(k) === keyGroup) as string;
/** A key of an empty key group: a record of it waits for no read. */
const freshKey = Array.from({ length: 1000 }, (_, i) => `fresh-${i}`).find(
  (k) => keyGroupOf(k) % 8 === 7,
) as string;
/**
 * Checkpoint 2 changes one key in every tenth key group: what is restored is an incremental
 * checkpoint, its deltas over checkpoint 1's files.
 */
const changedIn2 = new Set(keyGroups.filter((_, i) => i % 10 === 3).map(keyIn));

const read = (backend: Backend, key: string) => backend.withKey(key, (ctx) => ctx.getState(values).value());
const write = (backend: Backend, key: string, value: string) =>
  backend.withKey(key, (ctx) => ctx.getState(values).update(value));

/** When the checkpoint after the restore is taken. */
type Loading = 'finished' | 'in progress' | 'not started';
/** What happened to state since the restore: nothing, one key written, or one key only read. */
type Touch = 'none' | 'written' | 'read';

function countKeyGroups(ranges: readonly KeyGroupRange[]): number[] {
  return ranges.flatMap((r) => Array.from({ length: r.size }, (_, i) => r.startKeyGroup + i));
}

// Issue 17 item 1: after a lazy restore, a key group not changed since is carried into the next
// checkpoint by reference (never decoded, never uploaded again), whatever the background loading
// had done when the checkpoint was taken and whenever the state was registered.
describe('lazy restore: untouched key groups are carried by reference', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });

  /** Checkpoint 1 of every key, then incremental checkpoint 2 (deltas) changing a key in a tenth of the key groups. */
  async function incrementalHistory(): Promise<CompletedCheckpoint> {
    const writer = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: storage(),
      incremental: true,
      retainedCheckpoints: 2,
    }).build();
    for (const key of KEYS) await write(writer, key, stored(key));
    await writer.snapshot(1);
    for (const key of changedIn2) await write(writer, key, stored(key, 2));
    const second = await writer.snapshot(2);
    await writer.dispose();
    return second;
  }
  const expectedAfter2 = (key: string) => stored(key, changedIn2.has(key) ? 2 : 1);

  async function restoredValues(id: number): Promise<Record<string, string>> {
    const reader = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: storage(),
      restoreFrom: { checkpointId: id },
      restore: { mode: 'eager' },
      keepHistory: true,
    }).build();
    const seen: Record<string, string> = {};
    for (const key of [...KEYS, freshKey]) seen[key] = await read(reader, key);
    await reader.dispose();
    return seen;
  }

  for (const loading of ['finished', 'in progress', 'not started'] as const) {
    for (const touch of ['none', 'written', 'read'] as const) {
      for (const registered of ['at build', 'by the first record'] as const) {
        it(`loading ${loading}, ${touch === 'none' ? 'nothing touched' : `one key ${touch}`}, state registered ${registered}: only what changed is uploaded`, async () => {
          await check(loading, touch, registered);
        });
      }
    }
  }

  async function check(loading: Loading, touch: Touch, registered: 'at build' | 'by the first record') {
    const second = await incrementalHistory();
    expect(second.snapshotType).toBe('incremental');
    expect(second.metadata.files.some((f) => f.checkpointId === 1)).toBe(true);
    expect(second.metadata.files.some((f) => f.checkpointId === 2 && f.delta === true)).toBe(true);
    const holding = new HoldingCheckpointStorage(storage());
    const recording = new RecordingCheckpointStorage(holding);
    // Not started: the background reads every key group in one read, held. In progress: it reads
    // them in small batches, and the one of the middle key group is held.
    const held = loading === 'not started' ? firstKeyGroup : middleKeyGroup;
    const restore: RestoreOptions =
      loading === 'not started'
        ? { mode: 'lazy', concurrency: 1, maxBytesInFlight: 64 * 1024 * 1024 }
        : { mode: 'lazy', concurrency: 2, maxBytesInFlight: 16 * 1024 };
    if (loading !== 'finished') {
      const at = await blockOffset(storage(), second.metadata.files, held);
      if (at === undefined) throw new Error(`no block of key group ${held}`);
      holding.hold(at.path, at.offset);
    }
    const backend = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: recording,
      incremental: true,
      restoreFrom: 'latest',
      restore,
      ...(registered === 'at build' ? { states: [{ descriptor: values }] } : {}),
    }).build();
    if (loading === 'finished') await backend.whenRestored();
    else await holding.whenHeld();
    // The key a record touches: one whose key group can load while the background is held.
    const key = loading === 'not started' ? freshKey : keyIn(lastKeyGroup);
    if (touch === 'written') await write(backend, key, 'changed');
    if (touch === 'read')
      expect(await read(backend, key)).toBe(loading === 'not started' ? '' : expectedAfter2(key));
    let loaded = false;
    void backend.whenRestored().then(
      () => {
        loaded = true;
      },
      () => undefined,
    );
    await Promise.resolve();
    expect(loaded).toBe(loading === 'finished');
    recording.reset();
    const snapshot = backend.snapshot(3);
    holding.release();
    const third = await snapshot;
    await backend.dispose();

    const touchedKeyGroup = keyGroupOf(key);
    const written = third.metadata.files.filter((f) => f.checkpointId === 3);
    const uploadedKeyGroups = written.flatMap((f) => countKeyGroups(f.keyGroups));
    expect(uploadedKeyGroups).toEqual(touch === 'written' ? [touchedKeyGroup] : []);
    expect(recording.writesOf(3).length).toBe(touch === 'written' ? 1 : 0);
    // Every other key group is referenced where checkpoints 1 and 2 put it.
    const referenced = third.metadata.files
      .filter((f) => f.checkpointId < 3 && f.delta !== true)
      .flatMap((f) => countKeyGroups(f.keyGroups));
    expect(referenced.filter((kg) => kg === touchedKeyGroup && touch === 'written')).toEqual([]);
    for (const keyGroup of keyGroups.filter((kg) => touch !== 'written' || kg !== touchedKeyGroup))
      expect(referenced).toContain(keyGroup);
    expect(third.bytesWritten).toBeLessThan(second.stateSize / 50);

    const expected = Object.fromEntries(KEYS.map((k) => [k, expectedAfter2(k)]));
    expected[freshKey] = '';
    if (touch === 'written') expected[key] = 'changed';
    expect(await restoredValues(3)).toEqual(expected);
  }
});
