import { KeyGroupRange } from '@statebackend/aws-base';
import { ancestorsOf, type CommitRecord, lineageFor } from '../../src/checkpoint/lineage.js';
import { planRestore } from '../../src/checkpoint/restore-plan.js';
import { keptVersions, resolveSlots } from '../../src/store/visibility.js';

const v = (gen: number, text?: string) => ({
  gen,
  value: text === undefined ? undefined : new TextEncoder().encode(text),
  expiresAt: undefined,
});
const commit = (
  checkpointId: number,
  epoch: number,
  cutoff: number,
  start: number,
  end: number,
  lineage: CommitRecord['lineage'] = [],
): CommitRecord => ({
  checkpointId,
  epoch,
  cutoff,
  start,
  end,
  lineage,
  metadata: new Uint8Array(0),
  committedAt: 0,
  restorable: [checkpointId],
});

describe('what a restored owner sees', () => {
  const ancestors = [
    { epoch: 7, cutoff: 3, start: 0, end: 127 },
    { epoch: 2, cutoff: 9, start: 0, end: 127 },
  ];

  it('its own slot wins, whatever its generation', () => {
    const own = { cur: v(1, 'mine'), kept: [] };
    expect(resolveSlots(own, ancestors, () => ({ cur: v(1, 'old'), kept: [] })).value).toEqual(own.cur.value);
  });

  it("an ancestor's write after its checkpoint is invisible: the version it kept shows", () => {
    const slots = new Map([[7, { cur: v(5, 'after'), kept: [v(3, 'at-checkpoint')] }]]);
    const resolved = resolveSlots(undefined, ancestors, (e) => slots.get(e));
    expect(new TextDecoder().decode(resolved.value)).toBe('at-checkpoint');
  });

  it('an ancestor that had not written the entry by its checkpoint defers to older ancestors', () => {
    const slots = new Map([
      [7, { cur: v(5, 'after'), kept: [] }],
      [2, { cur: v(9, 'older'), kept: [] }],
    ]);
    expect(new TextDecoder().decode(resolveSlots(undefined, ancestors, (e) => slots.get(e)).value)).toBe(
      'older',
    );
  });

  it('a deletion within the cutoff hides older ancestors', () => {
    const slots = new Map([
      [7, { cur: v(2), kept: [] }],
      [2, { cur: v(9, 'older'), kept: [] }],
    ]);
    expect(resolveSlots(undefined, ancestors, (e) => slots.get(e)).value).toBeUndefined();
  });

  it('a write keeps, for each restorable checkpoint, the newest version its cutoff covers', () => {
    const own = { cur: v(5, 'e'), kept: [v(3, 'c'), v(1, 'a')] };
    expect(keptVersions(own, [5])).toEqual([v(5, 'e')]);
    expect(keptVersions(own, [4])).toEqual([v(3, 'c')]);
    expect(keptVersions(own, [1, 4])).toEqual([v(3, 'c'), v(1, 'a')]);
    expect(keptVersions(own, [3, 4])).toEqual([v(3, 'c')]);
    expect(keptVersions(own, [0])).toEqual([]);
    expect(keptVersions(undefined, [3])).toEqual([]);
  });
});

describe('restore plans', () => {
  it('restore the newest checkpoint every key group committed, cutting lineages to the range', () => {
    const commits = [
      commit(5, 1, 4, 0, 127),
      commit(6, 2, 2, 0, 63, [{ epoch: 1, cutoff: 4, start: 0, end: 63 }]),
      commit(6, 3, 7, 64, 127, [{ epoch: 1, cutoff: 4, start: 64, end: 127 }]),
    ];
    const plan = planRestore('loc', KeyGroupRange.of(32, 95), commits, undefined);
    expect(plan.checkpointId).toBe(6);
    expect(ancestorsOf(plan.lineage, 40)).toEqual([
      { epoch: 2, cutoff: 2, start: 32, end: 63 },
      { epoch: 1, cutoff: 4, start: 32, end: 95 },
    ]);
    expect(ancestorsOf(plan.lineage, 80)).toEqual([
      { epoch: 3, cutoff: 7, start: 64, end: 95 },
      { epoch: 1, cutoff: 4, start: 32, end: 95 },
    ]);
  });

  it('pass over a checkpoint one range never committed, when the older one is still retained', () => {
    const left = { ...commit(2, 2, 2, 0, 63), restorable: [1, 2] };
    const commits = [commit(1, 2, 1, 0, 63), commit(1, 3, 1, 64, 127), left];
    expect(planRestore('loc', KeyGroupRange.of(0, 127), commits, undefined).checkpointId).toBe(1);
    const notRetained = [commit(1, 2, 1, 0, 63), commit(1, 3, 1, 64, 127), commit(2, 2, 2, 0, 63)];
    expect(() => planRestore('loc', KeyGroupRange.of(0, 127), notRetained, undefined)).toThrow(
      /not retained/,
    );
  });

  it('refuse a key group without a commit, and a checkpoint older than the newest', () => {
    expect(() => planRestore('loc', KeyGroupRange.of(0, 127), [commit(1, 1, 1, 0, 63)], undefined)).toThrow(
      /no checkpoint was committed for every key group/,
    );
    expect(() =>
      planRestore('loc', KeyGroupRange.of(0, 63), [commit(1, 1, 1, 0, 63), commit(2, 1, 2, 0, 63)], 1),
    ).toThrow(/checkpoint 1 of key group 0 is not retained/);
    const retained = { ...commit(2, 1, 2, 0, 63), restorable: [1, 2] };
    const plan = planRestore('loc', KeyGroupRange.of(0, 63), [commit(1, 1, 1, 0, 63), retained], 1);
    expect(plan.checkpointId).toBe(1);
    expect(plan.lineage).toEqual([{ epoch: 1, cutoff: 1, start: 0, end: 63 }]);
  });

  it('merge per-range entries of one ancestor into one range', () => {
    const lineage = lineageFor(KeyGroupRange.of(0, 9), () => commit(1, 3, 2, 0, 9));
    expect(lineage).toEqual([{ epoch: 3, cutoff: 2, start: 0, end: 9 }]);
  });
});
