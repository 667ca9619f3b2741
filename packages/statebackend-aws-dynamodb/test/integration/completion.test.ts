import { CheckpointNotFoundError, KeyGroupRange, SnapshotAbortedError } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import type { DynamoDbStateStore } from '../../src/index.js';
import { bytes, storeFixture, text, valueRef } from './support/store-fixture.js';

const KEYS = Array.from({ length: 20 }, (_, i) => `key-${i}`);

async function writeRound(store: DynamoDbStateStore, round: number, range?: KeyGroupRange): Promise<void> {
  for (const key of KEYS) {
    const ref = valueRef('v', key);
    if (range === undefined || range.contains(ref.keyGroup)) await store.put(ref, bytes(`${key}@${round}`));
  }
}

async function readAll(store: DynamoDbStateStore, range?: KeyGroupRange): Promise<(string | undefined)[]> {
  const values: (string | undefined)[] = [];
  for (const key of KEYS) {
    const ref = valueRef('v', key);
    if (range === undefined || range.contains(ref.keyGroup)) values.push(text(await store.get(ref)));
  }
  return values;
}

const expected = (round: number, range?: KeyGroupRange) =>
  KEYS.filter((k) => range === undefined || range.contains(valueRef('v', k).keyGroup)).map(
    (k) => `${k}@${round}`,
  );

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);
  beforeAll(async () => (await fixture.open({ scope: 'create-table' })).close());
  const notify = { checkpointCompletion: 'notify', skipTableCheck: true, cacheBytes: 2048 } as const;

  it('notify mode: a committed checkpoint aborted everywhere is never restored, even after later early flushes', async () => {
    const left = KeyGroupRange.of(0, 63);
    const right = KeyGroupRange.of(64, 127);
    const a = await fixture.open({ ...notify, scope: 'aborted', keyGroupRange: left });
    const b = await fixture.open({ ...notify, scope: 'aborted', keyGroupRange: right });
    await writeRound(a, 1, left);
    await writeRound(b, 1, right);
    await a.snapshot(1);
    await b.snapshot(1);
    await a.notifyCheckpointComplete(1);
    await b.notifyCheckpointComplete(1);
    // Checkpoint 2 commits on the left only, then is aborted everywhere.
    await writeRound(a, 2, left);
    await writeRound(b, 2, right);
    await a.snapshot(2);
    // The left instance writes on (flushed early by its small cache) before hearing of the abort.
    await writeRound(a, 3, left);
    await a.notifyCheckpointAborted(2);
    await b.notifyCheckpointAborted(2);
    // Checkpoint 3 is aborted while it is being written.
    const inFlight = a.snapshot(3);
    await a.notifyCheckpointAborted(3);
    await expect(inFlight).rejects.toBeInstanceOf(SnapshotAbortedError);

    const restored = await fixture.open({ ...notify, scope: 'aborted', startFrom: { kind: 'checkpoint' } });
    expect(restored.restored.map((c) => c.checkpointId)).toEqual([1, 1]);
    expect(await readAll(restored)).toEqual(expected(1));
    for (const s of [restored, a, b]) await s.close();
  });

  it('notify mode: until a checkpoint is confirmed, the previous one stays restorable', async () => {
    const store = await fixture.open({ ...notify, scope: 'unconfirmed' });
    await writeRound(store, 1);
    await store.snapshot(1);
    await store.notifyCheckpointComplete(1);
    await writeRound(store, 2);
    await store.snapshot(2);
    await writeRound(store, 3);
    await store.snapshot(3);
    await writeRound(store, 4); // flushed early, in no checkpoint

    // The job decides checkpoint 2 and 3 never completed: it restores 1.
    const one = await fixture.open({
      ...notify,
      scope: 'unconfirmed',
      startFrom: { kind: 'checkpoint', checkpointId: 1 },
    });
    expect(await readAll(one)).toEqual(expected(1));
    await one.close();
    await store.close();
  });

  it('retainedCheckpoints keeps older complete checkpoints restorable, and no more', async () => {
    const store = await fixture.open({
      scope: 'retained',
      retainedCheckpoints: 2,
      skipTableCheck: true,
      cacheBytes: 2048,
    });
    for (let round = 1; round <= 3; round++) {
      await writeRound(store, round);
      await store.snapshot(round);
    }
    await writeRound(store, 4);
    await store.close();
    for (const id of [2, 3]) {
      const restored = await fixture.open({
        scope: 'retained',
        retainedCheckpoints: 2,
        startFrom: { kind: 'checkpoint', checkpointId: id },
        skipTableCheck: true,
      });
      expect(restored.restored[0]?.checkpointId).toBe(id);
      expect(await readAll(restored)).toEqual(expected(id));
      await restored.close();
    }
    await expect(
      fixture.open({
        scope: 'retained',
        startFrom: { kind: 'checkpoint', checkpointId: 1 },
        skipTableCheck: true,
      }),
    ).rejects.toBeInstanceOf(CheckpointNotFoundError);
  });
});
