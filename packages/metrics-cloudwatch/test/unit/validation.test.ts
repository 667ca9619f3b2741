import { allDatums, harness } from './support.js';

describe('CloudWatchMetricReporter with data CloudWatch would reject', () => {
  it('keeps the first 30 of 31 dimensions, counts and logs the rest, and the request goes through', async () => {
    const { registry, requests, nextReport, reporter, logger } = await harness({
      dimensions: { Environment: 'test' },
    });
    let group = registry.createGroup({ host: 'h', jobName: 'job' });
    for (let k = 0; k < 29; k++) group = group.addGroup(`key${k}`, `value${k}`);
    group.counter('wide').inc();
    await nextReport();
    const [datum] = allDatums(requests);
    expect(datum?.Dimensions).toHaveLength(30);
    expect(datum?.Dimensions?.slice(0, 2)).toEqual([
      { Name: 'Environment', Value: 'test' },
      { Name: 'job_name', Value: 'job' },
    ]);
    expect(datum?.Dimensions?.map((d) => d.Name)).not.toContain('key28');
    expect(reporter.statistics.truncatedDimensions).toBe(1);
    expect(logger.lines.map((l) => l.message)).toContain(
      "Metric 'key0.key1.key2.key3.key4.key5.key6.key7.key8.key9.key10.key11.key12.key13.key14.key15.key16.key17.key18.key19.key20.key21.key22.key23.key24.key25.key26.key27.key28.wide' has more than 30 dimensions; the last 1 are left out",
    );
  });

  it('replaces characters CloudWatch does not take in names, and shortens long names keeping them distinct', async () => {
    const { group, requests, nextReport } = await harness();
    group.counter('Größe\u0007');
    const long = 'x'.repeat(300);
    group.counter(`${long}a`);
    group.counter(`${long}b`);
    await nextReport();
    const names = allDatums(requests).map((d) => d.MetricName ?? '');
    expect(names[0]).toBe('Gr__e_');
    expect(names[1]).toHaveLength(255);
    expect(names[2]).toHaveLength(255);
    expect(names[1]).not.toBe(names[2]);
    expect(names[1]).toMatch(/^x{246}~[0-9a-f]{8}$/);
  });

  it('drops NaN, infinite and out-of-range values and counts them, sending the rest', async () => {
    const { group, requests, nextReport, reporter } = await harness();
    group.gauge('nan', () => Number.NaN);
    group.gauge('infinite', () => Number.POSITIVE_INFINITY);
    group.gauge('huge', () => 2 ** 361);
    group.gauge('tiny', () => 2 ** -400);
    group.gauge('fine', () => 1.5);
    await nextReport();
    expect(allDatums(requests).map((d) => [d.MetricName, d.Value])).toEqual([
      ['tiny', 0],
      ['fine', 1.5],
    ]);
    expect(reporter.statistics.droppedByReason['invalid-value']).toBe(3);
  });

  it('skips gauges that are not numbers, and counts them', async () => {
    const { group, requests, nextReport, reporter, logger } = await harness();
    group.gauge('text', () => 'ok');
    group.gauge('bigint', () => 12n);
    group.gauge('throws', () => {
      throw new Error('not ready');
    });
    await nextReport();
    await nextReport();
    expect(allDatums(requests).map((d) => [d.MetricName, d.Value])).toEqual([
      ['bigint', 12],
      ['bigint', 12],
    ]);
    expect(reporter.statistics.skippedGauges).toBe(4);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      "Gauge 'text' gives a string, not a number; it is not reported",
      "Gauge 'throws' threw: not ready",
    ]);
  });

  it('leaves out the task-instance dimensions unless asked, to keep the number of billed metrics down', async () => {
    const without = await harness();
    without.group.counter('c');
    await without.nextReport();
    expect(allDatums(without.requests)[0]?.Dimensions).toEqual([
      { Name: 'job_name', Value: 'wordcount' },
      { Name: 'task_name', Value: 'Map' },
    ]);
    const withTask = await harness({ includeTaskDimensions: true });
    withTask.group.counter('c');
    await withTask.nextReport();
    // The names first, then the task-instance dimensions (see the README's order).
    expect(allDatums(withTask.requests)[0]?.Dimensions?.map((d) => d.Name)).toEqual([
      'job_name',
      'task_name',
      'host',
      'subtask_index',
    ]);
  });
});
