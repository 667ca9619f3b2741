import { MetricSettingError } from '../../../src/index.js';
import { HdrHistogram } from '../../../src/spi.js';

function record(histogram: HdrHistogram, values: readonly number[]): void {
  for (const value of values) histogram.update(value);
}

describe('HdrHistogram', () => {
  it('keeps count, min, max, sum and mean exact, fractions included', () => {
    const histogram = new HdrHistogram();
    record(histogram, [3.5, 1_000_003, 17, 0, 250]);
    const stats = histogram.getStatistics();
    expect(stats.count).toBe(5);
    expect(stats.min).toBe(0);
    expect(stats.max).toBe(1_000_003);
    expect(stats.sum).toBeCloseTo(1_000_273.5, 9);
    expect(stats.mean).toBeCloseTo(200_054.7, 9);
    expect(histogram.getCount()).toBe(5);
  });

  it('gives percentiles within its precision (1% by default) and exact extremes', () => {
    const histogram = new HdrHistogram();
    for (let value = 1; value <= 10_000; value++) histogram.update(value);
    const stats = histogram.getStatistics();
    for (const [q, expected] of [
      [0.5, 5_000],
      [0.95, 9_500],
      [0.99, 9_900],
    ] as const) {
      expect(Math.abs(stats.getQuantile(q) - expected) / expected).toBeLessThan(0.01);
    }
    expect(stats.getQuantile(0)).toBe(1);
    expect(stats.getQuantile(1)).toBe(10_000);
    expect(stats.stdDev).toBeGreaterThan(2_850);
    expect(stats.stdDev).toBeLessThan(2_920);
  });

  it('does not record negative, NaN, infinite or unsafe values, and counts them', () => {
    const histogram = new HdrHistogram();
    record(histogram, [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, 5]);
    expect(histogram.getCount()).toBe(1);
    expect(histogram.getRejectedCount()).toBe(4);
  });

  it('gives each interval reader the values since its last take, and leaves the lifetime whole', () => {
    const histogram = new HdrHistogram();
    const first = histogram.openIntervalReader();
    record(histogram, [1, 2, 3]);
    const second = histogram.openIntervalReader();
    record(histogram, [100, 200]);

    const firstTake = first.take();
    expect([firstTake.count, firstTake.min, firstTake.max, firstTake.sum]).toEqual([5, 1, 200, 306]);
    const secondTake = second.take();
    expect([secondTake.count, secondTake.min, secondTake.max]).toEqual([2, 100, 200]);

    record(histogram, [7]);
    expect(first.take().count).toBe(1);
    expect(first.take().count).toBe(0);
    expect(second.take().sum).toBe(7);
    expect(histogram.getStatistics().count).toBe(6);
  });

  it('hands each interval to a single reader and keeps the lifetime whole', () => {
    const histogram = new HdrHistogram();
    const reader = histogram.openIntervalReader();
    for (const batch of [[1, 2], [30], [400, 500, 600]]) {
      record(histogram, batch);
      const taken = reader.take();
      expect([taken.count, taken.min, taken.max]).toEqual([
        batch.length,
        Math.min(...batch),
        Math.max(...batch),
      ]);
    }
    const lifetime = histogram.getStatistics();
    expect([lifetime.count, lifetime.min, lifetime.max, lifetime.sum]).toEqual([6, 1, 600, 1_533]);
  });

  it('stops keeping values for a closed reader', () => {
    const histogram = new HdrHistogram();
    const reader = histogram.openIntervalReader();
    reader.close();
    record(histogram, [1, 2]);
    expect(reader.take().count).toBe(0);
    expect(histogram.getCount()).toBe(2);
  });

  it('lists distinct values with counts, their extremes exact, bucketed to the precision', () => {
    const histogram = new HdrHistogram();
    record(histogram, [1_001, 1_002, 1_002, 5, 5, 5, 123_457]);
    const { values, counts } = histogram.getStatistics().distribution();
    expect(values[0]).toBe(5);
    expect(values[values.length - 1]).toBe(123_457);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(7);
    expect(values.length).toBeLessThanOrEqual(3);
    expect([...values]).toEqual([...values].sort((a, b) => a - b));
  });

  it('keeps both extremes when they fall into one bucket', () => {
    const histogram = new HdrHistogram();
    record(histogram, [100_000, 100_100, 100_200]);
    const { values, counts } = histogram.getStatistics().distribution();
    expect(values).toEqual([100_000, 100_200]);
    expect(counts).toEqual([2, 1]);
  });

  it('reads zero statistics when nothing was recorded', () => {
    const stats = new HdrHistogram().getStatistics();
    expect([stats.count, stats.min, stats.max, stats.mean, stats.getQuantile(0.5)]).toEqual([0, 0, 0, 0, 0]);
    expect(stats.distribution().values).toEqual([]);
  });

  it('rejects a precision outside 1 to 5 digits', () => {
    expect(() => new HdrHistogram({ significantDigits: 7 as 5 })).toThrow(MetricSettingError);
  });

  it('names the option, the value given and what to give when the precision is out of range', () => {
    for (const digits of [0, 2.5, 6]) {
      expect(() => new HdrHistogram({ significantDigits: digits as 5 })).toThrow(
        expect.objectContaining({
          name: 'MetricSettingError',
          setting: 'HdrHistogram option significantDigits',
          received: String(digits),
          isRetryable: false,
          message: `Invalid HdrHistogram option significantDigits: received ${digits}; give an integer from 1 to 5, or leave it out for 2.`,
        }),
      );
    }
  });
});
