// The reporter's delivery promise (issue 15), one test per numbered item, on every emulator.
import { inspect } from 'node:util';
import { CloudWatchClient, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  AwsClientManager,
  Configuration,
  ConfigurationError,
  createMetricFilter,
  type MetricGroup,
  MetricRegistry,
} from '@statebackend/aws-base';
import { ManualScheduler } from '@statebackend/aws-base/spi';
import { describeEachTarget, uniqueName } from '@statebackend/testkit';
import { CloudWatchMetricReporter, type CloudWatchMetricReporterOptions } from '../../src/index.js';
import { datumBytes, requestBytes } from '../../src/publish/datum-size.js';
import { recordingLogger } from '../unit/support.js';
import {
  captureBodies,
  eventually,
  failNextRequests,
  listMetrics,
  loseResponses,
  rejectDatums,
  reportStart,
  stallingProxy,
  statistics,
  sumsOf,
} from './cloudwatch-support.js';

const MINUTE = 60_000;
const scope = { host: 'worker-1', jobName: 'wordcount', taskName: 'Map', operatorName: 'Tokenizer' };
const dimensions = [
  { Name: 'Environment', Value: 'it' },
  { Name: 'job_name', Value: 'wordcount' },
  { Name: 'task_name', Value: 'Map' },
  { Name: 'operator_name', Value: 'Tokenizer' },
];
/** The reporter's own metrics, left out where a test counts requests or datums of its own. */
const withoutOwnMetrics = createMetricFilter({ excludes: ['*.reporter:*'] });

