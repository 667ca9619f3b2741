import { KeyGroupRange } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import type { DynamoDbStateStore, DynamoDbStateStoreOptions } from '../../src/index.js';
import { random, StateModel } from './support/state-model.js';
import { storeFixture, valueRef } from './support/store-fixture.js';

const VALUE_KEYS = Array.from({ length: 200 }, (_, i) => `k${i}`);
const MAP_KEYS = Array.from({ length: 20 }, (_, i) => `u${i}`);
const MAP_ENTRIES = ['a', 'b', 'c'];
const all = (): boolean => true;

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);
  beforeAll(async () => (await fixture.open({ scope: 'create-table' })).close());
  const base = { skipTableCheck: true, lineageCompactionDepth: 0 } as const;

  /** A restore of `checkpointId` into a fresh owner of every key group: its wrong cells. */
  async function wrongAt(
    scope: string,
    model: StateModel,
    checkpointId: number,
    layout: Partial<DynamoDbStateStoreOptions> = {},
  ): Promise<string[]> {
    const store = await fixture.open({
      ...base,
      ...layout,
      scope,
      startFrom: { kind: 'checkpoint', checkpointId },
    });
    try {
      return await model.wrongCells(store, all, checkpointId);
    } finally {
      await store.close();
    }
  }

  it('a compaction racing writes that are flushed early and evicted changes nothing any checkpoint reads', async () => {
    const scope = 'compaction/racing';
    // One key group in one partition: the compaction's one Query finds every entry, and the
    // writes below run while it copies them one by one.
    const layout = { maxParallelism: 1, keyGroupRange: KeyGroupRange.of(0, 0), buckets: 1 };
    const model = new StateModel(VALUE_KEYS, MAP_KEYS, MAP_ENTRIES, 1);
    const first = await fixture.open({ ...base, ...layout, scope });
    for (const key of VALUE_KEYS) await model.put(first, { kind: 'value', key }, '1');
    for (const key of MAP_KEYS)
      for (const mapKey of MAP_ENTRIES) await model.put(first, { kind: 'map', key, mapKey }, '1');
    await first.snapshot(1);
    model.checkpoint(1);
    await first.close();
    // Four restores, each followed by a checkpoint: the lineage is four deep.
    for (let id = 2; id <= 4; id++) {
      const owner = await fixture.open({ ...base, ...layout, scope, startFrom: { kind: 'checkpoint' } });
      await model.put(owner, { kind: 'value', key: `k${id}` }, String(id));
      await owner.snapshot(id);
      model.checkpoint(id);
      await owner.close();
    }
    // A 2 KiB cache: nearly every write is flushed early and then evicted.
    const owner = await fixture.open({
      ...base,
      ...layout,
      scope,
      cacheBytes: 2048,
      retainedCheckpoints: 2,
      startFrom: { kind: 'checkpoint' },
    });
    expect(owner.lineageDepth).toBe(4);
    const compaction = owner.compactLineage();
    const writes = (async () => {
      for (let i = 0; i < 100; i++) await model.put(owner, { kind: 'value', key: `k${i}` }, '7');
      for (let i = 100; i < 200; i++) await model.delete(owner, { kind: 'value', key: `k${i}` });
      for (const key of MAP_KEYS) await model.delete(owner, { kind: 'map', key, mapKey: 'b' });
    })();
    await writes;
    await owner.snapshot(5);
    model.checkpoint(5);
    await compaction;
    await owner.snapshot(6);
    model.checkpoint(6);
    expect(owner.lineageDepth).toBe(0);
    expect(await model.wrongCells(owner, all)).toEqual([]);
    await owner.close();
    expect(await wrongAt(scope, model, 5, layout)).toEqual([]);
    expect(await wrongAt(scope, model, 6, layout)).toEqual([]);
  });

  it('model check: compaction beside processing, evictions and a rescale 2 -> 1 -> 2 reads no wrong cell', async () => {
    const scope = 'compaction/model';
    // Few key groups of one partition each: a compaction's Query finds many entries at once, and
    // records go on while it copies them.
    const maxParallelism = 8;
    const layout = { maxParallelism, buckets: 1 };
    const model = new StateModel(VALUE_KEYS, MAP_KEYS, MAP_ENTRIES, maxParallelism);
    const next = random(20);
    const halves = [KeyGroupRange.of(0, 3), KeyGroupRange.of(4, 7)];
    const cell = () =>
      next() < 0.75
        ? ({ kind: 'value', key: VALUE_KEYS[Math.floor(next() * VALUE_KEYS.length)] as string } as const)
        : ({
            kind: 'map',
            key: MAP_KEYS[Math.floor(next() * MAP_KEYS.length)] as string,
            mapKey: MAP_ENTRIES[Math.floor(next() * MAP_ENTRIES.length)] as string,
          } as const);
    const keyGroupOf = (c: ReturnType<typeof cell>) => valueRef('v', c.key, maxParallelism).keyGroup;
    /** A round of random writes and removals, each to the store owning the cell's key group. */
    async function round(
      stores: readonly DynamoDbStateStore[],
      ranges: readonly KeyGroupRange[],
      tag: string,
    ) {
      for (let i = 0; i < 60; i++) {
        const c = cell();
        const owner = stores[ranges.findIndex((r) => r.contains(keyGroupOf(c)))] as DynamoDbStateStore;
        if (next() < 0.3) await model.delete(owner, c);
        else await model.put(owner, c, `${tag}.${i}`);
      }
    }
    async function checkpoint(stores: readonly DynamoDbStateStore[], id: number) {
      await Promise.all(stores.map((s) => s.snapshot(id)));
      model.checkpoint(id);
    }
    let id = 0;
    let stores = await Promise.all(
      halves.map((range) => fixture.open({ ...base, ...layout, scope, keyGroupRange: range })),
    );
    await round(stores, halves, 'r0');
    await checkpoint(stores, ++id);
    // Three restores at p=2: each key group gets three ancestors.
    for (let restart = 1; restart <= 3; restart++) {
      for (const s of stores) await s.close();
      stores = await Promise.all(
        halves.map((range) =>
          fixture.open({
            ...base,
            ...layout,
            scope,
            keyGroupRange: range,
            cacheBytes: 4096,
            startFrom: { kind: 'checkpoint' },
          }),
        ),
      );
      await round(stores, halves, `r${restart}`);
      await checkpoint(stores, ++id);
    }
    for (const s of stores) await s.close();
    // Rescale 2 -> 1: four ancestors, so the store compacts in the background while records go on.
    const whole = [KeyGroupRange.of(0, maxParallelism - 1)];
    const merged = await fixture.open({
      ...layout,
      keyGroupRange: whole[0] as KeyGroupRange,
      skipTableCheck: true,
      scope,
      cacheBytes: 2048,
      lineageCompactionDepth: 3,
      retainedCheckpoints: 2,
      startFrom: { kind: 'checkpoint' },
    });
    expect(merged.lineageDepth).toBe(4);
    for (let i = 0; i < 3; i++) {
      await round([merged], whole, `m${i}`);
      await checkpoint([merged], ++id);
    }
    await merged.compactLineage();
    await round([merged], whole, 'm3');
    await checkpoint([merged], ++id);
    await round([merged], whole, 'm4');
    await checkpoint([merged], ++id);
    expect(merged.lineageDepth).toBe(0);
    expect(await model.wrongCells(merged, all)).toEqual([]);
    await merged.close();
    const wholeLayout = { ...layout, keyGroupRange: whole[0] as KeyGroupRange };
    for (const restoredId of [id - 1, id])
      expect(await wrongAt(scope, model, restoredId, wholeLayout)).toEqual([]);
    // And back to 2: each half restores the compacted checkpoint.
    stores = await Promise.all(
      halves.map((range) =>
        fixture.open({
          ...base,
          ...layout,
          scope,
          keyGroupRange: range,
          cacheBytes: 2048,
          startFrom: { kind: 'checkpoint' },
        }),
      ),
    );
    await round(stores, halves, 's');
    await checkpoint(stores, ++id);
    for (const [i, s] of stores.entries()) {
      const range = halves[i] as KeyGroupRange;
      expect(await model.wrongCells(s, (kg) => range.contains(kg))).toEqual([]);
      await s.close();
    }
    expect(await wrongAt(scope, model, id, wholeLayout)).toEqual([]);
  }, 180_000);
});
