import { allDatums, harness } from './support.js';

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit?: string }[];
    }[];
  };
  [key: string]: unknown;
}

describe('CloudWatchMetricReporter modes', () => {
  it('writes Embedded Metric Format lines of at most 100 metrics instead of calling the API', async () => {
    const lines: string[] = [];
    const { group, requests, nextReport, scheduler, reporter } = await harness({
      mode: 'emf',
      emfSink: (line) => lines.push(line),
    });
    for (let i = 0; i < 250; i++) group.counter(`c${i}`).inc(i);
    await nextReport();
    expect(requests).toHaveLength(0);
    const documents = lines.map((line) => JSON.parse(line) as EmfDocument);
    expect(documents.map((d) => d._aws.CloudWatchMetrics[0]?.Metrics.length)).toEqual([100, 100, 50]);
    const first = documents[0] as EmfDocument;
    expect(first._aws.Timestamp).toBe(scheduler.now());
    expect(first._aws.CloudWatchMetrics[0]?.Namespace).toBe('Test');
    expect(first._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['job_name', 'task_name']]);
    expect(first._aws.CloudWatchMetrics[0]?.Metrics[7]).toEqual({ Name: 'c7', Unit: 'Count' });
    expect([first.job_name, first.task_name, first.c7]).toEqual(['wordcount', 'Map', 7]);
    expect(reporter.statistics.datumsSent).toBe(250);
  });

  it('writes histograms in EMF as a count and percentiles', async () => {
    const lines: string[] = [];
    const { group, nextReport } = await harness({
      mode: 'emf',
      emfSink: (line) => lines.push(line),
      percentiles: [50, 90],
    });
    const histogram = group.histogram('latency');
    for (let i = 1; i <= 10; i++) histogram.update(i);
    await nextReport();
    const document = JSON.parse(lines[0] ?? '{}') as EmfDocument;
    expect(document._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name)).toEqual([
      'latency.count',
      'latency.p50',
      'latency.p90',
    ]);
    expect([document['latency.count'], document['latency.p50'], document['latency.p90']]).toEqual([10, 5, 9]);
  });

  it('logs what it would send in dry-run mode, batched as the API would be', async () => {
    const { group, requests, nextReport, logger, reporter } = await harness({
      mode: 'dry-run',
      maxDatumsPerRequest: 2,
    });
    group.counter('a').inc(1);
    group.counter('b').inc(2);
    group.gauge('c', () => 3);
    await nextReport();
    expect(allDatums(requests)).toHaveLength(0);
    const logged = logger.lines.filter((l) => l.level === 'info');
    expect(logged.map((l) => l.message)).toEqual([
      "CloudWatch dry run: PutMetricData of 2 datums to 'Test'",
      "CloudWatch dry run: PutMetricData of 1 datums to 'Test'",
    ]);
    const loggedDatums = logged.flatMap(
      (l) => (l.context as { metricData: { MetricName: string; Value: number }[] }).metricData,
    );
    expect(loggedDatums.map((d) => [d.MetricName, d.Value]).sort()).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(logged[0]?.context).toMatchObject({ namespace: 'Test' });
    expect(reporter.statistics.requests).toBe(2);
  });

  it('stores the metrics that match the high-resolution filters at 1-second resolution', async () => {
    const { group, requests, nextReport } = await harness({ highResolution: ['*:checkpoint*'] });
    group.counter('checkpointsCompleted');
    group.counter('records');
    await nextReport();
    expect(allDatums(requests).map((d) => [d.MetricName, d.StorageResolution])).toEqual([
      ['checkpointsCompleted', 1],
      ['records', undefined],
    ]);
  });

  it('registers its own metrics, reported like any other', async () => {
    const { registry, reporter, group, nextReport } = await harness();
    group.counter('c');
    await nextReport();
    const own = registry
      .read()
      .filter((r) => r.group.getAllVariables()['<reporter>'] === 'cloudwatch')
      .map((r) => r.name);
    expect(own).toEqual([
      'datumsSent',
      'requests',
      'failedRequests',
      'retries',
      'droppedDatums',
      'skippedGauges',
      'truncatedDimensions',
      'collidingMetrics',
      'bufferedDatums',
    ]);
    expect(reporter.statistics.requests).toBe(1);
  });
});
