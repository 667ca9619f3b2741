import type { CommitRecord } from '../../src/checkpoint/lineage.js';
import type { SlotItem, Version } from '../../src/layout/slot-item.js';
import { type ReaderChain, reachableRecords, readersOf, unreadSlots } from '../../src/store/unread-slots.js';
import { resolveSlots } from '../../src/store/visibility.js';

const value = (gen: number, text: string): Version => ({
  gen,
  value: new TextEncoder().encode(text),
  expiresAt: undefined,
});
const removal = (gen: number): Version => ({ gen, value: undefined, expiresAt: undefined });
const slot = (cur: Version, ...kept: Version[]): SlotItem => ({ cur, kept });
const OWN = 9;

/** What each reader reads: the value's text, or undefined for absent. */
function reads(
  slots: ReadonlyMap<number, SlotItem>,
  readers: readonly ReaderChain[],
): (string | undefined)[] {
  return readers.map((chain) => {
    const ancestors = chain.map((link) => ({ ...link, start: 0, end: 0 }));
    const resolved = resolveSlots(undefined, ancestors, (epoch) => slots.get(epoch));
    return resolved.value === undefined ? undefined : new TextDecoder().decode(resolved.value);
  });
}

describe('which slots of an entry no reader reads', () => {
  it("a crashed owner's write after its last commit goes; its kept committed version stays", () => {
    const readers: ReaderChain[] = [[{ epoch: 5, cutoff: 3 }]];
    expect(unreadSlots(new Map([[5, slot(value(4, 'late'))]]), readers, OWN)).toEqual({
      unresolved: [5],
      removals: [],
    });
    expect(unreadSlots(new Map([[5, slot(value(4, 'late'), value(2, 'kept'))]]), readers, OWN)).toEqual({
      unresolved: [],
      removals: [],
    });
  });

  it("an older writer's item goes once every reader reads a newer one; not while an older checkpoint reads it", () => {
    const slots = new Map([
      [5, slot(value(2, 'new'))],
      [3, slot(value(7, 'old'))],
    ]);
    const lineage: ReaderChain = [
      { epoch: 5, cutoff: 3 },
      { epoch: 3, cutoff: 7 },
    ];
    expect(unreadSlots(slots, [lineage], OWN)).toEqual({ unresolved: [3], removals: [] });
    expect(unreadSlots(slots, [lineage, [{ epoch: 3, cutoff: 7 }]], OWN)).toEqual({
      unresolved: [],
      removals: [],
    });
  });

  it('a removal goes after what it hides, and stays while a reader below it still needs a value', () => {
    const slots = new Map([
      [5, slot(removal(2))],
      [3, slot(value(7, 'old'))],
    ]);
    const lineage: ReaderChain = [
      { epoch: 5, cutoff: 3 },
      { epoch: 3, cutoff: 7 },
    ];
    expect(unreadSlots(slots, [lineage], OWN)).toEqual({ unresolved: [3], removals: [5] });
    expect(unreadSlots(slots, [lineage, [{ epoch: 3, cutoff: 7 }]], OWN)).toEqual({
      unresolved: [],
      removals: [],
    });
  });

  it('never deletes the own slot or a newer owner’s', () => {
    const slots = new Map([
      [OWN, slot(value(1, 'own'))],
      [12, slot(value(1, 'newer'))],
    ]);
    expect(unreadSlots(slots, [[]], OWN)).toEqual({ unresolved: [], removals: [] });
  });

  it('readers are the lineage and every commit record covering the key group, each cut to it', () => {
    const record = (epoch: number, start: number, end: number): CommitRecord => ({
      checkpointId: 1,
      epoch,
      cutoff: 4,
      start,
      end,
      lineage: [{ epoch: 2, cutoff: 6, start: 0, end: 1 }],
      metadata: new Uint8Array(0),
      committedAt: 0,
      restorable: [1],
    });
    const lineage = [{ epoch: 5, cutoff: 3, start: 0, end: 3 }];
    expect(readersOf(lineage, [record(4, 0, 1), record(6, 2, 3)], 1)).toEqual([
      [{ epoch: 5, cutoff: 3, start: 0, end: 3 }],
      [
        { epoch: 4, cutoff: 4, start: 0, end: 1 },
        { epoch: 2, cutoff: 6, start: 0, end: 1 },
      ],
    ]);
  });

  it('a record no restore can pick any more reads nothing, whoever wrote it', () => {
    const record = (checkpointId: number, epoch: number, restorable: number[]): CommitRecord => ({
      checkpointId,
      epoch,
      cutoff: 4,
      start: 0,
      end: 3,
      lineage: [],
      metadata: new Uint8Array(0),
      committedAt: 0,
      restorable,
    });
    // A chain of owners each stopped before pruning: 3 and 4 left behind, 5 keeps 4 restorable.
    const records = [record(3, 2, [3]), record(4, 3, [4]), record(5, 4, [4, 5])];
    expect(reachableRecords(records, 1).map((r) => r.checkpointId)).toEqual([4, 5]);
    expect(reachableRecords([...records, record(6, 5, [6])], 1).map((r) => r.checkpointId)).toEqual([6]);
    expect(readersOf([], [...records, record(6, 5, [6])], 1)).toEqual([
      [],
      [{ epoch: 5, cutoff: 4, start: 0, end: 3 }],
    ]);
    expect(reachableRecords(records, 9)).toEqual([]);
  });

  it('deleting `unresolved`, then `removals` in any order, changes no reader at any step (random entries)', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    let deletions = 0;
    for (let run = 0; run < 2000; run++) {
      const slots = new Map<number, SlotItem>();
      for (let epoch = 1; epoch <= 6; epoch++) {
        if (random(3) === 0) continue;
        const versions = Array.from({ length: 1 + random(3) }, () => {
          const gen = 1 + random(8);
          return random(3) === 0 ? removal(gen) : value(gen, `${epoch}.${gen}`);
        }).sort((a, b) => b.gen - a.gen);
        const [cur, ...kept] = versions as [Version, ...Version[]];
        slots.set(epoch, slot(cur, ...kept));
      }
      const readers: ReaderChain[] = Array.from({ length: 1 + random(3) }, () =>
        [6, 5, 4, 3, 2, 1].filter(() => random(2) === 0).map((epoch) => ({ epoch, cutoff: 1 + random(8) })),
      );
      const before = reads(slots, readers);
      const { unresolved, removals } = unreadSlots(slots, readers, OWN);
      const order = [...unresolved, ...(random(2) === 0 ? removals : [...removals].reverse())];
      for (const epoch of order) {
        slots.delete(epoch);
        deletions++;
        expect(reads(slots, readers)).toEqual(before);
      }
    }
    expect(deletions).toBeGreaterThan(1000);
  });
});
