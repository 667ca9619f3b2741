import { CheckpointNotFoundError, FencedError, KeyGroupRange } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { bytes, mapRef, storeFixture, text, valueRef } from './support/store-fixture.js';

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);

  it('reads back what it wrote, through the cache and after eviction', async () => {
    const store = await fixture.open({ scope: 'read-back', cacheBytes: 4096 });
    for (let i = 0; i < 100; i++) await store.put(valueRef('count', `key-${i}`), bytes(`value-${i}`));
    for (let i = 0; i < 100; i++)
      expect(text(await store.get(valueRef('count', `key-${i}`)))).toBe(`value-${i}`);
    expect(store.cacheBytes).toBeLessThanOrEqual(4096);
    expect(store.metrics.cacheMisses.getCount()).toBeGreaterThan(0);
    await store.close();
  });

  it('restores exactly the last complete checkpoint, not the writes flushed after it', async () => {
    const first = await fixture.open({ scope: 'restore-exact', cacheBytes: 2048 });
    await first.put(valueRef('v', 'a'), bytes('a1'));
    await first.put(valueRef('v', 'b'), bytes('b1'));
    await first.snapshot(1, bytes('offset-1'));
    await first.put(valueRef('v', 'a'), bytes('a2'));
    await first.delete(valueRef('v', 'b'));
    await first.put(valueRef('v', 'c'), bytes('c2'));
    // A small cache flushes these early: they reach DynamoDB, but belong to no checkpoint.
    for (let i = 0; i < 50; i++) await first.put(valueRef('filler', `f-${i}`), bytes('x'.repeat(40)));
    expect(first.metrics.itemsWritten.getCount()).toBeGreaterThan(2);

    const second = await fixture.open({ scope: 'restore-exact', startFrom: { kind: 'checkpoint' } });
    expect(text(second.restored[0]?.metadata)).toBe('offset-1');
    expect(text(await second.get(valueRef('v', 'a')))).toBe('a1');
    expect(text(await second.get(valueRef('v', 'b')))).toBe('b1');
    expect(await second.get(valueRef('v', 'c'))).toBeUndefined();
    expect(await second.get(valueRef('filler', 'f-3'))).toBeUndefined();
    await second.close();
    await first.close();
  });

  it('iterates map entries with one Query, merged with the cache and restored per checkpoint', async () => {
    const first = await fixture.open({ scope: 'map' });
    for (const k of ['x', 'y', 'z']) await first.put(mapRef('m', 'user-1', k), bytes(`${k}1`));
    await first.snapshot(1);
    await first.delete(mapRef('m', 'user-1', 'y'));
    await first.put(mapRef('m', 'user-1', 'w'), bytes('w2'));
    const live = await first.entries(valueRef('m', 'user-1'));
    expect(live.map(([k, v]) => [text(k), text(v)])).toEqual([
      ['w', 'w2'],
      ['x', 'x1'],
      ['z', 'z1'],
    ]);
    await first.snapshot(2);
    await first.put(mapRef('m', 'user-1', 'x'), bytes('x3'));

    const second = await fixture.open({ scope: 'map', startFrom: { kind: 'checkpoint' } });
    const restored = await second.entries(valueRef('m', 'user-1'));
    expect(restored.map(([k, v]) => [text(k), text(v)])).toEqual([
      ['w', 'w2'],
      ['x', 'x1'],
      ['z', 'z1'],
    ]);
    await second.close();
    await first.close();
  });

  it('fences the previous owner: its next checkpoint fails and its later writes stay invisible', async () => {
    const old = await fixture.open({ scope: 'fence' });
    await old.put(valueRef('v', 'k'), bytes('old-1'));
    await old.snapshot(1);
    const next = await fixture.open({ scope: 'fence', startFrom: { kind: 'checkpoint' } });
    expect(next.epoch).toBeGreaterThan(old.epoch);
    await next.put(valueRef('v', 'k'), bytes('new-2'));
    await next.snapshot(2);

    await old.put(valueRef('v', 'k'), bytes('old-2'));
    await expect(old.snapshot(2)).rejects.toBeInstanceOf(FencedError);
    await expect(old.snapshot(3)).rejects.toBeInstanceOf(FencedError);

    const third = await fixture.open({ scope: 'fence', startFrom: { kind: 'checkpoint' } });
    expect(text(await third.get(valueRef('v', 'k')))).toBe('new-2');
    await third.close();
    await next.close();
    await old.close();
  });

  it('restores with rescaling: two owners of halves restore one owner of the whole', async () => {
    const whole = KeyGroupRange.of(0, 127);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const one = await fixture.open({ scope: 'rescale', keyGroupRange: whole });
    for (const k of keys) await one.put(valueRef('v', k), bytes(`${k}@1`));
    await one.snapshot(1);

    const left = await fixture.open({
      scope: 'rescale',
      keyGroupRange: KeyGroupRange.of(0, 63),
      startFrom: { kind: 'checkpoint' },
    });
    const right = await fixture.open({
      scope: 'rescale',
      keyGroupRange: KeyGroupRange.of(64, 127),
      startFrom: { kind: 'checkpoint' },
    });
    for (const k of keys) {
      const ref = valueRef('v', k);
      const owner = ref.keyGroup < 64 ? left : right;
      expect(text(await owner.get(ref))).toBe(`${k}@1`);
      if (k.endsWith('1')) await owner.put(ref, bytes(`${k}@2`));
    }
    await left.snapshot(2);
    await right.snapshot(2);
    await expect(one.snapshot(2)).rejects.toBeInstanceOf(FencedError);

    const merged = await fixture.open({
      scope: 'rescale',
      keyGroupRange: whole,
      startFrom: { kind: 'checkpoint', checkpointId: 2 },
    });
    for (const k of keys)
      expect(text(await merged.get(valueRef('v', k)))).toBe(k.endsWith('1') ? `${k}@2` : `${k}@1`);
    await expect(
      fixture.open({
        scope: 'rescale',
        keyGroupRange: whole,
        startFrom: { kind: 'checkpoint', checkpointId: 1 },
      }),
    ).rejects.toBeInstanceOf(CheckpointNotFoundError);
    for (const s of [merged, left, right, one]) await s.close();
  });
});
