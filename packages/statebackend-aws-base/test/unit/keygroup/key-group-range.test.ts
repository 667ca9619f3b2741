import { KeyGroupArgumentError, KeyGroupRange } from '../../../src/index.js';

describe('KeyGroupRange', () => {
  it('holds its inclusive bounds and size', () => {
    const range = KeyGroupRange.of(4, 9);
    expect([range.startKeyGroup, range.endKeyGroup, range.size]).toEqual([4, 9, 6]);
    expect(range.contains(4)).toBe(true);
    expect(range.contains(9)).toBe(true);
    expect(range.contains(3)).toBe(false);
    expect(range.contains(10)).toBe(false);
    expect([...range]).toEqual([4, 5, 6, 7, 8, 9]);
    expect(range.keyGroupAt(0)).toBe(4);
    expect(range.keyGroupAt(5)).toBe(9);
    expect(() => range.keyGroupAt(6)).toThrow(KeyGroupArgumentError);
  });

  it('is EMPTY when start > end, and EMPTY holds nothing', () => {
    expect(KeyGroupRange.of(5, 4)).toBe(KeyGroupRange.EMPTY);
    expect(KeyGroupRange.EMPTY.size).toBe(0);
    expect(KeyGroupRange.EMPTY.isEmpty).toBe(true);
    expect(KeyGroupRange.EMPTY.contains(0)).toBe(false);
    expect([...KeyGroupRange.EMPTY]).toEqual([]);
    expect(KeyGroupRange.EMPTY.toString()).toBe('KeyGroupRange [empty]');
  });

  it('a single key group is a range of size 1', () => {
    const single = KeyGroupRange.of(7, 7);
    expect(single.size).toBe(1);
    expect([...single]).toEqual([7]);
    expect(single.toString()).toBe('KeyGroupRange [7, 7]');
  });

  it('intersects overlapping, nested, touching and disjoint ranges', () => {
    const base = KeyGroupRange.of(10, 20);
    expect(base.intersect(KeyGroupRange.of(15, 30)).equals(KeyGroupRange.of(15, 20))).toBe(true);
    expect(base.intersect(KeyGroupRange.of(12, 13)).equals(KeyGroupRange.of(12, 13))).toBe(true);
    expect(base.intersect(KeyGroupRange.of(20, 25)).equals(KeyGroupRange.of(20, 20))).toBe(true);
    expect(base.intersect(KeyGroupRange.of(21, 25))).toBe(KeyGroupRange.EMPTY);
    expect(base.intersect(KeyGroupRange.EMPTY)).toBe(KeyGroupRange.EMPTY);
  });

  it('rejects negative or fractional bounds with a typed error naming the bound', () => {
    expect(() => KeyGroupRange.of(-1, 3)).toThrow(KeyGroupArgumentError);
    expect(() => KeyGroupRange.of(0, 2.5)).toThrow(
      /endKeyGroup: received 2.5; expected a non-negative integer/,
    );
  });

  it('serializes to JSON as { start, end }', () => {
    expect(JSON.parse(JSON.stringify(KeyGroupRange.of(3, 8)))).toEqual({ start: 3, end: 8 });
  });
});
