import { StateTable } from '../../../src/heap/state-table.js';
import type { StateTableSnapshot } from '../../../src/heap/state-table-snapshot.js';
import { KeyGroupRange } from '../../../src/index.js';

// Writes while a snapshot holds a key group do not look up its frozen map to learn whether they
// add a cell; the counts must still come out exact, in the table and in every snapshot taken.

const range = KeyGroupRange.of(0, 7);

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('StateTable counts with writes to overlays', () => {
  it.each([1, 2, 3, 4, 5])('stay exact through puts, removes, snapshots and releases (seed %i)', (seed) => {
    const next = random(seed);
    const table = new StateTable<number>(range);
    const model = new Map<string, number>();
    const live: {
      snapshot: StateTableSnapshot<number>;
      cells: Map<string, number>;
      released: Set<number>;
    }[] = [];
    for (let step = 0; step < 4000; step++) {
      const roll = next();
      const keyGroup = Math.floor(next() * 8);
      const id = `k${Math.floor(next() * 40)}`;
      const cell = `${keyGroup}/${id}`;
      if (roll < 0.55) {
        table.put(keyGroup, id, step);
        model.set(cell, step);
      } else if (roll < 0.8) {
        expect(table.remove(keyGroup, id)).toBe(model.delete(cell));
      } else if (roll < 0.86 && live.length < 3) {
        const snapshot = table.snapshot();
        live.push({ snapshot, cells: new Map(model), released: new Set() });
        expect(snapshot.size).toBe(model.size);
      } else if (roll < 0.93 && live.length > 0) {
        const held = live[Math.floor(next() * live.length)];
        if (held !== undefined && !held.released.has(keyGroup)) {
          // What it holds of this key group, then let go of it.
          const cells = Object.fromEntries(held.snapshot.entries(keyGroup));
          const expected = Object.fromEntries(
            [...held.cells].filter(([c]) => c.startsWith(`${keyGroup}/`)).map(([c, v]) => [c.slice(2), v]),
          );
          expect(cells).toEqual(expected);
          expect(held.snapshot.sizeOf(keyGroup)).toBe(Object.keys(expected).length);
          held.snapshot.releaseKeyGroup(keyGroup);
          held.released.add(keyGroup);
        }
      } else if (live.length > 0) {
        live.shift()?.snapshot.release();
      }
      if (step % 97 === 0) {
        expect(table.size).toBe(model.size);
        if (model.size > 0) expect(table.isEmpty).toBe(false);
      }
    }
    expect(table.size).toBe(model.size);
    for (const { snapshot } of live) snapshot.release();
    expect(table.size).toBe(model.size);
    expect(table.isEmpty).toBe(model.size === 0);
  });
});
