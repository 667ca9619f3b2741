import { FencedError } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import type { DynamoDbStateStore } from '../../src/index.js';
import type { FaultKind, FaultPoint } from './support/fault-injector.js';
import { bytes, storeFixture, text, valueRef } from './support/store-fixture.js';

const KEYS = Array.from({ length: 30 }, (_, i) => `key-${i}`);

/** What checkpoint 1 holds, and what checkpoint 2 holds: updates, deletions and new keys. */
const AT_1 = new Map(KEYS.map((k) => [k, `${k}@1`]));
const AT_2 = new Map(KEYS.map((k, i) => [k, i % 3 === 0 ? `${k}@2` : `${k}@1`]));
for (const [i, k] of KEYS.entries()) if (i % 5 === 1) AT_2.delete(k);
AT_2.set('added', 'added@2');

async function readAll(store: DynamoDbStateStore): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const k of [...KEYS, 'added']) {
    const value = text(await store.get(valueRef('v', k)));
    if (value !== undefined) found.set(k, value);
  }
  return found;
}

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);
  beforeAll(async () => (await fixture.open({ scope: 'create-table' })).close());

  const cases: [FaultPoint, FaultKind][] = [
    ['before', 'connection-reset'],
    ['after', 'connection-reset'],
    ['before', 'validation'],
    ['after', 'validation'],
  ];
  it.each(cases)(
    'fails each call of a checkpoint %s it reaches the server (%s) and restores exactly the last complete checkpoint',
    async (point, kind) => {
      let injected = 0;
      let completed = 0;
      for (let k = 1; ; k++) {
        const scope = `faults-${point}-${kind}-${k}`;
        const { client, faults } = fixture.faultyClient();
        const store = await fixture.open({ client, scope, cacheBytes: 4096, skipTableCheck: true });
        for (const [key, value] of AT_1) await store.put(valueRef('v', key), bytes(value));
        await store.snapshot(1);
        for (const [i, key] of KEYS.entries()) {
          if (i % 3 === 0) await store.put(valueRef('v', key), bytes(`${key}@2`));
          if (i % 5 === 1) await store.delete(valueRef('v', key));
        }
        await store.put(valueRef('v', 'added'), bytes('added@2'));
        // Written after snapshot(2) is called: must never be part of it.
        faults.failCall(k, point, kind);
        const snapshot = store.snapshot(2).then(
          () => true,
          () => false,
        );
        await store.put(valueRef('v', 'key-0'), bytes('late@3'));
        const succeeded = await snapshot;
        faults.disarm();
        const reached = faults.injected > 0;
        injected += faults.injected;
        if (succeeded) completed++;

        // The process dies here, whatever the store was doing: a new owner restores.
        const restored = await fixture.open({
          scope,
          startFrom: { kind: 'checkpoint' },
          skipTableCheck: true,
        });
        const checkpoint = restored.restored[0]?.checkpointId;
        expect(checkpoint).toBe(succeeded ? 2 : 1);
        expect(await readAll(restored)).toEqual(checkpoint === 2 ? AT_2 : AT_1);
        await restored.close();
        await store.close();
        if (!reached) break;
      }
      // Every call of the checkpoint failed once; report how many that were.
      expect(injected).toBeGreaterThanOrEqual(4);
      process.stderr.write(
        `${target.name} ${point}/${kind}: ${injected} faults injected, ${completed} checkpoints completed\n`,
      );
    },
  );

  it('two owners of one range: the new owner commits while the old one is mid-flush, and no checkpoint mixes them', async () => {
    const scope = 'rivals';
    const { client, faults } = fixture.faultyClient();
    const old = await fixture.open({ client, scope, skipTableCheck: true });
    for (const k of KEYS) await old.put(valueRef('v', k), bytes(`${k}@1`));
    await old.snapshot(1);
    for (const k of KEYS) await old.put(valueRef('v', k), bytes(`${k}@old`));

    let rival: DynamoDbStateStore | undefined;
    let raced = false;
    faults.beforeSend = async (operation) => {
      if (operation !== 'BatchWriteItem' || raced) return;
      raced = true;
      // The old owner passed its fencing check; the new one claims, restores, writes and commits first.
      rival = await fixture.open({ scope, startFrom: { kind: 'checkpoint' }, skipTableCheck: true });
      for (const k of KEYS.slice(0, 10)) await rival.put(valueRef('v', k), bytes(`${k}@new`));
      await rival.snapshot(2);
    };
    await expect(old.snapshot(2)).rejects.toBeInstanceOf(FencedError);
    faults.beforeSend = undefined;

    const third = await fixture.open({ scope, startFrom: { kind: 'checkpoint' }, skipTableCheck: true });
    expect(third.restored.map((c) => [c.checkpointId, c.epoch])).toEqual([[2, rival?.epoch]]);
    for (const [i, k] of KEYS.entries()) {
      expect(text(await third.get(valueRef('v', k)))).toBe(i < 10 ? `${k}@new` : `${k}@1`);
    }
    await third.close();
    await rival?.close();
    await old.close();
  });

  it('throttled on a third of its calls, it slows down but loses and duplicates nothing', async () => {
    const scope = 'throttled';
    const { client, faults } = fixture.faultyClient();
    const store = await fixture.open({ client, scope, cacheBytes: 8192, skipTableCheck: true });
    faults.failShare(0.33, 'throttle');
    const keys = Array.from({ length: 200 }, (_, i) => `t-${i}`);
    for (const k of keys) await store.put(valueRef('v', k), bytes(`${k}@1`));
    await store.snapshot(1);
    for (const k of keys.slice(0, 100)) await store.put(valueRef('v', k), bytes(`${k}@2`));
    await store.snapshot(2);
    faults.disarm();
    expect(faults.injected).toBeGreaterThan(5);
    expect(store.metrics.throttles.getCount()).toBe(faults.injected);

    const restored = await fixture.open({ scope, startFrom: { kind: 'checkpoint' }, skipTableCheck: true });
    for (const [i, k] of keys.entries())
      expect(text(await restored.get(valueRef('v', k)))).toBe(`${k}@${i < 100 ? 2 : 1}`);
    await restored.close();
    await store.close();
  });
});
