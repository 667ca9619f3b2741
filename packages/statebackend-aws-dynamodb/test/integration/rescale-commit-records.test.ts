import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { computeKeyGroupRangeForOperatorIndex, type KeyGroupRange } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { fromCommitItem } from '../../src/checkpoint/commit-records.js';
import type { CommitRecord } from '../../src/checkpoint/lineage.js';
import { type DynamoDbStateStore, listCheckpoints } from '../../src/index.js';
import { metaPartitionKey, scopeBytes } from '../../src/layout/item-key.js';
import { bytes, MAX_PARALLELISM, storeFixture, text, valueRef } from './support/store-fixture.js';

const KEYS = Array.from({ length: 60 }, (_, i) => `key-${i}`);
const COMMIT = Buffer.from('commit');

const rangesOf = (parallelism: number): KeyGroupRange[] =>
  Array.from({ length: parallelism }, (_, i) =>
    computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, parallelism, i),
  );

/** Every key of `range` gets the value of round `round`. */
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

/**
 * Waits until the store's queue ran what is in it now (the clean-up after its last commit among
 * it): an abort notice of a checkpoint it never committed is a task that does nothing.
 */
const cleanedUp = (store: DynamoDbStateStore): Promise<void> => store.notifyCheckpointAborted(0);

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const fixture = storeFixture(target, cleanup);
  beforeAll(async () => (await fixture.open({ scope: 'create-table' })).close());
  const base = { skipTableCheck: true, cacheBytes: 4096 } as const;

  /** The commit records of `scope`, from a Scan of the table (not the code under test's Query). */
  async function commitRecords(scope: string): Promise<CommitRecord[]> {
    const meta = Buffer.from(metaPartitionKey(scopeBytes(scope)));
    const records: CommitRecord[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await fixture.client.send(
        new ScanCommand({ TableName: fixture.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const pk = item.pk?.B;
        const sk = item.sk?.B;
        if (pk === undefined || sk === undefined || !Buffer.from(pk).equals(meta)) continue;
        if (!Buffer.from(sk).subarray(0, COMMIT.length).equals(COMMIT)) continue;
        records.push(fromCommitItem(item));
      }
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start !== undefined);
    return records;
  }

  /** Opens the owners of parallelism `parallelism`, restoring `checkpointId` (or the latest) unless `fresh`. */
  const openAll = (
    scope: string,
    parallelism: number,
    options: object,
    startFrom: { kind: 'checkpoint'; checkpointId?: number } | undefined,
  ): Promise<DynamoDbStateStore[]> =>
    Promise.all(
      rangesOf(parallelism).map((keyGroupRange) =>
        fixture.open({ ...base, ...options, scope, keyGroupRange, ...(startFrom ? { startFrom } : {}) }),
      ),
    );

  /** Restores `checkpointId` at parallelism `parallelism` and checks every cell against it. */
  async function expectRestorable(
    scope: string,
    parallelism: number,
    options: object,
    checkpointId: number,
  ): Promise<void> {
    const stores = await openAll(scope, parallelism, options, { kind: 'checkpoint', checkpointId });
    const ranges = rangesOf(parallelism);
    for (const [i, store] of stores.entries()) {
      expect({
        checkpointId,
        parallelism,
        wrong: await wrongCells(store, checkpointId, ranges[i] as KeyGroupRange),
      }).toEqual({ checkpointId, parallelism, wrong: [] });
    }
    for (const store of stores) await store.close();
  }

  it('rescaled 2 -> 3 -> 2 -> 4 -> 1 -> 3 -> 2 -> 4 -> 3 -> 2: commit records stay bounded by owners x retained checkpoints', async () => {
    const scope = 'rescale-records/chain';
    const retainedCheckpoints = 2;
    const options = { retainedCheckpoints };
    const parallelisms = [2, 3, 2, 4, 1, 3, 2, 4, 3, 2];
    const checkpointsPerPhase = 3;
    const counts: number[][] = [];
    const overBound: string[] = [];
    let id = 0;
    for (const [phase, parallelism] of parallelisms.entries()) {
      const stores = await openAll(
        scope,
        parallelism,
        options,
        phase === 0 ? undefined : { kind: 'checkpoint' },
      );
      const ranges = rangesOf(parallelism);
      const previous = parallelisms[phase - 1] ?? parallelism;
      // The owners' own records (retained, and one waiting), and the previous owners' until the
      // checkpoints they restored stop being retained.
      const bound = (retainedCheckpoints + 1) * (parallelism + previous);
      const phaseCounts: number[] = [];
      for (let c = 0; c < checkpointsPerPhase; c++) {
        id++;
        for (const [i, store] of stores.entries()) await writeRound(store, id, ranges[i] as KeyGroupRange);
        for (const store of stores) await store.snapshot(id);
        for (const store of stores) await cleanedUp(store);
        const count = (await commitRecords(scope)).length;
        phaseCounts.push(count);
        if (count > bound) overBound.push(`checkpoint ${id} (p=${parallelism}): ${count} > ${bound}`);
      }
      for (const [i, store] of stores.entries()) {
        expect(await wrongCells(store, id, ranges[i] as KeyGroupRange)).toEqual([]);
      }
      for (const store of stores) await store.close();
      counts.push(phaseCounts);
    }
    const records = await commitRecords(scope);
    process.stdout.write(
      `commit records across ${parallelisms.length - 1} rescales (${target.name}), p = ${parallelisms.join(' -> ')}, ` +
        `retained ${retainedCheckpoints}: after each checkpoint ${counts.map((p) => p.join(' ')).join(' | ')}; ` +
        `at the end ${records.length} (ids ${[...new Set(records.map((r) => r.checkpointId))].sort((a, b) => a - b).join(' ')})\n`,
    );
    expect(overBound).toEqual([]);
    // Not growing with the rescales: a later phase keeps no more than the first of the same
    // parallelisms (p=4 after p=2, p=2 after p=3).
    expect(counts[7]?.at(-1)).toBeLessThanOrEqual(counts[3]?.at(-1) ?? 0);
    expect(counts[9]?.at(-1)).toBeLessThanOrEqual(counts[2]?.at(-1) ?? 0);
    // No record older than what the last owners still restore.
    const listing = await listCheckpoints({ client: fixture.client, tableName: fixture.tableName, scope });
    const restorable = listing.checkpoints.filter((c) => c.restorable).map((c) => c.checkpointId);
    expect(restorable).toEqual([id, id - 1]);
    expect(Math.min(...records.map((r) => r.checkpointId))).toBeGreaterThanOrEqual(id - retainedCheckpoints);
    // Every retained checkpoint restores, at p=1 and at p=3.
    for (const checkpointId of restorable) {
      await expectRestorable(scope, 1, options, checkpointId);
      await expectRestorable(scope, 3, options, checkpointId);
    }
  }, 480_000);

  it('a straddling record stays while an owner of its key groups has not committed since the rescale, and goes once it has', async () => {
    const scope = 'rescale-records/uncommitted-owner';
    // One after the other: the records' order below follows the owners' claim epochs.
    const [leftRange, rightRange] = rangesOf(2) as [KeyGroupRange, KeyGroupRange];
    const left = await fixture.open({ ...base, scope, keyGroupRange: leftRange });
    const right = await fixture.open({ ...base, scope, keyGroupRange: rightRange });
    for (let id = 1; id <= 2; id++) {
      await writeRound(left, id, leftRange);
      await writeRound(right, id, rightRange);
      await left.snapshot(id);
      await right.snapshot(id);
    }
    await left.close();
    await right.close();
    const p2Records = (await commitRecords(scope)).filter((r) => r.checkpointId === 2);
    expect(p2Records.map((r) => [r.start, r.end])).toEqual([
      [0, 63],
      [64, 127],
    ]);

    // p=3: owners 0 and 1 restore and commit 3..6; owner 2 restores and crashes before its first commit.
    const ranges = rangesOf(3);
    const owners = await Promise.all(
      ranges
        .slice(0, 2)
        .map((keyGroupRange) =>
          fixture.open({ ...base, scope, keyGroupRange, startFrom: { kind: 'checkpoint' } }),
        ),
    );
    const crashed = await fixture.open({
      ...base,
      scope,
      keyGroupRange: ranges[2] as KeyGroupRange,
      startFrom: { kind: 'checkpoint' },
    });
    await crashed.close();
    for (let id = 3; id <= 6; id++) {
      for (const [i, owner] of owners.entries()) await writeRound(owner, id, ranges[i] as KeyGroupRange);
      for (const owner of owners) await owner.snapshot(id);
      for (const owner of owners) await cleanedUp(owner);
    }
    // Key groups 86..127 still restore only from checkpoint 2 of [64, 127]: it stays.
    const during = await commitRecords(scope);
    expect(during.filter((r) => r.checkpointId === 2).map((r) => [r.start, r.end])).toContainEqual([64, 127]);
    const successor = await fixture.open({
      ...base,
      scope,
      keyGroupRange: ranges[2] as KeyGroupRange,
      startFrom: { kind: 'checkpoint' },
    });
    expect(successor.restored.map((r) => r.checkpointId)).toEqual([2]);
    expect(await wrongCells(successor, 2, ranges[2] as KeyGroupRange)).toEqual([]);

    // Once the successor commits too (checkpoints 7 and 8 everywhere: an owner of some key groups
    // learns that 7 is complete at its next commit), nothing restores 2 any more: its records go.
    const all = [...owners, successor];
    for (let id = 7; id <= 8; id++) {
      for (const [i, store] of all.entries()) await writeRound(store, id, ranges[i] as KeyGroupRange);
      for (const store of all) await store.snapshot(id);
      for (const store of all) await cleanedUp(store);
    }
    for (const store of all) await store.close();
    const after = await commitRecords(scope);
    process.stdout.write(
      `an owner that had not committed since the rescale (${target.name}): records of checkpoint 2 ` +
        `${during.filter((r) => r.checkpointId === 2).length} while it had not, ` +
        `${after.filter((r) => r.checkpointId === 2).length} after its commit; records ${during.length} -> ${after.length}\n`,
    );
    expect(after.filter((r) => r.checkpointId === 2)).toEqual([]);
    await expectRestorable(scope, 1, {}, 8);
    await expectRestorable(scope, 3, {}, 8);
  }, 240_000);
});
