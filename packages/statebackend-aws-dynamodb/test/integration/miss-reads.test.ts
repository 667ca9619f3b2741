import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { bytes, storeFixture, text, valueRef } from './support/store-fixture.js';

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);

  it('answers a miss on a key a fresh store never wrote without calling DynamoDB', async () => {
    const store = await fixture.open({ scope: 'miss-fresh' });
    const calls = store.metrics.calls.getCount();
    const values = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.get(valueRef('v', `never-${i}`))),
    );
    expect(values.every((value) => value === undefined)).toBe(true);
    expect(store.metrics.cacheMisses.getCount()).toBe(50);
    expect(store.metrics.calls.getCount()).toBe(calls);
    await store.close();
  });

  it('reads back what a fresh store flushed early and the cache then dropped', async () => {
    const store = await fixture.open({ scope: 'miss-flushed', cacheBytes: 4096 });
    for (let i = 0; i < 100; i++) await store.put(valueRef('v', `key-${i}`), bytes(`value-${i}`));
    const read = store.metrics.itemsRead.getCount();
    for (let i = 0; i < 100; i++) expect(text(await store.get(valueRef('v', `key-${i}`)))).toBe(`value-${i}`);
    expect(store.metrics.itemsRead.getCount()).toBeGreaterThan(read);
    await store.close();
  });

  it('after a restore, a miss reads the checkpoint, or this writer’s newer flushed value', async () => {
    const first = await fixture.open({ scope: 'miss-restored' });
    await first.put(valueRef('v', 'a'), bytes('a1'));
    await first.put(valueRef('v', 'b'), bytes('b1'));
    await first.snapshot(1);
    await first.close();

    const second = await fixture.open({
      scope: 'miss-restored',
      startFrom: { kind: 'checkpoint' },
      cacheBytes: 4096,
    });
    await second.put(valueRef('v', 'a'), bytes('a2'));
    // A small cache flushes 'a' early and then drops it.
    for (let i = 0; i < 60; i++) await second.put(valueRef('filler', `f-${i}`), bytes('x'.repeat(40)));
    expect(text(await second.get(valueRef('v', 'a')))).toBe('a2');
    expect(text(await second.get(valueRef('v', 'b')))).toBe('b1');
    expect(await second.get(valueRef('v', 'c'))).toBeUndefined();
    await second.close();
  });
});
