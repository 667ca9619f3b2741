import { HoldingCheckpointStorage } from '@statebackend/testkit';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  type CheckpointStorage,
  computeKeyGroupRangeForOperatorIndex,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from './fixtures.js';
import { TEST_PARAMETERS } from './helpers.js';
import { keyGroupOf } from './key-group-of.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const values = new ValueStateDescriptor('values', Serializers.string, '');
const KEYS = Array.from({ length: 200 }, (_, i) => `key-${i}`);

// Retention of one writer (W) racing a new owner (N) of a fenced writer's (X) key groups: N's
// lazily restored checkpoint carries X's file F by reference. W lists the commit records (X's
// checkpoint 1 among them, the only one referencing F then); before W reads it, N commits
// checkpoint 2 (referencing F) and N's retention deletes X's checkpoint 1. W then finds X's record
// gone: F must still be taken as referenced, since newer records (not in W's listing) may carry it.
describe('retention racing a commit that carries a fenced writer file', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const local = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });

  const open = (index: number, storage: CheckpointStorage, restore: boolean): Promise<Backend> =>
    new CheckpointingHeapBackendBuilder(
      { ...TEST_PARAMETERS, keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, 2, index) },
      {
        checkpointStorage: storage,
        incremental: true,
        retainedCheckpoints: 1,
        ...(restore ? { restoreFrom: 'latest' as const, restore: { mode: 'lazy' as const } } : {}),
      },
    ).build();

  const keysOf = (owner: Backend) => KEYS.filter((k) => owner.keyGroupRange.contains(keyGroupOf(k)));

  /** Writes `key@id` for each of `keys` and records it in `expected`. */
  async function write(owner: Backend, keys: readonly string[], id: number, expected: Map<string, string>) {
    for (const key of keys) {
      await owner.withKey(key, (ctx) => ctx.getState(values).update(`${key}@${id}`));
      expected.set(key, `${key}@${id}`);
    }
  }

  it.each([
    ["X's checkpoint 1, which N restored", false],
    ["N's own checkpoint 2, which carried it", true],
  ] as const)(
    'keeps the file when the record that referenced it (%s) is gone by the time it is read',
    async (_, ownRecord) => {
      const held = new HoldingCheckpointStorage(local());
      const x = await open(0, local(), false);
      const w = await open(1, held, false);
      const expected = new Map<string, string>();
      await write(x, keysOf(x), 1, expected);
      await write(w, keysOf(w), 1, expected);
      await Promise.all([x.snapshot(1), w.snapshot(1)]);
      await Promise.all([x.notifyCheckpointComplete(1), w.notifyCheckpointComplete(1)]);
      await x.dispose();

      // N claims X's range (X is fenced: its files are candidates of any writer's retention) and
      // restores checkpoint 1 lazily. Each checkpoint of N touches one key group only: the others
      // stay in X's files, referenced.
      const n = await open(0, local(), true);
      const nKeys = keysOf(n);
      let id = 2;
      if (ownRecord) {
        // N's checkpoint 2 carries X's files, and its retention deletes X's checkpoint 1 now.
        await write(n, nKeys.slice(0, 1), id, expected);
        await n.snapshot(id);
        await n.notifyCheckpointComplete(id);
        id++;
      }
      const raced = (await local().listCommitted()).find((c) => c.keyGroupRange.startKeyGroup === 0);
      if (raced === undefined) throw new Error('no commit record of key group 0');

      // W's pass after its next checkpoint lists that record and holds on reading it.
      held.hold(raced.path, 'whole');
      await write(w, keysOf(w), id, expected);
      await w.snapshot(id);
      await held.whenHeld();

      // Meanwhile N commits the same checkpoint; once it completed, N's retention deletes the
      // record W is about to read.
      await write(n, nKeys.slice(1, 2), id, expected);
      await n.snapshot(id);
      await n.notifyCheckpointComplete(id);
      expect((await local().listCommitted()).map((c) => c.path)).not.toContain(raced.path);

      held.release();
      await w.notifyCheckpointComplete(id);
      await n.dispose();
      await w.dispose();

      // The latest checkpoint is restorable whole, with every value.
      const reader = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
        checkpointStorage: local(),
        restoreFrom: 'latest',
        restore: { mode: 'eager' },
        keepHistory: true,
      }).build();
      try {
        for (const key of KEYS)
          expect(await reader.withKey(key, (ctx) => ctx.getState(values).value())).toBe(expected.get(key));
      } finally {
        await reader.dispose();
      }
    },
  );
});