describeEachTarget('cloudwatch', (target) => {
  const patienceMs = target.name === 'aws' ? 900_000 : 10_000;
  const timeoutMs = patienceMs + 60_000;
  const clients = new AwsClientManager(target.configuration(), { userAgentSuffix: 'metrics-cloudwatch-it' });
  afterAll(() => clients.close());
  /** Reads back what the emulator stored, without the faults injected into the reporters' clients. */
  const reader = clients.getOrCreate(CloudWatchClient);

  /** A client of its own (middleware is per client), its SDK retries off as the reporter's are. */
  function newClient(): CloudWatchClient {
    return clients.getOrCreate(CloudWatchClient, { clientConfig: { maxAttempts: 1 } });
  }

  async function setUp(client: CloudWatchClient, options: Partial<CloudWatchMetricReporterOptions> = {}) {
    const namespace = uniqueName('statebackend-cw-it');
    const start = reportStart();
    const scheduler = new ManualScheduler(start);
    const logger = recordingLogger();
    const registry = new MetricRegistry({ scheduler, logger });
    const reporter = new CloudWatchMetricReporter({
      client,
      namespace,
      dimensions: { Environment: 'it' },
      random: () => 0.5,
      ...options,
    } as CloudWatchMetricReporterOptions);
    await registry.addReporter(reporter, {
      name: 'cloudwatch',
      intervalMs: MINUTE,
      filter: withoutOwnMetrics,
    });
    return { namespace, start, scheduler, logger, registry, reporter, group: registry.createGroup(scope) };
  }

  it(
    `item 1: isolates 3 invalid datums among 1,000 counters, delivers the 997 others and keeps nothing of theirs as sent, on ${target.name} (rejection injected: no emulator validates datums)`,
    async () => {
      const client = newClient();
      const bad = new Set(['c0000', 'c0500', 'c0999']);
      const rejections = rejectDatums(client, (d) => bad.has(d.MetricName ?? ''));
      const sent = captureBodies(client);
      const { namespace, start, scheduler, registry, reporter, group } = await setUp(client);
      const names = Array.from({ length: 1_000 }, (_, i) => `c${String(i).padStart(4, '0')}`);
      const counters = names.map((name) => group.counter(name));
      for (const [i, counter] of counters.entries()) counter.inc(i + 1);
      await scheduler.advance(MINUTE);

      // Halving without a budget: at most 2 requests per bad datum and level, plus the first.
      expect(reporter.statistics.requests).toBeLessThanOrEqual(
        1 + 2 * bad.size * Math.ceil(Math.log2(1_000)),
      );
      expect(sent.length).toBeGreaterThan(0);
      expect(reporter.statistics.droppedByReason.rejected).toBe(3);
      expect(reporter.statistics.datumsSent).toBe(997);
      expect(rejections.rejected).toBeGreaterThan(0);

      // The next report sends each valid counter's new increments only, and no bad delta again.
      for (const counter of counters) counter.inc(1_000);
      bad.clear();
      await registry.close();
      const valid = names.filter((name) => !['c0000', 'c0500', 'c0999'].includes(name));
      const sums = await eventually(
        () => sumsOf(reader, namespace, names, start),
        (s) => valid.every((name) => s.get(name) === Number(name.slice(1)) + 1 + 1_000),
        patienceMs,
      );
      for (const name of valid) expect(sums.get(name)).toBe(Number(name.slice(1)) + 1 + 1_000);
      // The rejected deltas were dropped (counted above), not resent: only the later 1,000 arrived.
      expect(sums.get('c0500')).toBe(1_000);
    },
    timeoutMs,
  );

  it(
    `item 2: a failed final report loses no counter delta: close() retries counters with the rest, on ${target.name}`,
    async () => {
      const client = newClient();
      const failures = failNextRequests(client);
      const { namespace, start, scheduler, registry, reporter, group } = await setUp(client, {
        retryMaxAttempts: 1,
      });
      const records = group.counter('records');
      const latency = group.histogram('latency');
      group.gauge('queueSize', () => 7);
      records.inc(10);
      await scheduler.advance(MINUTE);
      records.inc(5);
      latency.update(40);
      latency.update(60);
      failures.fail(1); // the final report fails; close()'s last delivery goes through
      await registry.close();
      expect(failures.failed).toBe(1);
      expect(reporter.statistics.droppedDatums).toBe(0);

      const sums = await eventually(
        () => sumsOf(reader, namespace, ['records', 'queueSize'], start),
        (s) => s.get('records') === 15,
        patienceMs,
      );
      expect(sums.get('records')).toBe(15);
      expect(sums.get('queueSize')).toBe(14); // the two reports' readings, the failed one's from the buffer
      const histogram = await statistics(reader, namespace, 'latency', dimensions, start);
      expect(histogram).toMatchObject({ SampleCount: 2, Minimum: 40, Maximum: 60 });
    },
    timeoutMs,
  );

  it(
    `item 3: registry.close() returns within close.timeout against an endpoint that stops answering, and counts the loss, on ${target.name} (the hang is a stalled proxy in front of the emulator)`,
    async () => {
      if (target.endpoint === undefined) {
        // A real account has no endpoint to put a proxy in front of: check the option instead.
        expect(new CloudWatchMetricReporter({ mode: 'dry-run' }).settings.closeTimeoutMs).toBe(5_000);
        return;
      }
      const proxy = await stallingProxy(target.endpoint);
      try {
        const namespace = uniqueName('statebackend-cw-it');
        const logger = recordingLogger();
        const registry = new MetricRegistry({ logger });
        const configuration = target.configuration({
          'aws.endpoint': proxy.endpoint,
          'aws.client.request-timeout': '1 s',
          'aws.credentials.provider.basic.secretkey': 'secret-never-logged-42',
          'metrics.reporter.cloudwatch.namespace': namespace,
          'metrics.reporter.cloudwatch.close.timeout': '1500 ms',
        });
        const reporter = new CloudWatchMetricReporter({ configuration });
        await registry.addReporter(reporter, {
          name: 'cloudwatch',
          intervalMs: 3_600_000,
          filter: withoutOwnMetrics,
        });
        const group = registry.createGroup(scope);
        const records = group.counter('records');
        records.inc(3);
        await registry.reportNow(); // through the proxy to the emulator
        expect(reporter.statistics.datumsSent).toBe(1);

        proxy.stall();
        records.inc(4);
        const started = performance.now();
        await registry.close();
        const elapsed = performance.now() - started;
        // The issue's bound: within the configured timeout, with slack for timers that fire late
        // on a loaded shared machine (without the timeout, close() never returns here).
        expect(elapsed).toBeLessThan(1_500 + 1_000);
        expect(reporter.statistics.droppedByReason['undelivered-at-close']).toBe(1);
        expect(logger.lines.filter((l) => l.level === 'error').at(-1)?.message).toMatch(
          /closed with 1 datums undelivered because the close timeout \(1500 ms\) passed: they are lost/,
        );
        const logged = logger.lines.map((l) => `${l.message} ${inspect(l.context, { depth: 8 })}`).join('\n');
        expect(logged).not.toContain('secret-never-logged-42');
      } finally {
        await proxy.close();
      }
    },
    timeoutMs,
  );

  it(
    `item 3: with the defaults (5 s close timeout, 5 s request timeout) registry.close() returns within 10 s against an endpoint that never answers, on ${target.name}`,
    async () => {
      if (target.endpoint === undefined) {
        expect(new CloudWatchMetricReporter({ mode: 'dry-run' }).settings.closeTimeoutMs).toBeLessThanOrEqual(
          10_000,
        );
        return;
      }
      const proxy = await stallingProxy(target.endpoint);
      try {
        proxy.stall();
        const registry = new MetricRegistry();
        const reporter = new CloudWatchMetricReporter({
          configuration: target.configuration({ 'aws.endpoint': proxy.endpoint }),
          namespace: uniqueName('statebackend-cw-it'),
        });
        await registry.addReporter(reporter, { name: 'cloudwatch', intervalMs: 3_600_000 });
        registry.createGroup(scope).counter('records').inc();
        const started = performance.now();
        await registry.close();
        expect(performance.now() - started).toBeLessThan(10_000);
        expect(reporter.statistics.droppedByReason['undelivered-at-close']).toBeGreaterThan(0);
      } finally {
        await proxy.close();
      }
    },
    timeoutMs,
  );

  it(
    `item 3: a report to an endpoint that never answers ends at the built client's default request timeout (5 s), on ${target.name}`,
    async () => {
      if (target.endpoint === undefined) {
        expect(new CloudWatchMetricReporter({ mode: 'dry-run' }).settings.retryMaxAttempts).toBe(3);
        return;
      }
      const proxy = await stallingProxy(target.endpoint);
      try {
        proxy.stall();
        const registry = new MetricRegistry();
        const reporter = new CloudWatchMetricReporter({
          configuration: target.configuration({ 'aws.endpoint': proxy.endpoint }),
          namespace: uniqueName('statebackend-cw-it'),
          retryMaxAttempts: 1,
          closeTimeoutMs: 100, // the close that follows need not wait
        });
        await registry.addReporter(reporter, { name: 'cloudwatch', intervalMs: 3_600_000 });
        registry.createGroup(scope).counter('records').inc();
        await registry.reportNow(); // returns: the request timed out rather than hanging
        expect(reporter.lastError?.code).toBe('ETIMEDOUT'); // the SDK's request timeout
        expect(reporter.statistics.failedRequests).toBe(1);
        await registry.close();
      } finally {
        await proxy.close();
      }
    },
    timeoutMs,
  );

  it(
    `item 4: after close(), registry.reportNow() and reporter.report() send nothing, on ${target.name}`,
    async () => {
      const client = newClient();
      const sent = captureBodies(client);
      const { namespace, start, registry, reporter, group } = await setUp(client);
      const records = group.counter('records');
      records.inc(2);
      await registry.close();
      const requests = sent.length;
      expect(requests).toBe(1);

      records.inc(40);
      await registry.reportNow();
      await reporter.report();
      await reporter.close();
      expect(sent).toHaveLength(requests);
      const sums = await sumsOf(reader, namespace, ['records'], start);
      expect(sums.get('records')).toBe(2);
    },
    timeoutMs,
  );

  it(
    `item 5: with CloudWatch down at close, the loss is logged as lost (not as kept) and counted in droppedDatums, one warning per cause, on ${target.name}`,
    async () => {
      const client = newClient();
      const failures = failNextRequests(client);
      const { namespace, start, scheduler, logger, registry, reporter, group } = await setUp(client, {
        retryMaxAttempts: 2,
      });
      const records = group.counter('records');
      group.gauge('queueSize', () => 3);
      records.inc(1);
      await scheduler.advance(MINUTE);
      records.inc(6);
      failures.fail(1_000);
      await registry.close();

      // The final report's counter delta and gauge reading: nothing else was pending.
      expect(reporter.statistics.droppedByReason['undelivered-at-close']).toBe(2);
      expect(reporter.statistics.droppedDatums).toBe(2);
      const errors = logger.lines.filter((l) => l.level === 'error').map((l) => l.message);
      expect(errors.at(-1)).toMatch(
        /^CloudWatch reporter closed with 2 datums undelivered because CloudWatch is unreachable \(ServiceUnavailable\): they are lost, counted in droppedDatums/,
      );
      expect(errors.filter((m) => m.includes('lost'))).toHaveLength(1);
      const sums = await sumsOf(reader, namespace, ['records'], start);
      expect(sums.get('records')).toBe(1);
    },
    timeoutMs,
  );

  it(
    `item 6: sends the README's 10,000-metric set registered by type in at most 11 requests of measured size, on ${target.name} (no emulator enforces 1,000 datums or 1 MB: the requests are measured; other orders: unit test and bench)`,
    async () => {
      for (const order of ['by type'] as const) {
        const client = newClient();
        const bodies = captureBodies(client);
        const { namespace, start, scheduler, registry, reporter, group } = await setUp(client);
        registerBenchmarkSet(group, order);
        await scheduler.advance(MINUTE);
        const requests = bodies.map((body) => JSON.parse(body) as PutMetricDataCommandInput);
        expect(requests.length).toBeLessThanOrEqual(11);
        expect(reporter.statistics.datumsSent).toBe(10_000);
        for (const [i, request] of requests.entries()) {
          const data = request.MetricData ?? [];
          expect(data.length).toBeLessThanOrEqual(1_000);
          const bytes = Buffer.byteLength(bodies[i] ?? '');
          expect(bytes).toBeLessThanOrEqual(1_000_000);
          // The size model is exact: what the SDK put on the wire, byte for byte.
          const modelled = data.map((d) =>
            datumBytes({
              ...d,
              ...(d.Timestamp === undefined ? {} : { Timestamp: new Date(Number(d.Timestamp) * 1_000) }),
            }),
          );
          expect(
            requestBytes(
              namespace,
              modelled.reduce((a, b) => a + b, 0),
              data.length,
            ),
          ).toBe(bytes);
        }
        await registry.close();
        const latency = await eventually(
          () => statistics(reader, namespace, 'histogram1999', dimensions, start),
          (d) => d?.SampleCount === 100,
          patienceMs,
        );
        expect(latency?.SampleCount).toBe(100);
      }
    },
    timeoutMs,
  );

  it(
    `item 7: lists every configuration problem at once, before any AWS call, secrets masked, on ${target.name}`,
    async () => {
      const settings = Object.fromEntries(target.configuration().toMap());
      delete settings['aws.region'];
      const configuration = Configuration.fromObject({
        ...settings,
        'aws.credentials.provider': 'BASIC',
        'aws.credentials.provider.basic.accesskeyid': 'AKIDEXAMPLE',
        'aws.credentials.provider.basic.secretkey': 'never-in-a-message-0123',
        'metrics.reporter.cloudwatch.factory.class': 'cloudwatch',
        'metrics.reporter.cloudwatch.interval': '-1 s',
        'metrics.reporter.cloudwatch.namespace': 'AWS/EC2',
        'metrics.reporter.cloudwatch.include-task-dimension': 'true',
        'metrics.reporter.cloudwatch.histogram.mode': 'buckets',
        'metrics.reporter.cloudwatch.batch.max-datums': '5000',
        'metrics.reporter.cloudwatch.batch-size': '20',
      });
      const error = await MetricRegistry.fromConfiguration(configuration).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      const issues = (error as ConfigurationError).issues;
      expect(issues.map((i) => i.key).sort()).toEqual(
        [
          'aws.region',
          'metrics.reporter.cloudwatch.batch-size',
          'metrics.reporter.cloudwatch.batch.max-datums',
          'metrics.reporter.cloudwatch.histogram.mode',
          'metrics.reporter.cloudwatch.include-task-dimension',
          'metrics.reporter.cloudwatch.interval',
          'metrics.reporter.cloudwatch.namespace',
        ].sort(),
      );
      const byKey = new Map(issues.map((i) => [i.key, i]));
      expect(byKey.get('metrics.reporter.cloudwatch.batch.max-datums')).toMatchObject({
        received: expect.stringContaining('5000'),
        expected: 'an integer from 1 to 1000',
      });
      expect(byKey.get('metrics.reporter.cloudwatch.include-task-dimension')?.suggestion).toBe(
        'metrics.reporter.cloudwatch.include-task-dimensions',
      );
      expect(byKey.get('metrics.reporter.cloudwatch.batch-size')?.expected).toContain('batch.max-datums');
      expect((error as Error).message).not.toContain('never-in-a-message-0123');
    },
    timeoutMs,
  );

  it(
    `item 8: keeps the first 30 dimensions in the README's order, and reports one of two metrics that become one after truncation, on ${target.name}`,
    async () => {
      const client = newClient();
      const namespace = uniqueName('statebackend-cw-it');
      const start = reportStart();
      const scheduler = new ManualScheduler(start);
      const logger = recordingLogger();
      const registry = new MetricRegistry({ scheduler, logger });
      const reporter = new CloudWatchMetricReporter({ client, namespace, dimensions: { Environment: 'it' } });
      await registry.addReporter(reporter, {
        name: 'cloudwatch',
        intervalMs: MINUTE,
        filter: withoutOwnMetrics,
        additionalVariables: { region: 'eu-west-1' },
      });
      // 1 global + 3 names + 26 key-value groups = 30 dimensions; 'k26' and the additional
      // 'region' are past the limit, so the two metrics below become one: only the first is reported.
      let group = registry.createGroup(scope);
      for (let k = 0; k < 26; k++) group = group.addGroup(`k${k}`, `v${k}`);
      group.addGroup('k26', 'a').counter('wide').inc(7);
      group.addGroup('k26', 'b').counter('wide').inc(11);
      await registry.close();

      expect(reporter.statistics.truncatedDimensions).toBe(4);
      expect(reporter.statistics.collidingMetrics).toBe(1);
      expect(
        logger.lines.filter((l) => l.message.includes('same CloudWatch name and dimensions')),
      ).toHaveLength(1);
      const metrics = await eventually(
        () => listMetrics(reader, namespace),
        (list) => list.length === 1,
        patienceMs,
      );
      expect(metrics).toHaveLength(1);
      expect(metrics[0]?.Dimensions?.map((d) => d.Name)).toEqual([
        'Environment',
        'job_name',
        'task_name',
        'operator_name',
        ...Array.from({ length: 26 }, (_, k) => `k${k}`),
      ]);
      const name = metrics[0]?.MetricName ?? '';
      expect(name).toMatch(/\.k26\.wide$/);
      const sum = await statistics(reader, namespace, name, metrics[0]?.Dimensions ?? [], start);
      expect(sum?.Sum).toBe(7); // never 7 + 11
    },
    timeoutMs,
  );

  it(
    `item 9: a request whose response is lost is sent again and counted twice (at-least-once, as the README says), on ${target.name}`,
    async () => {
      const client = newClient();
      const responses = loseResponses(client);
      const { namespace, start, registry, reporter, group } = await setUp(client);
      group.counter('records').inc(5);
      responses.lose(1);
      await registry.close();
      expect(responses.lost).toBe(1);
      expect(reporter.statistics.retries).toBe(1);
      const sums = await eventually(
        () => sumsOf(reader, namespace, ['records'], start),
        (s) => s.get('records') === 10,
        patienceMs,
      );
      expect(sums.get('records')).toBe(10);
    },
    timeoutMs,
  );

  it(
    `item 9: never puts more than 150 values of one histogram in a request, buffered and new datums included, on ${target.name} (no emulator enforces the limit: the requests are checked)`,
    async () => {
      const client = newClient();
      const failures = failNextRequests(client);
      const bodies = captureBodies(client);
      const { namespace, start, scheduler, registry, group } = await setUp(client, { retryMaxAttempts: 1 });
      const latency = group.histogram('latency');
      for (let v = 1; v <= 149; v++) latency.update(v * 1_000);
      failures.fail(1); // this interval's datum goes to the buffer
      await scheduler.advance(MINUTE);
      for (let v = 1; v <= 149; v++) latency.update(v * 1_000 + 500_000);
      await registry.close();

      // The failed request never left; the buffered and the new datum went after it.
      const delivered = bodies.map((body) => JSON.parse(body) as PutMetricDataCommandInput);
      const perRequest = delivered.map((request) =>
        (request.MetricData ?? [])
          .filter((d) => d.MetricName === 'latency')
          .reduce((n, d) => n + (d.Values?.length ?? 0), 0),
      );
      expect(perRequest.reduce((a, b) => a + b, 0)).toBeGreaterThan(150);
      for (const values of perRequest) expect(values).toBeLessThanOrEqual(150);
      const datapoint = await eventually(
        () => statistics(reader, namespace, 'latency', dimensions, start),
        (d) => d?.SampleCount === 298,
        patienceMs,
      );
      expect(datapoint?.SampleCount).toBe(298);
    },
    timeoutMs,
  );
});

/** The README's benchmark set: 4,000 counters, 3,000 gauges, 1,000 meters, 2,000 histograms of 100 samples. */
function registerBenchmarkSet(group: MetricGroup, order: 'by type' | 'interleaved'): void {
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
  if (order === 'by type') {
    for (const [count, register] of kinds) for (let i = 0; i < count; i++) register(i);
    return;
  }
  for (let i = 0; i < 4_000; i++) for (const [count, register] of kinds) if (i < count) register(i);
}
