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

  /**
   * Sliding windows over 30 keys (3 entries each; one added, one removed per key and checkpoint),
   * 100 checkpoints, a restart every 5. With `crashes`, every other restart is a crash: the owner
   * writes the next interval (with a cache small enough to flush early), then every call of it
   * fails and it is dropped without close; its successor restores and writes that interval again.
   * Returns the item counts after each checkpoint, the bound and what is left after the last close.
   */
  async function slidingWindows(scope: string, crashes: boolean) {
    const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
    const window = 3;
    const live = keys.length * window;
    const changed = keys.length * 2; // one entry added and one removed per key and checkpoint
    const counts: number[] = [];
    // Small enough that a restart's first reads and some writes meet an evicted entry.
    const settings = { cacheBytes: 16 * 1024 };
    const interval = async (store: DynamoDbStateStore, n: number): Promise<void> => {
      for (const key of keys) {
        await store.put(mapRef('w', key, `w${n}`), bytes(`${key}@${n}`));
        if (n > window) await store.delete(mapRef('w', key, `w${n - window}`));
      }
    };
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
        await interval(doomed, n + 1);
        faults.failShare(1, 'validation');
        crashed++;
      } else {
        await store.close();
      }
      store = await open(scope, true, settings);
    }
    for (const key of keys) {
      const entries = await store.entries(valueRef('w', key));
      expect(entries.map(([k]) => text(k)).sort()).toEqual(['w100', 'w98', 'w99']);
    }
    const depth = store.lineageDepth;
    await store.close();
    const final = (await dataItems(scope)).count;
    return { live, changed, counts, final, depth, crashed };
  }

  it('sliding windows with removals and restarts: items stay under live + 2 x changed for 100 checkpoints', async () => {
    const { live, changed, counts, final, depth } = await slidingWindows('bound/sliding', false);
    const bound = live + 2 * changed;
    process.stdout.write(
      `sliding windows (${target.name}): live ${live}, changed per checkpoint ${changed}, bound ${bound}; ` +
        `items after checkpoints 15/30/45/100: ${counts[14]}/${counts[29]}/${counts[44]}/${counts[99]}, ` +
        `max ${Math.max(...counts)}, after the last clean-up ${final}; lineage depth at the end ${depth}\n` +
        `  every checkpoint: ${counts.join(' ')}\n`,
    );
    expect(Math.max(...counts)).toBeLessThanOrEqual(bound);
    expect(final).toBe(live);
  }, 180_000);

  it('sliding windows with a crash at every other restart: the successor deletes what the crashed owner left', async () => {
    const { live, changed, counts, final, depth, crashed } = await slidingWindows('bound/crashes', true);
    const bound = live + 3 * changed;
    process.stdout.write(
      `sliding windows with ${crashed} crashes (${target.name}): live ${live}, changed per checkpoint ${changed}, ` +
        `bound ${bound}; items after checkpoints 15/30/45/100: ${counts[14]}/${counts[29]}/${counts[44]}/${counts[99]}, ` +
        `max ${Math.max(...counts)}, after the last clean-up ${final}; lineage depth at the end ${depth}\n` +
        `  every checkpoint: ${counts.join(' ')}\n`,
    );
    expect(crashed).toBe(10);
    // Checkpoint by checkpoint: which ones (if any) were over the bound.
    expect(counts.flatMap((count, i) => (count > bound ? [`checkpoint ${i + 1}: ${count}`] : []))).toEqual(
      [],
    );
    expect(final).toBe(live);
  }, 300_000);
});
