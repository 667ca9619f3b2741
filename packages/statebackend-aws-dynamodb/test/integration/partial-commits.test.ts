import { KeyGroupRange, Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { DynamoDbStateBackend, type DynamoDbStateStore, listCheckpoints } from '../../src/index.js';
import { bytes, storeFixture, text, valueRef } from './support/store-fixture.js';

const KEYS = Array.from({ length: 40 }, (_, i) => `key-${i}`);
const LEFT = KeyGroupRange.of(0, 63);
const RIGHT = KeyGroupRange.of(64, 127);
const WHOLE = KeyGroupRange.of(0, 127);

async function writeRound(store: DynamoDbStateStore, round: number, range: KeyGroupRange): Promise<void> {
  for (const key of KEYS) {
    const ref = valueRef('v', key);
    if (range.contains(ref.keyGroup)) await store.put(ref, bytes(`${key}@${round}`));
  }
}

async function wrongCells(store: DynamoDbStateStore, round: number, range: KeyGroupRange): Promise<string[]> {
  const wrong: string[] = [];
  for (const key of KEYS) {
    const ref = valueRef('v', key);
    if (!range.contains(ref.keyGroup)) continue;
    const got = text(await store.get(ref));
    if (got !== `${key}@${round}`) wrong.push(`${key}: got ${got} want ${key}@${round}`);
  }
  return wrong;
}

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);
  beforeAll(async () => (await fixture.open({ scope: 'create-table' })).close());
  const base = { skipTableCheck: true, cacheBytes: 4096 } as const;

  /** Restores at p=1 and at p=2 and checks every cell against round `round`. */
  async function expectRestorable(
    scope: string,
    options: object,
    startFrom: { kind: 'checkpoint'; checkpointId?: number },
    round: number,
  ): Promise<void> {
    const whole = await fixture.open({ ...base, ...options, scope, startFrom });
    expect(whole.restored.every((c) => c.checkpointId === round)).toBe(true);
    expect(await wrongCells(whole, round, WHOLE)).toEqual([]);
    await whole.close();
    for (const range of [LEFT, RIGHT]) {
      const half = await fixture.open({ ...base, ...options, scope, keyGroupRange: range, startFrom });
      expect(await wrongCells(half, round, range)).toEqual([]);
      await half.close();
    }
  }

  for (const mode of ['commit', 'notify'] as const) {
    it(`${mode} mode: a checkpoint only one subtask committed leaves the previous one restorable at any parallelism`, async () => {
      const scope = `partial/${mode}`;
      const options = { checkpointCompletion: mode };
      let left = await fixture.open({ ...base, ...options, scope, keyGroupRange: LEFT });
      let right = await fixture.open({ ...base, ...options, scope, keyGroupRange: RIGHT });
      for (let id = 1; id <= 2; id++) {
        await writeRound(left, id, LEFT);
        await writeRound(right, id, RIGHT);
        await left.snapshot(id);
        await right.snapshot(id);
        if (mode === 'notify') for (const s of [left, right]) await s.notifyCheckpointComplete(id);
      }
      if (mode === 'notify') {
        // The owners had just restored checkpoint 2.
        for (const s of [left, right]) await s.close();
        left = await fixture.open({
          ...base,
          ...options,
          scope,
          keyGroupRange: LEFT,
          startFrom: { kind: 'checkpoint' },
        });
        right = await fixture.open({
          ...base,
          ...options,
          scope,
          keyGroupRange: RIGHT,
          startFrom: { kind: 'checkpoint' },
        });
      }
      // Checkpoint 3: subtask 0 commits, subtask 1 crashes before its commit.
      await writeRound(left, 3, LEFT);
      await writeRound(right, 3, RIGHT);
      await left.snapshot(3);
      await writeRound(left, 4, LEFT); // flushed early by the small cache, in no checkpoint
      await left.close();
      await right.close();

      // The table alone says which checkpoint the job can restore.
      const listing = await listCheckpoints({ client: fixture.client, tableName: fixture.tableName, scope });
      expect(listing.newestComplete).toBe(2);
      expect(listing.checkpoints[0]).toMatchObject({ checkpointId: 3, complete: false, restorable: false });
      expect(listing.checkpoints[0]?.parts.map((p) => [p.start, p.end])).toEqual([[0, 63]]);
      expect(listing.checkpoints[1]).toMatchObject({ checkpointId: 2, complete: true, restorable: true });
      await expectRestorable(scope, options, { kind: 'checkpoint' }, 2);
      await expectRestorable(scope, options, { kind: 'checkpoint', checkpointId: 2 }, 2);
    });
  }

  it('retention after a restore keeps the restored lineage: retainedCheckpoints 3, restore 3, commit 4, then 2, 3 and 4 restore', async () => {
    const scope = 'partial/retained-after-restore';
    const options = { retainedCheckpoints: 3, cacheBytes: 2048 };
    const first = await fixture.open({ ...base, ...options, scope });
    for (let id = 1; id <= 3; id++) {
      await writeRound(first, id, WHOLE);
      await first.snapshot(id);
    }
    await first.close();
    const second = await fixture.open({ ...base, ...options, scope, startFrom: { kind: 'checkpoint' } });
    await writeRound(second, 4, WHOLE);
    await second.snapshot(4);
    await writeRound(second, 5, WHOLE);
    await second.close();
    for (const id of [2, 3, 4]) {
      const restored = await fixture.open({
        ...base,
        ...options,
        scope,
        startFrom: { kind: 'checkpoint', checkpointId: id },
      });
      expect(await wrongCells(restored, id, WHOLE)).toEqual([]);
      await restored.close();
    }
  });

  it('notify mode: a value of exactly limits.maxValueBytes never fails a later snapshot while notifications wait', async () => {
    const backend = new DynamoDbStateBackend(undefined, {
      client: fixture.client,
      table: { tableName: fixture.tableName },
      checkpointCompletion: 'notify',
    });
    const keyed = await backend.createCheckpointingKeyedStateBackend(
      {
        jobId: 'limits',
        operatorId: 'op',
        keyGroupRange: KeyGroupRange.of(0, 127),
        maxParallelism: 128,
        keySerializer: Serializers.string,
      },
      { checkpointCompletion: 'notify' },
    );
    const limit = keyed.limits.maxValueBytes ?? 0;
    const blob = new ValueStateDescriptor('blob', Serializers.bytes);
    for (let id = 1; id <= 5; id++) {
      await keyed.withKey('k', (ctx) => ctx.getState(blob).update(new Uint8Array(limit).fill(id)));
      await keyed.snapshot(id);
    }
    await keyed.notifyCheckpointComplete(5);
    expect(await keyed.withKey('k', async (ctx) => (await ctx.getState(blob).value())?.[0])).toBe(5);
    await keyed.dispose();
    await backend.close();
  });
});
