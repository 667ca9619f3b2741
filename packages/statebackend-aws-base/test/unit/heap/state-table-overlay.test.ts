import { ListContainer } from '../../../src/heap/containers.js';
import { StateTable } from '../../../src/heap/state-table.js';
import type { StateTableSnapshot } from '../../../src/heap/state-table-snapshot.js';
import { KeyGroupRange } from '../../../src/index.js';

// Writes while a snapshot holds a key group's map go to an overlay (tombstones for removals),
// folded into the map when the last snapshot holding it is released. These tests check the
// table and every snapshot against plain copies, whatever the order of writes and releases.

const range = KeyGroupRange.of(0, 3);

function contents<V>(view: { entries(keyGroup: number): IterableIterator<[string, V]> }): Map<string, V> {
  const out = new Map<string, V>();
  for (const keyGroup of range)
    for (const [id, value] of view.entries(keyGroup)) out.set(`${keyGroup}/${id}`, value);
  return out;
}

function sorted<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A small deterministic generator, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('StateTable overlays', () => {
  it('writes, removals and re-writes during a snapshot leave it intact and are all visible in the table', () => {
    const table = new StateTable<string>(range);
    table.put(1, 'a', 'a1');
    table.put(1, 'b', 'b1');
    table.put(2, 'c', 'c1');
    const snapshot = table.snapshot();
    table.put(1, 'a', 'a2'); // overwrite a base cell
    table.remove(1, 'b'); // tombstone
    table.put(1, 'new', 'n1'); // a cell only in the overlay
    table.remove(1, 'new'); // removed again: gone from the overlay
    table.put(2, 'c', 'c2');
    table.remove(2, 'c');
    table.put(2, 'c', 'c3'); // removed, then written again
    expect(table.remove(1, 'b')).toBe(false);
    expect(table.get(1, 'b')).toBeUndefined();
    expect(sorted(contents(table))).toEqual([
      ['1/a', 'a2'],
      ['2/c', 'c3'],
    ]);
    expect(table.size).toBe(2);
    expect(sorted(contents(snapshot))).toEqual([
      ['1/a', 'a1'],
      ['1/b', 'b1'],
      ['2/c', 'c1'],
    ]);
    expect([snapshot.sizeOf(1), snapshot.sizeOf(2), snapshot.size]).toEqual([2, 1, 3]);

    snapshot.release();
    expect(sorted(contents(table))).toEqual([
      ['1/a', 'a2'],
      ['2/c', 'c3'],
    ]);
    // After the fold the base is written in place again, and a new snapshot is isolated as before.
    const next = table.snapshot();
    expect(next.sizeOf(1)).toBe(1);
    table.put(1, 'a', 'a3');
    expect(next.get(1, 'a')).toBe('a2');
    expect(table.get(1, 'a')).toBe('a3');
  });

  it('containers copied on write during a snapshot go to the overlay and stay current after the fold', () => {
    const table = new StateTable<unknown>(range);
    table.put(0, 'list', new ListContainer(table.version, ['x']));
    const snapshot = table.snapshot();
    const copied = table.getForUpdate<ListContainer>(0, 'list', ListContainer.copy);
    copied?.elements.push('y');
    expect(table.getForUpdate<ListContainer>(0, 'list', ListContainer.copy)).toBe(copied);
    expect((snapshot.get(0, 'list') as ListContainer).elements).toEqual(['x']);
    snapshot.release();
    expect(table.get(0, 'list')).toBe(copied);
    expect((table.get(0, 'list') as ListContainer).elements).toEqual(['x', 'y']);
  });

  it('matches plain copies under random writes, removals, clears and overlapping snapshots', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const table = new StateTable<number>(range);
      const model = new Map<string, number>();
      const live: { snapshot: StateTableSnapshot<number>; expected: Map<string, number> }[] = [];
      for (let step = 0; step < 600; step++) {
        const roll = next();
        const keyGroup = Math.floor(next() * 4);
        const id = `k${Math.floor(next() * 12)}`;
        if (roll < 0.5) {
          table.put(keyGroup, id, step);
          model.set(`${keyGroup}/${id}`, step);
        } else if (roll < 0.8) {
          expect(table.remove(keyGroup, id)).toBe(model.delete(`${keyGroup}/${id}`));
        } else if (roll < 0.88) {
          live.push({ snapshot: table.snapshot(), expected: new Map(model) });
        } else if (roll < 0.98) {
          const [released] = live.splice(Math.floor(next() * live.length), 1);
          if (released !== undefined) {
            expect(sorted(contents(released.snapshot))).toEqual(sorted(released.expected));
            released.snapshot.release();
          }
        } else {
          table.clear();
          model.clear();
        }
        expect(table.size).toBe(model.size);
      }
      expect(sorted(contents(table))).toEqual(sorted(model));
      for (const { snapshot, expected } of live) {
        expect(sorted(contents(snapshot))).toEqual(sorted(expected));
        expect(snapshot.size).toBe(expected.size);
        for (const keyGroup of range) {
          const inGroup = [...expected.keys()].filter((key) => key.startsWith(`${keyGroup}/`)).length;
          expect(snapshot.sizeOf(keyGroup)).toBe(inGroup);
        }
        for (const [key, value] of expected) {
          const [keyGroup, id] = key.split('/') as [string, string];
          expect(snapshot.get(Number(keyGroup), id)).toBe(value);
        }
      }
    }
  });
});
