import { KeyGroupRange } from '../keygroup/key-group-range.js';

/**
 * Operations on sets of key groups written as ascending, disjoint {@link KeyGroupRange}s. A
 * checkpoint of a range may be spread over several files and parts; these compute which part
 * and file provides which key groups without enumerating key groups one by one.
 */

/** `ranges` without the key groups of `removed`. */
export function subtractRange(ranges: readonly KeyGroupRange[], removed: KeyGroupRange): KeyGroupRange[] {
  const result: KeyGroupRange[] = [];
  for (const range of ranges) {
    const overlap = range.intersect(removed);
    if (overlap.isEmpty) {
      result.push(range);
      continue;
    }
    if (range.startKeyGroup < overlap.startKeyGroup) {
      result.push(KeyGroupRange.of(range.startKeyGroup, overlap.startKeyGroup - 1));
    }
    if (overlap.endKeyGroup < range.endKeyGroup) {
      result.push(KeyGroupRange.of(overlap.endKeyGroup + 1, range.endKeyGroup));
    }
  }
  return result;
}

/** The key groups of `ranges` that `other` holds. */
export function intersectRanges(ranges: readonly KeyGroupRange[], other: KeyGroupRange): KeyGroupRange[] {
  return ranges.map((range) => range.intersect(other)).filter((range) => !range.isEmpty);
}

/** Whether any range of `ranges` contains `keyGroup` (binary search; `ranges` ascending). */
export function rangesContain(ranges: readonly KeyGroupRange[], keyGroup: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const range = ranges[middle] as KeyGroupRange;
    if (keyGroup < range.startKeyGroup) high = middle - 1;
    else if (keyGroup > range.endKeyGroup) low = middle + 1;
    else return true;
  }
  return false;
}

/** Sorts and merges ranges that overlap or touch. */
export function normalizeRanges(ranges: readonly KeyGroupRange[]): KeyGroupRange[] {
  const sorted = ranges.filter((range) => !range.isEmpty).sort((a, b) => a.startKeyGroup - b.startKeyGroup);
  const result: KeyGroupRange[] = [];
  for (const range of sorted) {
    const last = result[result.length - 1];
    if (last !== undefined && range.startKeyGroup <= last.endKeyGroup + 1) {
      result[result.length - 1] = KeyGroupRange.of(
        last.startKeyGroup,
        Math.max(last.endKeyGroup, range.endKeyGroup),
      );
    } else {
      result.push(range);
    }
  }
  return result;
}

/** Ranges of the ascending, distinct key groups given. */
export function rangesOfKeyGroups(keyGroups: Iterable<number>): KeyGroupRange[] {
  const result: KeyGroupRange[] = [];
  let start = -1;
  let end = -2;
  for (const keyGroup of keyGroups) {
    if (keyGroup === end + 1) {
      end = keyGroup;
      continue;
    }
    if (start >= 0) result.push(KeyGroupRange.of(start, end));
    start = keyGroup;
    end = keyGroup;
  }
  if (start >= 0) result.push(KeyGroupRange.of(start, end));
  return result;
}

/** Number of key groups in `ranges`. */
export function countKeyGroups(ranges: readonly KeyGroupRange[]): number {
  return ranges.reduce((sum, range) => sum + range.size, 0);
}
