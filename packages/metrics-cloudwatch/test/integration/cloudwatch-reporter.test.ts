import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { AwsClientManager, Configuration, MetricRegistry } from '@statebackend/aws-base';
import { ManualScheduler } from '@statebackend/aws-base/spi';
import { describeEachTarget, uniqueName } from '@statebackend/testkit';
import { CloudWatchMetricReporter } from '../../src/index.js';
import { eventually, failNextRequests, listMetrics, reportStart, statistics } from './cloudwatch-support.js';

const MINUTE = 60_000;
const scope = {
  host: 'worker-1',
  jobName: 'wordcount',
  taskName: 'Map',
  subtaskIndex: 0,
  operatorName: 'Tokenizer',
};
const dimensions = [
  { Name: 'Environment', Value: 'it' },
  { Name: 'job_name', Value: 'wordcount' },
  { Name: 'task_name', Value: 'Map' },
  { Name: 'operator_name', Value: 'Tokenizer' },
];

describeEachTarget('cloudwatch', (target) => {
  // CloudWatch metrics cannot be deleted: each test writes to a namespace of its own, and a
  // real account shows new data only after minutes.
  const patienceMs = target.name === 'aws' ? 900_000 : 10_000;
  const timeoutMs = patienceMs + 60_000;
  const clients = new AwsClientManager(target.configuration(), { userAgentSuffix: 'metrics-cloudwatch-it' });
  afterAll(() => clients.close());

  async function reporterRegistry(namespace: string, client: CloudWatchClient, scheduler: ManualScheduler) {
    const registry = new MetricRegistry({ scheduler });
    const reporter = new CloudWatchMetricReporter({
      client,
      namespace,
      dimensions: { Environment: 'it' },
      retryMaxAttempts: 1,
    });
    await registry.addReporter(reporter, { name: 'cloudwatch', intervalMs: MINUTE });
    return { registry, reporter, group: registry.createGroup(scope) };
  }

  it(
    `delivers the sum of a counter's increments over several intervals, one send failing, on ${target.name}`,
    async () => {
      const namespace = uniqueName('statebackend-cw-it');
      const client = clients.getOrCreate(CloudWatchClient, { clientConfig: { maxAttempts: 1 } });
      const failures = failNextRequests(client);
      const start = reportStart();
      const scheduler = new ManualScheduler(start);
      const { registry, reporter, group } = await reporterRegistry(namespace, client, scheduler);
      const records = group.counter('records');
      const increments = [5, 7, 11, 13];
      for (const [i, n] of increments.entries()) {
        records.inc(n);
        if (i === 1) failures.fail(1);
        await scheduler.advance(MINUTE);
      }
      await registry.close();
      expect(failures.failed).toBe(1);
      expect(reporter.statistics.failedRequests).toBe(1);

      const datapoint = await eventually(
        () => statistics(client, namespace, 'records', dimensions, start),
        (d) => d?.Sum === 36,
        patienceMs,
      );
      // Four intervals plus the final report on close, less the failed send whose delta went with the next.
      expect(datapoint).toMatchObject({ Sum: 36, SampleCount: 4 });
    },
    timeoutMs,
  );

  it(
    `delivers a histogram whose sample count, minimum and maximum are the recorded ones, on ${target.name}`,
    async () => {
      const namespace = uniqueName('statebackend-cw-it');
      const client = clients.getOrCreate(CloudWatchClient);
      const start = reportStart();
      const scheduler = new ManualScheduler(start);
      const { registry, group } = await reporterRegistry(namespace, client, scheduler);
      const latency = group.addGroup('state').histogram('readLatencyMicros');
      const recorded = Array.from({ length: 2_000 }, (_, i) => 3 + ((i * 7919) % 250_000));
      for (const value of recorded.slice(0, 1_000)) latency.update(value);
      await scheduler.advance(MINUTE);
      for (const value of recorded.slice(1_000)) latency.update(value);
      await registry.close();

      const datapoint = await eventually(
        () => statistics(client, namespace, 'state.readLatencyMicros', dimensions, start),
        (d) => d?.SampleCount === 2_000,
        patienceMs,
      );
      expect(datapoint?.SampleCount).toBe(2_000);
      expect(datapoint?.Minimum).toBe(Math.min(...recorded));
      expect(datapoint?.Maximum).toBe(Math.max(...recorded));
      const exactSum = recorded.reduce((a, b) => a + b, 0);
      expect(Math.abs((datapoint?.Sum ?? 0) - exactSum) / exactSum).toBeLessThan(0.01);
    },
    timeoutMs,
  );

  it(
    `files every metric under the configured namespace and dimensions, on ${target.name}`,
    async () => {
      const namespace = uniqueName('statebackend-cw-it');
      const client = clients.getOrCreate(CloudWatchClient);
      const scheduler = new ManualScheduler(reportStart());
      const { registry, group } = await reporterRegistry(namespace, client, scheduler);
      group.counter('records').inc();
      group.gauge('cacheSize', () => 12);
      group.meter('recordsPerSecond').markEvent(60);
      group.addGroup('state').addGroup('name', 'counts').counter('reads').inc();
      await registry.close();

      const metrics = await eventually(
        () => listMetrics(client, namespace),
        (list) => list.length === 13,
        patienceMs,
      );
      const byName = new Map(metrics.map((m) => [m.MetricName, m.Dimensions]));
      const own = [...byName.keys()].filter((name) => name?.startsWith('reporter.'));
      expect([...byName.keys()].filter((name) => !own.includes(name)).sort()).toEqual([
        'cacheSize',
        'records',
        'recordsPerSecond',
        'state.name.reads',
      ]);
      // The reporter's own metrics, under the same namespace, by reporter name.
      expect(own).toHaveLength(9);
      expect(byName.get('reporter.requests')).toEqual([
        { Name: 'Environment', Value: 'it' },
        { Name: 'reporter', Value: 'cloudwatch' },
      ]);
      expect(byName.get('records')).toEqual(expect.arrayContaining(dimensions));
      expect(byName.get('records')).toHaveLength(4);
      expect(byName.get('state.name.reads')).toEqual(
        expect.arrayContaining([...dimensions, { Name: 'name', Value: 'counts' }]),
      );
    },
    timeoutMs,
  );

  it(
    `is built from a YAML file with the keys the README shows, on ${target.name}`,
    async () => {
      const namespace = uniqueName('statebackend-cw-it');
      const dir = mkdtempSync(join(tmpdir(), 'cw-it-'));
      try {
        const aws = [...target.configuration().toMap()].map(([key, value]) => `${key}: "${value}"`);
        const file = join(dir, 'statebackend.yaml');
        writeFileSync(
          file,
          [
            'metrics.reporter.cloudwatch.factory.class: "@statebackend/metrics-cloudwatch"',
            `metrics.reporter.cloudwatch.namespace: ${namespace}`,
            'metrics.reporter.cloudwatch.interval: 1 min',
            'metrics.reporter.cloudwatch.include-task-dimensions: false',
            'metrics.reporter.cloudwatch.dimensions: Environment:it',
            'metrics.reporter.cloudwatch.histogram.mode: distribution',
            ...aws,
          ].join('\n'),
        );
        const start = reportStart();
        const scheduler = new ManualScheduler(start);
        const registry = await MetricRegistry.fromConfiguration(Configuration.fromYamlFile(file), {
          scheduler,
        });
        const group = registry.createGroup(scope);
        group.counter('records').inc(3);
        await scheduler.advance(MINUTE);
        group.counter('records').inc(4);
        await registry.close();

        const client = clients.getOrCreate(CloudWatchClient);
        const datapoint = await eventually(
          () => statistics(client, namespace, 'records', dimensions, start),
          (d) => d?.Sum === 7,
          patienceMs,
        );
        expect(datapoint?.Sum).toBe(7);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    timeoutMs,
  );

  it(
    `marks high-resolution metrics with StorageResolution 1, on ${target.name} (the emulators ignore StorageResolution, so the request is what is checked)`,
    async () => {
      const namespace = uniqueName('statebackend-cw-it');
      const client = clients.getOrCreate(CloudWatchClient, { clientConfig: { maxAttempts: 2 } });
      const sent: PutMetricDataCommandInput[] = [];
      client.middlewareStack.add(
        (next) => async (args) => {
          sent.push(args.input as PutMetricDataCommandInput);
          return next(args);
        },
        { step: 'initialize', name: 'recordInput' },
      );
      const scheduler = new ManualScheduler(reportStart());
      const registry = new MetricRegistry({ scheduler });
      await registry.addReporter(
        new CloudWatchMetricReporter({ client, namespace, highResolution: ['*:checkpoint*'] }),
        {
          name: 'cloudwatch',
          intervalMs: 10_000,
        },
      );
      const group = registry.createGroup(scope);
      group.counter('checkpointsCompleted').inc();
      group.counter('records').inc();
      await registry.close();

      const datums = sent.flatMap((input) => input.MetricData ?? []);
      const resolution = new Map(datums.map((d) => [d.MetricName, d.StorageResolution]));
      expect(resolution.get('checkpointsCompleted')).toBe(1);
      expect(resolution.get('records')).toBeUndefined();
      const metrics = await eventually(
        () => listMetrics(client, namespace),
        (list) => list.some((m) => m.MetricName === 'checkpointsCompleted'),
        patienceMs,
      );
      expect(metrics.map((m) => m.MetricName)).toContain('checkpointsCompleted');
    },
    timeoutMs,
  );
});
