import { allDatums, harness } from './support.js';

function percentile(values: readonly number[], counts: readonly number[], q: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return values[i] ?? Number.NaN;
  }
  return Number.NaN;
}

describe('CloudWatchMetricReporter histograms', () => {
  it('sends an interval as Values/Counts with at most 150 values, exact count, min and max', async () => {
    const { group, requests, nextReport } = await harness();
    const latency = group.histogram('latencyMicros');
    // 20,000 values over five decades: far more distinct values than one datum may hold.
    const recorded: number[] = [];
    for (let i = 0; i < 20_000; i++) recorded.push(Math.round(10 * 10 ** ((i / 20_000) * 5)));
    for (const value of recorded) latency.update(value);
    await nextReport();
    const [datum] = allDatums(requests);
    const values = datum?.Values ?? [];
    const counts = datum?.Counts ?? [];
    expect(values.length).toBeLessThanOrEqual(150);
    expect(values.length).toBeGreaterThan(100);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(values[0]).toBe(Math.min(...recorded));
    expect(values[values.length - 1]).toBe(Math.max(...recorded));
    const sum = values.reduce((total, value, i) => total + value * (counts[i] ?? 0), 0);
    const exactSum = recorded.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - exactSum) / exactSum).toBeLessThan(0.01);
    // Five decades in 148 ranges: 8% per range at most, plus the histogram's 1%.
    const sorted = [...recorded].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1] ?? 0;
      expect(Math.abs(percentile(values, counts, q) - exact) / exact).toBeLessThan(0.09);
    }
  });

  it('sends only the values recorded since the last report, and nothing for an idle interval', async () => {
    const { group, requests, nextReport } = await harness();
    const histogram = group.histogram('h');
    histogram.update(5);
    histogram.update(5);
    await nextReport();
    histogram.update(7);
    await nextReport();
    await nextReport();
    expect(requests.map((r) => r.MetricData?.map((d) => [d.Values, d.Counts]))).toEqual([
      [[[5], [2]]],
      [[[7], [1]]],
    ]);
  });

  it('sends statistic sets when configured', async () => {
    const { group, requests, nextReport } = await harness({ histogramMode: 'statistic-set' });
    const histogram = group.histogram('h');
    for (const value of [3, 9, 12]) histogram.update(value);
    await nextReport();
    expect(allDatums(requests)[0]?.StatisticValues).toEqual({
      SampleCount: 3,
      Sum: 24,
      Minimum: 3,
      Maximum: 12,
    });
  });

  it('sends a count and one metric per percentile when configured', async () => {
    const { group, requests, nextReport } = await harness({
      histogramMode: 'percentiles',
      percentiles: [50, 99.9],
    });
    const histogram = group.histogram('h');
    for (let i = 1; i <= 100; i++) histogram.update(i);
    await nextReport();
    expect(allDatums(requests).map((d) => [d.MetricName, d.Value])).toEqual([
      ['h.count', 100],
      ['h.p50', 50],
      ['h.p99.9', 100],
    ]);
  });
});
