import { compressDistribution } from '../../src/index.js';

describe('compressDistribution', () => {
  it('leaves a distribution that fits as it is', () => {
    const distribution = { values: [1, 2, 3], counts: [1, 1, 1] };
    expect(compressDistribution(distribution, 150)).toBe(distribution);
  });

  it('keeps min and max, the total count and the sum, within the allowed number of values', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => 1 + i * 1.5);
    const counts = values.map((_, i) => 1 + (i % 7));
    const result = compressDistribution({ values, counts }, 150);
    expect(result.values).toHaveLength(150);
    expect(result.values[0]).toBe(1);
    expect(result.values[149]).toBe(values[999]);
    expect(result.counts.reduce((a, b) => a + b, 0)).toBe(counts.reduce((a, b) => a + b, 0));
    const sum = (v: readonly number[], c: readonly number[]) => v.reduce((s, x, i) => s + x * (c[i] ?? 0), 0);
    expect(sum(result.values, result.counts)).toBeCloseTo(sum(values, counts), 6);
    expect([...result.values]).toEqual([...result.values].sort((a, b) => a - b));
  });

  it('handles zeros and negative values', () => {
    const values = [...Array.from({ length: 300 }, (_, i) => i - 100), 500];
    const counts = values.map(() => 1);
    const result = compressDistribution({ values, counts }, 10);
    expect(result.values.length).toBeLessThanOrEqual(10);
    expect(result.values[0]).toBe(-100);
    expect(result.values[result.values.length - 1]).toBe(500);
    expect(result.counts.reduce((a, b) => a + b, 0)).toBe(301);
  });
});
