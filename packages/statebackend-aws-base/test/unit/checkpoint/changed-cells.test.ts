import { ChangedCells } from '../../../src/checkpoint/snapshot/changed-cells.js';

describe('ChangedCells', () => {
  const table = (entries: [number, string[]][]) => new Map(entries.map(([kg, ids]) => [kg, new Set(ids)]));

  it('groups the cells changed in several tables by key group and state', () => {
    const changed = ChangedCells.ofTables([
      { stateName: 'counts', cells: table([[3, ['a', 'b']]]) },
      {
        stateName: 'pages',
        cells: table([
          [1, ['a']],
          [3, ['c']],
        ]),
      },
    ]);
    expect(changed.keyGroups).toEqual([1, 3]);
    expect(changed.countOf(3)).toBe(3);
    expect(changed.countOf(2)).toBe(0);
    expect(changed.cellsOf(3)).toEqual(
      new Map([
        ['counts', new Set(['a', 'b'])],
        ['pages', new Set(['c'])],
      ]),
    );
  });

  it('unites the changes of several snapshots without changing them', () => {
    const first = ChangedCells.ofTables([{ stateName: 'counts', cells: table([[3, ['a', 'b']]]) }]);
    const second = ChangedCells.ofTables([
      {
        stateName: 'counts',
        cells: table([
          [3, ['b', 'c']],
          [5, ['d']],
        ]),
      },
    ]);
    const union = ChangedCells.union([first, second]);
    expect(ChangedCells.union([first])).toBe(first);
    expect(union.keyGroups).toEqual([3, 5]);
    expect(union.countOf(3)).toBeGreaterThanOrEqual(3);
    expect(union.cellsOf(3)).toEqual(new Map([['counts', new Set(['a', 'b', 'c'])]]));
    expect(union.cellsOf(4)).toBeUndefined();
    expect(first.cellsOf(3)).toEqual(new Map([['counts', new Set(['a', 'b'])]]));
  });
});
