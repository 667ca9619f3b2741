import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { datumBytes, requestBytes, requestOverheadBytes } from '../../src/publish/datum-size.js';
import { requestJson } from './support.js';

describe('datumBytes', () => {
  it('is exactly the JSON the request carries, for every kind of datum', () => {
    const timestamp = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 123));
    const dimensions = [
      { Name: 'job_name', Value: 'a "quoted" \\ name' },
      { Name: 'x'.repeat(255), Value: 'v'.repeat(1_024) },
    ];
    const datums: MetricDatum[] = [
      {
        MetricName: 'counter',
        Dimensions: dimensions,
        Timestamp: timestamp,
        Value: -1.7976931348623157e308,
        Unit: 'Count',
      },
      { MetricName: 'rate', Timestamp: timestamp, Value: 1 / 3, Unit: 'Count/Second', StorageResolution: 1 },
      {
        MetricName: 'set',
        Dimensions: dimensions,
        Timestamp: timestamp,
        StatisticValues: { SampleCount: 1e15 + 0.5, Sum: -(2 ** 300), Minimum: 5e-324, Maximum: 0.1 + 0.2 },
      },
      {
        MetricName: 'distribution',
        Timestamp: timestamp,
        Values: Array.from({ length: 150 }, (_, i) => Math.PI * 10 ** (i - 75)),
        Counts: Array.from({ length: 150 }, (_, i) => i + 0.25),
      },
    ];
    datums.push(
      { MetricName: 'Größe 😀 \u0007 \n', Timestamp: timestamp, Value: -0, Unit: 'None' },
      {
        MetricName: 'whole',
        Timestamp: new Date(Date.UTC(2026, 0, 1)),
        Value: 123_456_789_012,
        Dimensions: [],
      },
      {
        MetricName: 'tiny',
        Timestamp: timestamp,
        Values: [1e-7, 2 ** 360, -5, 0.5],
        Counts: [1, 1e21, 3, 4],
      },
    );
    for (const datum of datums) {
      const actual = Buffer.byteLength(requestJson({ Namespace: 'N"s', MetricData: [datum] }));
      expect(requestOverheadBytes('N"s') + datumBytes(datum)).toBe(actual);
    }
    const all = Buffer.byteLength(requestJson({ Namespace: 'N', MetricData: datums }));
    const sum = datums.reduce((n, d) => n + datumBytes(d), 0);
    expect(requestBytes('N', sum, datums.length)).toBe(all);
  });
});
