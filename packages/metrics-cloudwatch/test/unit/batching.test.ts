import { MAX_REQUEST_BYTES } from '../../src/index.js';
import { allDatums, harness, requestJson } from './support.js';

describe('CloudWatchMetricReporter batching', () => {
  it('sends 2,500 metrics in 3 requests of at most 1,000 datums', async () => {
    const { group, requests, nextReport, reporter } = await harness();
    for (let i = 0; i < 2_500; i++) group.counter(`counter${i}`).inc(i);
    await nextReport();
    // As few requests as the limits allow, their datums spread evenly.
    expect(requests.map((r) => r.MetricData?.length)).toEqual([834, 833, 833]);
    expect(requests.every((r) => r.Namespace === 'Test')).toBe(true);
    const values = new Map(allDatums(requests).map((d) => [d.MetricName, d.Value]));
    expect(values.size).toBe(2_500);
    expect(values.get('counter1234')).toBe(1_234);
    expect(reporter.statistics).toMatchObject({ requests: 3, datumsSent: 2_500, failedRequests: 0 });
  });

  it('keeps every request under 1 MB of JSON when datums are large', async () => {
    const { registry, requests, nextReport } = await harness();
    // 29 key-value groups with 1,000-character values: about 30 KB per datum.
    let group = registry.createGroup({ host: 'h', jobName: 'j' });
    for (let k = 0; k < 29; k++) group = group.addGroup(`key${k}`, `${k}`.padEnd(1_000, 'v'));
    for (let i = 0; i < 100; i++) group.gauge(`gauge${i}`, () => i);
    await nextReport();
    const sizes = requests.map((r) => Buffer.byteLength(requestJson(r)));
    expect(allDatums(requests)).toHaveLength(100);
    expect(requests.length).toBeGreaterThanOrEqual(4);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(allDatums(requests)[0]?.Dimensions).toHaveLength(30);
  });

  it('honours smaller request limits from the settings', async () => {
    const { group, requests, nextReport } = await harness({ maxDatumsPerRequest: 20 });
    for (let i = 0; i < 50; i++) group.counter(`c${i}`);
    await nextReport();
    expect(requests.map((r) => r.MetricData?.length)).toEqual([17, 17, 16]);
  });

  it('item 6: packs the README benchmark set into 10 requests whatever the registration order', async () => {
    for (const order of ['by type', 'reversed', 'interleaved'] as const) {
      const { group, requests, nextReport } = await harness();
      const kinds: Array<[number, (i: number) => void]> = [
        [4_000, (i) => group.counter(`counter${i}`).inc(i)],
        [3_000, (i) => group.gauge(`gauge${i}`, () => i)],
        [1_000, (i) => group.meter(`meter${i}`).markEvent(i)],
        [
          2_000,
          (i) => {
            const histogram = group.histogram(`histogram${i}`);
            for (let s = 0; s < 100; s++) histogram.update(20 + ((s * 7_919 + i) % 50_000));
          },
        ],
      ];
      if (order === 'interleaved') {
        for (let i = 0; i < 4_000; i++) for (const [count, register] of kinds) if (i < count) register(i);
      } else {
        for (const [count, register] of order === 'by type' ? kinds : [...kinds].reverse())
          for (let i = 0; i < count; i++) register(i);
      }
      await nextReport();
      expect(allDatums(requests)).toHaveLength(10_000);
      expect(requests).toHaveLength(10);
      for (const request of requests) {
        expect(request.MetricData?.length).toBeLessThanOrEqual(1_000);
        expect(Buffer.byteLength(requestJson(request))).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      }
    }
  });
});
