import { KeyGroupRange } from '@statebackend/aws-base';
import type { CommitLog } from '../../src/checkpoint/commit-log.js';
import type { CommitRecord } from '../../src/checkpoint/lineage.js';
import { planRestore } from '../../src/checkpoint/restore-plan.js';
import { isUnreachable, pruneCommits } from '../../src/store/prune-commits.js';
import { reachableRecords } from '../../src/store/unread-slots.js';

const record = (
  checkpointId: number,
  epoch: number,
  start: number,
  end: number,
  restorable: number[] = [checkpointId],
): CommitRecord => ({
  checkpointId,
  epoch,
  cutoff: checkpointId,
  start,
  end,
  lineage: [],
  metadata: new Uint8Array(0),
  committedAt: 0,
  restorable,
});

/** A commit log holding `records` in memory. */
function memoryLog(records: CommitRecord[]): CommitLog & { records: CommitRecord[] } {
  return {
    records,
    location: 'memory://log',
    claim: () => Promise.resolve(0),
    checkNotFenced: () => Promise.resolve(),
    commit: () => Promise.resolve(),
    list() {
      return Promise.resolve(
        [...this.records].sort((a, b) => b.checkpointId - a.checkpointId || b.epoch - a.epoch),
      );
    },
    remove(gone) {
      this.records = this.records.filter((r) => !gone.includes(r));
      return Promise.resolve();
    },
    updatesRestorable: true,
    updateRestorable: () => Promise.resolve(),
  };
}

/** What a restore of key group `kg` does for each id (or `latest`): the records it picks, or that it fails. */
function plans(records: readonly CommitRecord[], kg: number, ids: readonly number[]): string[] {
  return [undefined, ...ids].map((id) => {
    try {
      const plan = planRestore('memory://log', KeyGroupRange.of(kg, kg), records, id);
      return `${id}: ${plan.checkpointId} ${JSON.stringify(plan.lineage)}`;
    } catch (error) {
      return `${id}: ${(error as Error).name}`;
    }
  });
}

describe('pruning commit records that straddle owners after a rescale', () => {
  // p=2 committed 1 and 2; p=3 restored 2: owners 0 and 1 committed 3 and 4 (retaining the restored 2
  // while 3 and 4 are not complete), owner 2 crashed before its first commit.
  const p2 = [record(1, 1, 0, 63), record(1, 2, 64, 127), record(2, 1, 0, 63), record(2, 2, 64, 127)];
  const p3 = [record(3, 3, 0, 42, [2, 3]), record(3, 4, 43, 85, [2, 3])];

  it('a record stays while a key group it covers still restores from it, and goes once none does', async () => {
    const log = memoryLog([...p2, ...p3, record(4, 3, 0, 42, [2, 4]), record(4, 4, 43, 85, [2, 4])]);
    // Owner 0 (0..42) prunes: only checkpoint 1 of [0, 63] (no key group restores it) goes.
    expect(await pruneCommits(log, KeyGroupRange.of(0, 42), 2)).toBe(1);
    expect(log.records.map((r) => `${r.checkpointId}:${r.start}-${r.end}`).sort()).toEqual(
      ['1:64-127', '2:0-63', '2:64-127', '3:0-42', '3:43-85', '4:0-42', '4:43-85'].sort(),
    );
    // Key groups 86..127 have nothing newer than 2 of [64, 127]: it stays whoever prunes.
    expect(await pruneCommits(log, KeyGroupRange.of(43, 85), 2)).toBe(1); // 1 of [64, 127]
    expect(log.records.some((r) => r.checkpointId === 2 && r.start === 64)).toBe(true);
    // Owner 2 committed 5 and learnt it complete; owners 0 and 1 then committed 6, keeping 5 and 6.
    log.records.push(record(5, 5, 86, 127, [5]), record(5, 3, 0, 42, [2, 5]), record(5, 4, 43, 85, [2, 5]));
    log.records.push(record(6, 3, 0, 42, [5, 6]), record(6, 4, 43, 85, [5, 6]));
    // Owner 2 prunes 2 of [64, 127]; owner 0 prunes 2 of [0, 63] and its own 3 and 4.
    expect(await pruneCommits(log, KeyGroupRange.of(86, 127), 5)).toBe(1);
    expect(await pruneCommits(log, KeyGroupRange.of(0, 42), 5)).toBe(3);
    expect(log.records.filter((r) => r.checkpointId <= 2)).toEqual([]);
  });

  it("a record outside the writer's key groups is left to their owners", async () => {
    const log = memoryLog([...p2, record(3, 3, 0, 127, [3])]);
    expect(await pruneCommits(log, KeyGroupRange.of(0, 63), 3)).toBe(2);
    expect(log.records.map((r) => `${r.checkpointId}:${r.start}-${r.end}`).sort()).toEqual(
      ['1:64-127', '2:64-127', '3:0-127'].sort(),
    );
  });

  it('random record sets: pruning changes no restore of any key group, and checks each run of key groups once', () => {
    let seed = 20;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const maxParallelism = 16;
    let pruned = 0;
    for (let run = 0; run < 300; run++) {
      const records: CommitRecord[] = [];
      let epoch = 0;
      for (let id = 1; id <= 8; id++) {
        // A random split of the key groups, some parts not committed.
        let start = 0;
        while (start < maxParallelism) {
          const end = Math.min(maxParallelism - 1, start + random(8));
          epoch++;
          if (random(5) > 0) {
            const restorable = [
              ...new Set([id - 1 - random(3), id - 1, id].filter((i) => i > 0 && random(3) > 0)),
            ];
            records.push(
              record(
                id,
                epoch,
                start,
                end,
                [...restorable, id].sort((a, b) => a - b),
              ),
            );
          }
          start = end + 1;
        }
      }
      for (const r of records) {
        const byKeyGroup = Array.from({ length: r.end - r.start + 1 }, (_, i) =>
          reachableRecords(records, r.start + i).includes(r),
        );
        expect(isUnreachable(records, r)).toBe(!byKeyGroup.some(Boolean));
      }
      const kept = records.filter((r) => !isUnreachable(records, r));
      pruned += records.length - kept.length;
      const ids = [...new Set(records.map((r) => r.checkpointId))];
      for (let kg = 0; kg < maxParallelism; kg++) {
        expect(plans(kept, kg, ids)).toEqual(plans(records, kg, ids));
      }
    }
    expect(pruned).toBeGreaterThan(1000);
  });
});
