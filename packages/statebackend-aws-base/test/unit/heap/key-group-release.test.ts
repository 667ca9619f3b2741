import { ListContainer } from '../../../src/heap/containers.js';
import { StateTable } from '../../../src/heap/state-table.js';
import { KeyGroupRange, StateBackendError } from '../../../src/index.js';

// A checkpoint lets go of each key group once written: writes to it stop copying for that
// snapshot, while key groups it still has to write stay frozen, and overlapping snapshots keep
// theirs.

const range = KeyGroupRange.of(0, 3);

function cells<V>(snapshot: { entries(keyGroup: number): IterableIterator<[string, V]> }, keyGroup: number) {
  return Object.fromEntries(snapshot.entries(keyGroup));
}

describe('StateTableSnapshot.releaseKeyGroup', () => {
  it('lets writes to a written key group change its map in place; the others stay frozen', () => {
    const table = new StateTable<unknown>(range);
    table.put(0, 'a', 1);
    table.put(1, 'b', 1);
    table.put(1, 'list', new ListContainer(table.version, ['x']));
    const snapshot = table.snapshot();
    table.put(0, 'a', 2); // into an overlay: key group 0 is not written yet
    snapshot.releaseKeyGroup(0);
    // The overlay was folded back: the table reads the new value from its map.
    expect(table.get(0, 'a')).toBe(2);
    table.put(0, 'c', 3);
    expect(table.size).toBe(4);

    // Key group 1 is still frozen for the snapshot: a list changed in place is copied first.
    table.getForUpdate<ListContainer>(1, 'list', ListContainer.copy)?.elements.push('y');
    table.put(1, 'b', 2);
    expect((cells(snapshot, 1).list as ListContainer).elements).toEqual(['x']);
    expect(cells(snapshot, 1).b).toBe(1);
    snapshot.releaseKeyGroup(1);
    const list = table.getForUpdate<ListContainer>(1, 'list', ListContainer.copy);
    expect(table.getForUpdate<ListContainer>(1, 'list', ListContainer.copy)).toBe(list);
    expect(list?.elements).toEqual(['x', 'y']);

    expect(() => snapshot.entries(0)).toThrow(StateBackendError);
    expect(() => snapshot.get(0, 'a')).toThrow(StateBackendError);
    snapshot.release();
    expect(table.liveSnapshots).toBe(0);
  });

  it('keeps a key group frozen while an overlapping snapshot still holds it', () => {
    const table = new StateTable<number>(range);
    table.put(2, 'a', 1);
    const first = table.snapshot();
    table.put(2, 'a', 2);
    const second = table.snapshot();
    table.put(2, 'a', 3);
    first.releaseKeyGroup(2);
    table.put(2, 'a', 4);
    expect(cells(second, 2)).toEqual({ a: 2 });
    second.releaseKeyGroup(2);
    table.put(2, 'a', 5);
    expect(table.get(2, 'a')).toBe(5);
    // The first snapshot still holds the other key groups until released.
    table.put(3, 'z', 1);
    expect(cells(first, 3)).toEqual({});
    first.release();
    second.release();
    expect(table.liveSnapshots).toBe(0);
    expect(table.size).toBe(2);
  });
});
