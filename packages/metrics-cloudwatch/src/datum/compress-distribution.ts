import { CloudWatchReporterUsageError } from '../errors.js';

/** Distinct values (ascending) and how often each occurred. */
export interface Distribution {
  readonly values: readonly number[];
  readonly counts: readonly number[];
}

/**
 * Groups of consecutive entries whose values lie within `width` (relative) of the group's first;
 * `floor` stands in for the magnitude of a group starting at 0.
 */
function groupStarts(
  values: readonly number[],
  from: number,
  to: number,
  width: number,
  floor: number,
): number[] {
  const starts: number[] = [];
  let start = Number.NaN;
  for (let i = from; i < to; i++) {
    const value = values[i] ?? 0;
    if (starts.length === 0 || value - start > width * Math.max(Math.abs(start), floor)) {
      starts.push(i);
      start = value;
    }
  }
  return starts;
}

/**
 * The distribution in at most `maxValues` entries, for CloudWatch's 150 distinct values per
 * datum. The first and last entries (the exact minimum and maximum) are kept as they are; the
 * entries between are merged into ranges of equal relative width, the narrowest that fits, and
 * each range is sent as the count-weighted mean of its values with their total count. So the
 * sample count is exact, the sum is exact up to the input's precision, and a percentile moves by
 * at most the relative width of a range: `(max / min)^(1 / (maxValues - 2)) - 1`, for instance
 * 4.8% when values span three decades and 150 values are allowed (9.8% for six).
 */
export function compressDistribution(distribution: Distribution, maxValues: number): Distribution {
  const { values, counts } = distribution;
  if (values.length <= maxValues) return distribution;
  if (maxValues < 3)
    throw new CloudWatchReporterUsageError(
      `compressDistribution: maxValues must be at least 3 (the minimum, the maximum and one range), received ${maxValues}`,
    );
  const last = values.length - 1;
  const budget = maxValues - 2;
  let largest = 0;
  for (let i = 1; i < last; i++) largest = Math.max(largest, Math.abs(values[i] ?? 0));
  const floor = largest * 1e-9 || Number.MIN_VALUE;
  const ranges = (width: number) => groupStarts(values, 1, last, width, floor);
  // The smallest relative width that leaves at most `budget` ranges, by bisection.
  let low = 0;
  let high = 1;
  while (ranges(high).length > budget) high *= 2;
  for (let step = 0; step < 30; step++) {
    const middle = (low + high) / 2;
    if (ranges(middle).length > budget) low = middle;
    else high = middle;
  }
  const starts = ranges(high);
  const outValues = [values[0] ?? 0];
  const outCounts = [counts[0] ?? 0];
  for (let g = 0; g < starts.length; g++) {
    const from = starts[g] ?? 1;
    const to = starts[g + 1] ?? last;
    let total = 0;
    let weighted = 0;
    for (let i = from; i < to; i++) {
      total += counts[i] ?? 0;
      weighted += (values[i] ?? 0) * (counts[i] ?? 0);
    }
    outValues.push(total === 0 ? (values[from] ?? 0) : weighted / total);
    outCounts.push(total);
  }
  outValues.push(values[last] ?? 0);
  outCounts.push(counts[last] ?? 0);
  return { values: outValues, counts: outCounts };
}
