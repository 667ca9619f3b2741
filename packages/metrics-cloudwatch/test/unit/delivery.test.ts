import { accessDenied, allDatums, harness, invalidParameter, throttling } from './support.js';

describe('CloudWatchMetricReporter delivery', () => {
  it('keeps a counter delta whose send failed and sends it with the next report', async () => {
    let fail = false;
    const { group, requests, nextReport, reporter } = await harness({}, () => {
      if (fail) throw accessDenied();
    });
    const records = group.counter('records');
    records.inc(5);
    fail = true;
    await nextReport();
    fail = false;
    records.inc(3);
    await nextReport();
    records.inc(2);
    await nextReport();
    const delivered = requests.slice(1).map((r) => r.MetricData?.[0]?.Value);
    expect(delivered).toEqual([8, 2]);
    expect(reporter.statistics).toMatchObject({ failedRequests: 1, bufferedDatums: 0 });
    expect(reporter.lastError).toBeUndefined();
  });

  it('retries throttling with jittered exponential back-off, then succeeds', async () => {
    const { group, requests, nextReport, scheduler, reporter } = await harness({}, (_input, call) => {
      if (call <= 2) throw throttling();
    });
    group.counter('c').inc();
    await nextReport();
    expect(requests).toHaveLength(3);
    // random() = 0.5 of min(5 s, 200 ms * 2^retry)
    expect(scheduler.sleeps).toEqual([100, 200]);
    expect(reporter.statistics).toMatchObject({ retries: 2, failedRequests: 2, datumsSent: 1 });
  });

  it('gives up after the configured attempts and keeps the data for the next report', async () => {
    let down = true;
    const { group, requests, nextReport, reporter, logger } = await harness({ retryMaxAttempts: 2 }, () => {
      if (down) throw throttling();
    });
    const counter = group.counter('c');
    counter.inc(4);
    group.gauge('g', () => 42);
    group.histogram('h').update(9);
    await nextReport();
    expect(requests).toHaveLength(2);
    expect(reporter.statistics.bufferedDatums).toBe(2); // the gauge and the histogram; the counter keeps its delta
    expect(reporter.lastError?.code).toBe('Throttling');
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);

    down = false;
    await nextReport();
    const sent = requests[2]?.MetricData ?? [];
    expect(sent.map((d) => [d.MetricName, d.Value ?? d.Values])).toEqual([
      ['g', 42],
      ['h', [9]],
      ['c', 4],
      ['g', 42],
    ]);
    // The buffered gauge keeps the time it was read.
    expect(sent[0]?.Timestamp?.getTime()).toBe((sent[3]?.Timestamp?.getTime() ?? 0) - 60_000);
  });

  it('stops sending when CloudWatch is unreachable, and drops the oldest buffered datums beyond the buffer', async () => {
    const { group, requests, nextReport, reporter } = await harness(
      { maxDatumsPerRequest: 10, bufferMaxDatums: 25 },
      () => {
        throw accessDenied();
      },
    );
    for (let i = 0; i < 30; i++) group.gauge(`g${i}`, () => i);
    await nextReport();
    expect(requests).toHaveLength(1); // the other two requests are not attempted
    expect(reporter.statistics).toMatchObject({ bufferedDatums: 25, droppedDatums: 5 });
    expect(reporter.statistics.droppedByReason['buffer-overflow']).toBe(5);
  });

  it('isolates an invalid datum by halving the rejected request, and delivers the rest', async () => {
    const { group, requests, nextReport, reporter, logger } = await harness({}, (input) => {
      if (input.MetricData?.some((d) => d.MetricName === 'poison')) throw invalidParameter();
    });
    for (let i = 0; i < 999; i++) group.counter(`c${i}`).inc();
    group.counter('poison').inc();
    await nextReport();
    const delivered = requests.slice(1).flatMap((r) => r.MetricData ?? []);
    const accepted = delivered.filter((d) => d.MetricName !== 'poison');
    expect(new Set(accepted.map((d) => d.MetricName)).size).toBe(999);
    expect(requests.length).toBeLessThanOrEqual(1 + 2 * 10);
    expect(reporter.statistics.droppedByReason.rejected).toBe(1);
    expect(logger.lines.find((l) => l.level === 'warn')?.message).toMatch(
      /^CloudWatch reporter dropped 1 datums: CloudWatch rejected them as invalid/,
    );
    // The dropped counter's delta is acknowledged: it does not poison the next reports.
    await nextReport();
    expect(requests[requests.length - 1]?.MetricData?.find((d) => d.MetricName === 'poison')?.Value).toBe(0);
  });

  it('runs a final report when the registry closes, including metrics removed since the last one', async () => {
    const { group, registry, requests, nextReport } = await harness();
    const counter = group.counter('records');
    counter.inc(2);
    await nextReport();
    counter.inc(7);
    const operator = group.addGroup('operator');
    operator.counter('gone').inc(11);
    operator.close();
    await registry.close();
    const last = requests[requests.length - 1]?.MetricData ?? [];
    expect(last.map((d) => [d.MetricName, d.Value])).toEqual([
      ['operator.gone', 11],
      ['records', 7],
    ]);
    expect(
      allDatums(requests)
        .filter((d) => d.MetricName === 'records')
        .map((d) => d.Value),
    ).toEqual([2, 7]);
  });

  it('returns from close() at the close timeout when a client ignores the abort signal, and counts the loss', async () => {
    let calls = 0;
    const { group, registry, reporter, logger } = await harness({ closeTimeoutMs: 50 }, () => {
      calls++;
      return new Promise<void>(() => {}); // never settles, whatever the signal says
    });
    group.counter('records').inc(3);
    await registry.close();
    expect(calls).toBe(1);
    expect(reporter.statistics.droppedByReason['undelivered-at-close']).toBe(1);
    expect(logger.lines.at(-1)?.message).toMatch(/the close timeout \(50 ms\) passed: they are lost/);
  });
});
