import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import type { DynamoDbStateStore } from '../../src/index.js';
import { dataPartitionKey, decodeSortKey, scopeBytes } from '../../src/layout/item-key.js';
import { bytes, mapRef, storeFixture, text, valueRef } from './support/store-fixture.js';

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);
  beforeAll(async () => (await fixture.open({ scope: 'create-table' })).close());

  /** The data items of `scope` in the table (a Scan: no Query lists every partition), with their epochs. */
  async function dataItems(scope: string): Promise<{ count: number; epochs: Set<number> }> {
    const prefix = Buffer.from(dataPartitionKey(scopeBytes(scope), 0, 0).subarray(0, scope.length + 2));
    let count = 0;
    const epochs = new Set<number>();
    let start: Record<string, never> | undefined;
    do {
      const page = await fixture.client.send(
        new ScanCommand({ TableName: fixture.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const pk = item.pk?.B;
        const sk = item.sk?.B;
        if (
          pk === undefined ||
          sk === undefined ||
          !Buffer.from(pk).subarray(0, prefix.length).equals(prefix)
        )
          continue;
        count++;
        epochs.add(decodeSortKey(sk).epoch);
      }
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start !== undefined);
    return { count, epochs };
  }

  const open = (scope: string, restore: boolean, more: object = {}) =>
    fixture.open({
      scope,
      skipTableCheck: true,
      ...more,
      ...(restore ? { startFrom: { kind: 'checkpoint' } as const } : {}),
    });

  it('a removed map entry leaves no item once no retained checkpoint can see it (10 checkpoints, one key)', async () => {
    const scope = 'bound/ten';
    const store = await open(scope, false);
    for (let n = 1; n <= 10; n++) {
      await store.put(mapRef('w', 'key', `w${n}`), bytes(`${n}`));
      if (n > 1) await store.delete(mapRef('w', 'key', `w${n - 1}`));
      await store.snapshot(n);
    }
    await store.close(); // waits for the clean-up after the last commit
    expect((await dataItems(scope)).count).toBe(1);
    const restored = await open(scope, true);
    const entries = await restored.entries(valueRef('w', 'key'));
    expect(entries.map(([k, v]) => [text(k), text(v)])).toEqual([['w10', '10']]);
    await restored.close();
  });

  it("older owners' items go after a restore: three successive owners leave only the newest one's item", async () => {
    const scope = 'bound/owners';
    const first = await open(scope, false);
    await first.put(valueRef('v', 'k'), bytes('1'));
    await first.snapshot(1);
    await first.close();
    let id = 1;
    let last: DynamoDbStateStore | undefined;
    for (let owner = 2; owner <= 4; owner++) {
      const store = await open(scope, true);
      for (let i = 0; i < 3; i++) {
        await store.put(valueRef('v', 'k'), bytes(`${owner}.${i}`));
        await store.snapshot(++id);
      }
      await store.close();
      last = store;
    }
    const items = await dataItems(scope);
    expect([...items.epochs]).toEqual([last?.epoch]);
    expect(items.count).toBe(1);
  });

  /** Sliding windows over 30 keys: 3 entries each; one added, one removed per key and checkpoint. */
  const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
  const window = 3;
  const live = keys.length * window;
  const changed = keys.length * 2; // one entry added and one removed per key and checkpoint
  // Small enough that a restart's first reads and some writes meet an evicted entry.
  const settings = { cacheBytes: 16 * 1024 };
  const interval = async (store: DynamoDbStateStore, n: number): Promise<void> => {
    for (const key of keys) {
      await store.put(mapRef('w', key, `w${n}`), bytes(`${key}@${n}`));
      if (n > window) await store.delete(mapRef('w', key, `w${n - window}`));
    }
  };
  /** Every key's window holds the entries of checkpoints n-2..n. */
  const expectWindows = async (store: DynamoDbStateStore, n: number): Promise<void> => {
    for (const key of keys) {
      const entries = await store.entries(valueRef('w', key));
      expect(entries.map(([k]) => text(k)).sort()).toEqual([`w${n}`, `w${n - 1}`, `w${n - 2}`].sort());
    }
  };

  /**
   * The sliding windows, 100 checkpoints, a restart every 5. With `crashes`, every other restart is
   * a crash: the owner writes the next interval (with a cache small enough to flush early), then
   * every call of it fails and it is dropped without close; its successor restores and writes that
   * interval again. Returns the item counts after each checkpoint, the bound, what is left after
   * the last close, and the lineage depth of each owner when it opened.
   */
  async function slidingWindows(scope: string, crashes: boolean) {
    const counts: number[] = [];
    const depths: number[] = [];
    let store = await open(scope, false, settings);
    let crashed = 0;
    for (let n = 1; n <= 100; n++) {
      await interval(store, n);
      await store.snapshot(n);
      counts.push((await dataItems(scope)).count);
      if (n % 5 !== 0) continue;
      if (crashes && (n / 5) % 2 === 1) {
        // The owner after this restart crashes in the next interval: its early flushes stay, uncommitted.
        await store.close();
        const { client, faults } = fixture.faultyClient();
        const doomed = await open(scope, true, { client, cacheBytes: 2048 });
        depths.push(doomed.lineageDepth);
        await interval(doomed, n + 1);
        faults.failShare(1, 'validation');
        crashed++;
      } else {
        await store.close();
      }
      store = await open(scope, true, settings);
      depths.push(store.lineageDepth);
    }
    for (const key of keys) {
      const entries = await store.entries(valueRef('w', key));
      expect(entries.map(([k]) => text(k)).sort()).toEqual(['w100', 'w98', 'w99']);
    }
    const depth = store.lineageDepth;
    await store.close();
    const final = (await dataItems(scope)).count;
    return { live, changed, counts, final, depth, depths, crashed };
  }

  /**
   * Each restore adds an ancestor; compaction (above the default depth of 3) takes key groups back
   * to none, and each checkpoint commits the key groups copied before it, so an owner that stops
   * midway leaves its successor only the rest to do. With the successor continuing, no key group
   * gets much deeper than the depth that starts a compaction.
   */
  const DEPTH_BOUND = 5;

  it('sliding windows with removals and restarts: items stay under live + 2 x changed for 100 checkpoints', async () => {
    const { live, changed, counts, final, depth, depths } = await slidingWindows('bound/sliding', false);
    const bound = live + 2 * changed;
    process.stdout.write(
      `sliding windows (${target.name}): live ${live}, changed per checkpoint ${changed}, bound ${bound}; ` +
        `items after checkpoints 15/30/45/100: ${counts[14]}/${counts[29]}/${counts[44]}/${counts[99]}, ` +
        `max ${Math.max(...counts)}, after the last clean-up ${final}; lineage depth at the end ${depth}, ` +
        `max ${Math.max(...depths)}\n` +
        `  every checkpoint: ${counts.join(' ')}\n  depth at each restore: ${depths.join(' ')}\n`,
    );
    expect(Math.max(...counts)).toBeLessThanOrEqual(bound);
    expect(final).toBe(live);
    expect(Math.max(...depths, depth)).toBeLessThanOrEqual(DEPTH_BOUND);
  }, 360_000);

  it('sliding windows with a crash at every other restart: the successor deletes what the crashed owner left', async () => {
    const { live, changed, counts, final, depth, depths, crashed } = await slidingWindows(
      'bound/crashes',
      true,
    );
    const bound = live + 3 * changed;
    process.stdout.write(
      `sliding windows with ${crashed} crashes (${target.name}): live ${live}, changed per checkpoint ${changed}, ` +
        `bound ${bound}; items after checkpoints 15/30/45/100: ${counts[14]}/${counts[29]}/${counts[44]}/${counts[99]}, ` +
        `max ${Math.max(...counts)}, after the last clean-up ${final}; lineage depth at the end ${depth}, ` +
        `max ${Math.max(...depths)}\n` +
        `  every checkpoint: ${counts.join(' ')}\n  depth at each restore: ${depths.join(' ')}\n`,
    );
    expect(Math.max(...depths, depth)).toBeLessThanOrEqual(DEPTH_BOUND);
    expect(crashed).toBe(10);
    // Checkpoint by checkpoint: which ones (if any) were over the bound.
    expect(counts.flatMap((count, i) => (count > bound ? [`checkpoint ${i + 1}: ${count}`] : []))).toEqual(
      [],
    );
    expect(final).toBe(live);
  }, 480_000);

  it('a chain of owners each killed right after its commit, before any clean-up: one survivor brings the items back under the bound', async () => {
    const scope = 'bound/chain';
    const bound = live + 2 * changed;
    const counts: number[] = [];
    let n = 0;
    const first = await open(scope, false, settings);
    for (; n < 5; ) {
      await interval(first, ++n);
      await first.snapshot(n);
    }
    await first.close();
    // Eight owners in a row: each restores, writes an interval, commits it, and dies at once: every
    // call after its commit fails, so neither its clean-up nor its pass over what earlier owners
    // left deletes anything, and it is dropped without close.
    const owners = 8;
    for (let owner = 0; owner < owners; owner++) {
      const { client, faults } = fixture.faultyClient();
      const doomed = await open(scope, true, { client, ...settings });
      let killed = false;
      faults.beforeSend = async (operation) => {
        if (killed) throw Object.assign(new Error('killed (injected)'), { name: 'ValidationException' });
        if (operation === 'TransactWriteItems') killed = true;
      };
      await interval(doomed, ++n);
      await doomed.snapshot(n);
      counts.push((await dataItems(scope)).count);
    }
    const survivor = await open(scope, true, settings);
    await interval(survivor, ++n);
    await survivor.snapshot(n);
    await expectWindows(survivor, n);
    await survivor.close(); // waits for its pass
    const after = (await dataItems(scope)).count;
    process.stdout.write(
      `chain of ${owners} owners killed before their clean-up (${target.name}): bound ${bound}; items after each ` +
        `owner's commit: ${counts.join(' ')}; after the survivor's pass ${after}\n`,
    );
    expect(Math.max(...counts)).toBeGreaterThan(bound); // what the killed owners left
    expect(after).toBeLessThanOrEqual(bound);
    const restored = await open(scope, true, settings);
    await expectWindows(restored, n);
    await restored.close();
  }, 180_000);
});
