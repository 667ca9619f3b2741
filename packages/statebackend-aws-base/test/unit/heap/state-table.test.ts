import { ListContainer, MapContainer } from '../../../src/heap/containers.js';
import { StateTable } from '../../../src/heap/state-table.js';
import { KeyGroupRange } from '../../../src/index.js';

const range = KeyGroupRange.of(10, 13);

function entriesOf<V>(view: { entries(keyGroup: number): IterableIterator<[string, V]> }): Record<string, V> {
  const out: Record<string, V> = {};
  for (const keyGroup of range)
    for (const [id, value] of view.entries(keyGroup)) out[`${keyGroup}/${id}`] = value;
  return out;
}

describe('StateTable', () => {
  it('keeps cells per key group, counts them and removes them', () => {
    const table = new StateTable<number>(range);
    table.put(10, 'a', 1);
    table.put(13, 'a', 2);
    table.put(10, 'a', 3);
    expect(table.size).toBe(2);
    expect(table.get(10, 'a')).toBe(3);
    expect(table.get(13, 'a')).toBe(2);
    expect(table.get(11, 'a')).toBeUndefined();
    expect(table.remove(10, 'a')).toBe(true);
    expect(table.remove(10, 'a')).toBe(false);
    expect(table.size).toBe(1);
  });

  it('a snapshot is a frozen view: later puts, removes and clears do not show in it', () => {
    const table = new StateTable<string>(range);
    table.put(10, 'a', 'a1');
    table.put(11, 'b', 'b1');
    const snapshot = table.snapshot();
    table.put(10, 'a', 'a2');
    table.put(10, 'new', 'n');
    table.remove(11, 'b');
    table.put(12, 'c', 'c1');
    expect(entriesOf(snapshot)).toEqual({ '10/a': 'a1', '11/b': 'b1' });
    expect(snapshot.size).toBe(2);
    expect(entriesOf({ entries: (kg: number) => table.entries(kg) })).toEqual({
      '10/a': 'a2',
      '10/new': 'n',
      '12/c': 'c1',
    });
    table.clear();
    expect(entriesOf(snapshot)).toEqual({ '10/a': 'a1', '11/b': 'b1' });
    expect(table.size).toBe(0);
  });

  it('lists and maps changed in place after a snapshot are copied first, so the snapshot keeps its own', () => {
    const table = new StateTable<unknown>(range);
    table.put(10, 'list', new ListContainer(table.version, ['x']));
    const map = new MapContainer(table.version);
    map.entries.set('k', ['k', 1]);
    table.put(10, 'map', map);
    const snapshot = table.snapshot();

    table.getForUpdate<ListContainer>(10, 'list', ListContainer.copy)?.elements.push('y');
    table.getForUpdate<MapContainer>(10, 'map', MapContainer.copy)?.entries.set('k2', ['k2', 2]);

    expect((snapshot.get(10, 'list') as ListContainer).elements).toEqual(['x']);
    expect([...(snapshot.get(10, 'map') as MapContainer).entries.keys()]).toEqual(['k']);
    expect((table.get(10, 'list') as ListContainer).elements).toEqual(['x', 'y']);
    expect([...(table.get(10, 'map') as MapContainer).entries.keys()]).toEqual(['k', 'k2']);
  });

  it('copies once per snapshot, and not at all once the snapshot is released', () => {
    const table = new StateTable<unknown>(range);
    table.put(11, 'list', new ListContainer(table.version, []));
    const snapshot = table.snapshot();
    const first = table.getForUpdate<ListContainer>(11, 'list', ListContainer.copy);
    const second = table.getForUpdate<ListContainer>(11, 'list', ListContainer.copy);
    expect(first).not.toBe(snapshot.get(11, 'list'));
    expect(second).toBe(first);

    const next = table.snapshot();
    expect(table.liveSnapshots).toBe(2);
    snapshot.release();
    next.release();
    next.release();
    expect(table.liveSnapshots).toBe(0);
    const afterRelease = table.getForUpdate<ListContainer>(11, 'list', ListContainer.copy);
    expect(afterRelease).toBe(first);
  });

  it('keeps older snapshots intact while newer ones come and go', () => {
    const table = new StateTable<number>(range);
    table.put(10, 'a', 1);
    const older = table.snapshot();
    table.put(10, 'a', 2);
    const newer = table.snapshot();
    table.put(10, 'a', 3);
    expect(newer.get(10, 'a')).toBe(2);
    newer.release();
    expect(newer.isReleased).toBe(true);
    table.put(10, 'a', 4);
    expect(older.get(10, 'a')).toBe(1);
    expect(table.get(10, 'a')).toBe(4);
  });

  it('records which key groups changed since the previous snapshot', () => {
    const table = new StateTable<unknown>(range);
    table.put(10, 'a', 1);
    table.put(12, 'b', 1);
    expect(table.snapshot().changedKeyGroups).toEqual([10, 12]);
    expect(table.snapshot().changedKeyGroups).toEqual([]);
    table.remove(12, 'b');
    table.remove(13, 'missing');
    table.put(11, 'list', new ListContainer(table.version, []));
    const changed = table.snapshot();
    expect(changed.changedKeyGroups).toEqual([11, 12]);
    changed.release();
    table.getForUpdate<ListContainer>(11, 'list', ListContainer.copy)?.elements.push(1);
    expect(table.snapshot().changedKeyGroups).toEqual([11]);
  });

  it('records the cells written or removed since the previous snapshot once asked to', () => {
    const table = new StateTable<unknown>(range);
    table.put(10, 'untracked', 1);
    table.trackChangedCells();
    table.put(10, 'a', 1);
    table.put(12, 'b', 2);
    table.put(12, 'c', 3);
    table.put(11, 'list', new ListContainer(table.version, []));
    const first = table.snapshot();
    expect(first.changedCells).toEqual(
      new Map([
        [10, new Set(['a'])],
        [11, new Set(['list'])],
        [12, new Set(['b', 'c'])],
      ]),
    );
    // While the first snapshot is still being written: a removal and an in-place change.
    table.remove(12, 'b');
    table.getForUpdate<ListContainer>(11, 'list', ListContainer.copy)?.elements.push(1);
    expect(first.changedCells?.get(12)).toEqual(new Set(['b', 'c']));
    const second = table.snapshot();
    expect(second.changedCells).toEqual(
      new Map([
        [11, new Set(['list'])],
        [12, new Set(['b'])],
      ]),
    );
    table.clear();
    expect(table.snapshot().changedCells).toEqual(
      new Map([
        [10, new Set(['untracked', 'a'])],
        [11, new Set(['list'])],
        [12, new Set(['c'])],
      ]),
    );
  });

  it('a snapshot that keeps the changes (a savepoint) leaves them to the next one', () => {
    const table = new StateTable<number>(range);
    table.trackChangedCells();
    table.put(13, 'a', 1);
    const savepoint = table.snapshot({ keepChanges: true });
    expect([savepoint.changedKeyGroups, savepoint.changedCells]).toEqual([[], undefined]);
    const next = table.snapshot();
    expect([next.changedKeyGroups, next.changedCells]).toEqual([[13], new Map([[13, new Set(['a'])]])]);
    expect(new StateTable<number>(range).snapshot().changedCells).toBeUndefined();
  });
});
