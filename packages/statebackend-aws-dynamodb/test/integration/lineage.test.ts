import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { dataPartitionKey, decodeSortKey, scopeBytes } from '../../src/layout/item-key.js';
import { bytes, mapRef, storeFixture, text, valueRef } from './support/store-fixture.js';

const KEYS = Array.from({ length: 24 }, (_, i) => `key-${i}`);

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);

  /** The writer epochs holding an item in the partitions of `scope` that `keys` live in. */
  async function epochsHolding(scope: string, keys: readonly string[]): Promise<Set<number>> {
    const epochs = new Set<number>();
    const partitions = new Set(keys.map((key) => valueRef('v', key).keyGroup));
    for (const keyGroup of partitions) {
      for (let bucket = 0; bucket < 4; bucket++) {
        const pk = dataPartitionKey(scopeBytes(scope), keyGroup, bucket);
        const page = await fixture.client.send(
          new QueryCommand({
            TableName: fixture.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { B: pk } },
          }),
        );
        for (const item of page.Items ?? []) if (item.sk?.B) epochs.add(decodeSortKey(item.sk.B).epoch);
      }
    }
    return epochs;
  }

  it('compacts a lineage that restores made deep: one slot per miss, ancestors deleted, nothing lost', async () => {
    const scope = 'lineage/deep';
    const first = await fixture.open({ scope, lineageCompactionDepth: 0 });
    for (const key of KEYS) await first.put(valueRef('v', key), bytes(`${key}@0`));
    await first.put(mapRef('m', 'user', 'a'), bytes('a@0'));
    await first.snapshot(1);
    await first.close();
    // Four restarts, each changing one key: each adds an ancestor.
    let checkpoint = 1;
    for (let restart = 1; restart <= 4; restart++) {
      const store = await fixture.open({
        scope,
        lineageCompactionDepth: 0,
        startFrom: { kind: 'checkpoint' },
      });
      expect(store.lineageDepth).toBe(restart);
      await store.put(valueRef('v', `key-${restart}`), bytes(`key-${restart}@${restart}`));
      await store.delete(valueRef('v', 'key-0'));
      await store.snapshot(++checkpoint);
      await store.close();
    }
    const expected = new Map(KEYS.map((key) => [key, `${key}@0`]));
    for (let restart = 1; restart <= 4; restart++)
      expected.set(`key-${restart}`, `key-${restart}@${restart}`);
    expected.delete('key-0');
    const ancestors = await epochsHolding(scope, KEYS);
    expect(ancestors.size).toBeGreaterThan(2);

    // Depth 4 > 3: the store compacts in the background; a write racing it wins.
    const compacting = await fixture.open({
      scope,
      lineageCompactionDepth: 3,
      startFrom: { kind: 'checkpoint' },
    });
    expect(compacting.lineageDepth).toBe(5);
    await compacting.put(valueRef('v', 'key-9'), bytes('key-9@racing'));
    expected.set('key-9', 'key-9@racing');
    const copied = await compacting.compactLineage();
    expect(copied).toBeGreaterThan(KEYS.length - 6);
    expect(compacting.lineageDepth).toBe(5); // until a checkpoint commits without them
    await compacting.snapshot(++checkpoint);
    expect(compacting.lineageDepth).toBe(0);
    for (const [key, value] of expected) expect(text(await compacting.get(valueRef('v', key)))).toBe(value);
    expect(await compacting.get(valueRef('v', 'key-0'))).toBeUndefined();
    // The checkpoint is the oldest restorable one: once its clean-up ran (closing waits for it),
    // no ancestor's item is left.
    await compacting.close();
    expect([...(await epochsHolding(scope, KEYS))]).toEqual([compacting.epoch]);

    const restored = await fixture.open({
      scope,
      lineageCompactionDepth: 0,
      startFrom: { kind: 'checkpoint' },
    });
    expect(restored.lineageDepth).toBe(1);
    for (const [key, value] of expected) expect(text(await restored.get(valueRef('v', key)))).toBe(value);
    expect(await restored.get(valueRef('v', 'key-0'))).toBeUndefined();
    const entries = await restored.entries(valueRef('m', 'user'));
    expect(entries.map(([k, v]) => [text(k), text(v)])).toEqual([['a', 'a@0']]);
    await restored.close();
  });

  it('keeps the ancestors while a checkpoint from before the compaction is still retained', async () => {
    const scope = 'lineage/retained';
    const writer = await fixture.open({ scope, lineageCompactionDepth: 0 });
    for (const key of KEYS) await writer.put(valueRef('v', key), bytes(`${key}@0`));
    await writer.snapshot(1);
    await writer.close();
    const compacting = await fixture.open({
      scope,
      lineageCompactionDepth: 0,
      retainedCheckpoints: 2,
      startFrom: { kind: 'checkpoint' },
    });
    await compacting.put(valueRef('v', 'key-1'), bytes('key-1@2'));
    await compacting.snapshot(2);
    expect(await compacting.compactLineage()).toBe(KEYS.length - 1);
    await compacting.put(valueRef('v', 'key-2'), bytes('key-2@3'));
    await compacting.snapshot(3);
    expect(compacting.lineageDepth).toBe(0);
    // Checkpoint 2 is retained and reads the first writer's items: they stay.
    expect((await epochsHolding(scope, KEYS)).size).toBe(2);
    await compacting.close();
    const older = await fixture.open({
      scope,
      lineageCompactionDepth: 0,
      startFrom: { kind: 'checkpoint', checkpointId: 2 },
    });
    for (const key of KEYS) {
      expect(text(await older.get(valueRef('v', key)))).toBe(key === 'key-1' ? 'key-1@2' : `${key}@0`);
    }
    await older.close();
  });

  it('an owner stopped midway through a compaction leaves the key groups it committed compacted; its successor does the rest', async () => {
    const scope = 'lineage/resumed';
    // Values spread over many key groups, four restores deep.
    const keys = Array.from({ length: 200 }, (_, i) => `spread-${i}`);
    const expected = new Map(keys.map((key) => [key, `${key}@0`]));
    const first = await fixture.open({ scope, lineageCompactionDepth: 0 });
    for (const key of keys) await first.put(valueRef('v', key), bytes(`${key}@0`));
    await first.snapshot(1);
    await first.close();
    let checkpoint = 1;
    for (let restart = 1; restart <= 3; restart++) {
      const store = await fixture.open({
        scope,
        lineageCompactionDepth: 0,
        startFrom: { kind: 'checkpoint' },
      });
      const key = keys[restart * 10] as string;
      await store.put(valueRef('v', key), bytes(`${key}@${restart}`));
      expected.set(key, `${key}@${restart}`);
      await store.snapshot(++checkpoint);
      await store.close();
    }
    // The fourth owner compacts, and its Queries stop after two steps of eight key groups (32
    // partitions each): it commits a checkpoint then and dies (every later call fails).
    const { client, faults } = fixture.faultyClient();
    let queries = 0;
    let release: () => void = () => undefined;
    const dead = new Promise<void>((resolve) => {
      release = resolve;
    });
    faults.beforeSend = async (operation) => {
      if (operation !== 'Query' || ++queries <= 64) return;
      await dead;
      throw Object.assign(new Error('killed (injected)'), { name: 'ValidationException' });
    };
    const doomed = await fixture.open({
      scope,
      client,
      lineageCompactionDepth: 0,
      startFrom: { kind: 'checkpoint' },
    });
    queries = 0;
    expect(doomed.lineageDepth).toBe(4);
    doomed.compactLineage().catch(() => undefined);
    while (queries <= 64) await new Promise((resolve) => setTimeout(resolve, 10));
    await doomed.snapshot(++checkpoint);
    const compactions: Readonly<Record<string, unknown>>[] = [];
    const ignore = (): void => undefined;
    const logger = {
      debug: ignore,
      warn: ignore,
      error: ignore,
      info: (message: string, context?: Readonly<Record<string, unknown>>) => {
        if (message.startsWith('Compacted the lineage') && context !== undefined) compactions.push(context);
      },
    };
    const successor = await fixture.open({
      scope,
      startFrom: { kind: 'checkpoint' },
      lineageCompactionDepth: 3,
      logger,
    });
    release();
    // Key groups 0-15 were committed without ancestors; the others still have the four.
    const committed = successor.restored[0]?.lineage ?? [];
    expect(committed.every((e) => e.start >= 16)).toBe(true);
    expect(Math.max(...committed.map((e) => e.end))).toBe(127);
    expect(successor.lineageDepth).toBe(5);
    // Its compaction (in the background from its first commit) copies only the key groups still
    // deeper than 3.
    await successor.snapshot(++checkpoint);
    while (compactions.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(compactions[0]).toMatchObject({ keyGroups: 112, of: 112 });
    await successor.snapshot(++checkpoint);
    expect(successor.lineageDepth).toBe(1);
    for (const [key, value] of expected) expect(text(await successor.get(valueRef('v', key)))).toBe(value);
    await successor.close();
    // A restore of its checkpoint: the successor, and the dead owner for key groups 0-15.
    const restored = await fixture.open({
      scope,
      lineageCompactionDepth: 0,
      startFrom: { kind: 'checkpoint' },
    });
    expect(restored.lineageDepth).toBe(2);
    for (const [key, value] of expected) expect(text(await restored.get(valueRef('v', key)))).toBe(value);
    await restored.close();
  }, 180_000);
});
