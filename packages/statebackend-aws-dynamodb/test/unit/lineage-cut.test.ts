import { KeyGroupRange } from '@statebackend/aws-base';
import { ancestorsOf, cutLineage, type LineageEntry } from '../../src/checkpoint/lineage.js';
import { keyGroupsDeeperThan, lineageDepth } from '../../src/store/lineage-compaction.js';

describe('lineage cut by key group (resumable compaction)', () => {
  const lineage: LineageEntry[] = [
    { epoch: 9, cutoff: 3, start: 0, end: 7 },
    { epoch: 7, cutoff: 5, start: 0, end: 3 },
    { epoch: 6, cutoff: 2, start: 2, end: 7 },
  ];

  it('key groups copied forward lose every ancestor; the others keep exactly theirs', () => {
    const copied = new Set([1, 2, 3, 6]);
    const { kept, dropped } = cutLineage(lineage, copied);
    for (let kg = 0; kg <= 7; kg++) {
      const expected = copied.has(kg) ? [] : ancestorsOf(lineage, kg);
      expect(ancestorsOf(kept, kg)).toEqual(expected.map((e) => ({ ...e, ...pieceOf(kept, e.epoch, kg) })));
      const gone = copied.has(kg) ? ancestorsOf(lineage, kg).map((e) => e.epoch) : [];
      expect(ancestorsOf(dropped, kg).map((e) => e.epoch)).toEqual(gone);
    }
    expect(kept).toEqual([
      { epoch: 9, cutoff: 3, start: 0, end: 0 },
      { epoch: 9, cutoff: 3, start: 4, end: 5 },
      { epoch: 9, cutoff: 3, start: 7, end: 7 },
      { epoch: 7, cutoff: 5, start: 0, end: 0 },
      { epoch: 6, cutoff: 2, start: 4, end: 5 },
      { epoch: 6, cutoff: 2, start: 7, end: 7 },
    ]);
  });

  it('cutting nothing keeps the lineage, cutting again changes nothing', () => {
    expect(cutLineage(lineage, new Set()).kept).toEqual(lineage);
    const once = cutLineage(lineage, new Set([0, 1])).kept;
    expect(cutLineage(once, new Set([0, 1])).kept).toEqual(once);
    expect(cutLineage(once, new Set([0, 1])).dropped).toEqual([]);
  });

  it('a compaction picks the key groups deeper than its depth', () => {
    const range = KeyGroupRange.of(0, 7);
    expect(lineageDepth(range, lineage)).toBe(3);
    expect(keyGroupsDeeperThan(range, lineage, 2)).toEqual([2, 3]);
    expect(keyGroupsDeeperThan(range, lineage, 1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(lineageDepth(range, cutLineage(lineage, new Set([2, 3])).kept)).toBe(2);
  });
});

/** The piece of the entry of `epoch` in `lineage` that covers `kg`. */
function pieceOf(
  lineage: readonly LineageEntry[],
  epoch: number,
  kg: number,
): { start: number; end: number } {
  const piece = lineage.find((e) => e.epoch === epoch && e.start <= kg && kg <= e.end);
  if (piece === undefined) throw new Error(`no piece of epoch ${epoch} at ${kg}`);
  return { start: piece.start, end: piece.end };
}
