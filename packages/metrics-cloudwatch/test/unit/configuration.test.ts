import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, ConfigurationError, MetricRegistry, noopLogger } from '@statebackend/aws-base';
import {
  defaultReporterFactories,
  ManualScheduler,
  type MetricConfig,
  reporterProperties,
} from '@statebackend/aws-base/spi';
import {
  CloudWatchMetricReporter,
  CloudWatchMetricReporterFactory,
  type CloudWatchMetricReporterOptions,
  JAVA_FACTORY_CLASS,
} from '../../src/index.js';

function metricConfig(configuration: Configuration, name = 'cloudwatch'): MetricConfig {
  return {
    name,
    properties: reporterProperties(configuration, name),
    configuration,
    logger: noopLogger,
    scheduler: new ManualScheduler(),
    metricGroup: new MetricRegistry().createGroup().addGroup('reporter', name),
  };
}

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('CloudWatch reporter configuration', () => {
  const yaml = [
    'metrics.reporter.cloudwatch.factory.class: cloudwatch',
    'metrics.reporter.cloudwatch.namespace: MyApp/Streaming',
    'metrics.reporter.cloudwatch.interval: 30 s',
    'metrics.reporter.cloudwatch.include-task-dimensions: true',
    'metrics.reporter.cloudwatch.dimensions: Environment:prod,Team:data',
    'metrics.reporter.cloudwatch.histogram.mode: percentiles',
    'metrics.reporter.cloudwatch.histogram.percentiles: [50, 99.9]',
    'metrics.reporter.cloudwatch.high-resolution.includes: ["*:checkpoint*", "*.state:*:histogram"]',
    'metrics.reporter.cloudwatch.retry.max-attempts: 5',
    'aws.region: eu-west-1',
    'aws.credentials.provider: BASIC',
    'aws.credentials.provider.basic.accesskeyid: AKIDEXAMPLE',
    'aws.credentials.provider.basic.secretkey: secret',
  ].join('\n');

  it('reads every key of a YAML file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-config-'));
    try {
      const file = join(dir, 'metrics.yaml');
      writeFileSync(file, yaml);
      const reporter = new CloudWatchMetricReporterFactory().createMetricReporter(
        metricConfig(Configuration.fromYamlFile(file)),
      );
      expect(reporter.settings).toMatchObject({
        namespace: 'MyApp/Streaming',
        includeTaskDimensions: true,
        dimensions: { Environment: 'prod', Team: 'data' },
        histogramMode: 'percentiles',
        percentiles: [50, 99.9],
        retryMaxAttempts: 5,
        mode: 'api',
      });
      expect(reporter.settings.highResolution?.filter('histogram', 'latency', 'taskmanager.job.state')).toBe(
        true,
      );
      expect(reporter.settings.highResolution?.filter('counter', 'latency', 'taskmanager.job.state')).toBe(
        false,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the keys of a reporter given another name', () => {
    const configuration = Configuration.fromObject({
      'metrics.reporter.cw.factory.class': 'cloudwatch',
      'metrics.reporter.cw.namespace': 'Other',
      'aws.region': 'us-east-1',
    });
    const reporter = new CloudWatchMetricReporterFactory().createMetricReporter(
      metricConfig(configuration, 'cw'),
    );
    expect(reporter.settings.namespace).toBe('Other');
  });

  it('names the keys of a reporter given another name as configured, in one error with the generic ones', async () => {
    const configuration = Configuration.fromObject({
      'metrics.reporter.cw.factory.class': 'cloudwatch',
      'metrics.reporter.cw.interval': '-1 s',
      'metrics.reporter.cw.namespace': 'AWS/EC2',
      'metrics.reporter.cw.include-task-dimension': 'true',
      'aws.region': 'us-east-1',
    });
    const error = await MetricRegistry.fromConfiguration(configuration).catch((e: unknown) => e);
    expect((error as ConfigurationError).keys).toEqual([
      'metrics.reporter.cw.interval',
      'metrics.reporter.cw.namespace',
      'metrics.reporter.cw.include-task-dimension',
    ]);
    expect((error as ConfigurationError).issues[2]?.suggestion).toBe(
      'metrics.reporter.cw.include-task-dimensions',
    );
  });

  it('registers its factory under its names, the Java module one included', () => {
    for (const name of ['cloudwatch', '@statebackend/metrics-cloudwatch', JAVA_FACTORY_CLASS]) {
      expect(defaultReporterFactories.get(name)).toBeInstanceOf(CloudWatchMetricReporterFactory);
    }
  });

  it('is created by a registry from configuration, reporting every 60 s by default', async () => {
    const scheduler = new ManualScheduler();
    const configuration = Configuration.fromObject({
      'metrics.reporter.cloudwatch.factory.class': '@statebackend/metrics-cloudwatch',
      'metrics.reporter.cloudwatch.mode': 'dry-run',
    });
    const logged: string[] = [];
    const logger = { ...noopLogger, info: (message: string) => logged.push(message) };
    const registry = await MetricRegistry.fromConfiguration(configuration, { scheduler, logger });
    expect(registry.reporterNames).toEqual(['cloudwatch']);
    registry.createGroup({ host: 'h' }).counter('c');
    await scheduler.advance(59_999);
    expect(logged).toEqual([]);
    await scheduler.advance(1);
    expect(logged).toHaveLength(1);
    await registry.close();
  });

  it('lists every invalid key at once, with suggestions for unknown ones', () => {
    const error = configurationError(
      () =>
        new CloudWatchMetricReporter({
          mode: 'emf',
          configuration: Configuration.fromObject({
            'metrics.reporter.cloudwatch.namespace': 'AWS/EC2',
            'metrics.reporter.cloudwatch.histogram.mode': 'buckets',
            'metrics.reporter.cloudwatch.histogram.max-values': 151,
            'metrics.reporter.cloudwatch.include-task-dimension': true,
          }),
        }),
    );
    expect(error.keys).toEqual([
      'metrics.reporter.cloudwatch.namespace',
      'metrics.reporter.cloudwatch.histogram.mode',
      'metrics.reporter.cloudwatch.histogram.max-values',
      'metrics.reporter.cloudwatch.include-task-dimension',
    ]);
    expect(error.issues[3]?.suggestion).toBe('metrics.reporter.cloudwatch.include-task-dimensions');
  });

  it("tells what to use instead of the Java module's keys", () => {
    const error = configurationError(
      () =>
        new CloudWatchMetricReporter({
          mode: 'dry-run',
          configuration: Configuration.fromObject({
            'metrics.reporter.cloudwatch.batch-size': 20,
            'metrics.reporter.cloudwatch.job-name': 'wordcount',
          }),
        }),
    );
    expect(error.keys).toEqual([
      'metrics.reporter.cloudwatch.batch-size',
      'metrics.reporter.cloudwatch.job-name',
    ]);
    expect(error.message).toContain('use batch.max-datums');
  });

  it('names settings given in code by their keys too', () => {
    const error = configurationError(
      () => new CloudWatchMetricReporter({ mode: 'emf', percentiles: [101], bufferMaxDatums: -1 }),
    );
    expect(error.keys).toEqual([
      'metrics.reporter.cloudwatch.histogram.percentiles',
      'metrics.reporter.cloudwatch.buffer.max-datums',
    ]);
  });

  it('requires aws.region before any AWS call when it builds its own client', () => {
    const error = configurationError(
      () =>
        new CloudWatchMetricReporter({
          configuration: Configuration.fromObject({ 'metrics.reporter.cloudwatch.namespace': 'X' }),
        }),
    );
    expect(error.keys).toEqual(['aws.region']);
    // Not needed with the caller's client, nor in emf and dry-run modes.
    expect(
      () => new CloudWatchMetricReporter({ mode: 'dry-run', configuration: new Configuration() }),
    ).not.toThrow();
  });

  it('takes dimensions given in code as a record, commas and colons in values included', () => {
    const reporter = new CloudWatchMetricReporter({
      mode: 'dry-run',
      dimensions: { Url: 'http://example.com:8080/a,b', Team: 'data' },
    });
    expect(reporter.settings.dimensions).toEqual({ Url: 'http://example.com:8080/a,b', Team: 'data' });
    const error = configurationError(
      () => new CloudWatchMetricReporter({ mode: 'dry-run', dimensions: { Empty: ' ', '': 'x' } }),
    );
    expect(error.keys).toEqual([
      'metrics.reporter.cloudwatch.dimensions',
      'metrics.reporter.cloudwatch.dimensions',
    ]);
  });

  it('takes a close timeout, 5 s by default, and rejects one beyond 10 minutes', () => {
    expect(new CloudWatchMetricReporter({ mode: 'dry-run' }).settings.closeTimeoutMs).toBe(5_000);
    const configuration = Configuration.fromObject({ 'metrics.reporter.cloudwatch.close.timeout': '2 s' });
    expect(new CloudWatchMetricReporter({ mode: 'dry-run', configuration }).settings.closeTimeoutMs).toBe(
      2_000,
    );
    const error = configurationError(
      () => new CloudWatchMetricReporter({ mode: 'dry-run', closeTimeoutMs: 3_600_000 }),
    );
    expect(error.keys).toEqual(['metrics.reporter.cloudwatch.close.timeout']);
  });

  it('reports options in code it does not know, with the nearest known one, with the other problems', () => {
    const options = { mode: 'dry-run', namespce: 'MyApp', batchSize: 20, percentiles: [101] };
    const error = configurationError(
      () => new CloudWatchMetricReporter(options as unknown as CloudWatchMetricReporterOptions),
    );
    expect(error.keys).toEqual([
      'namespce',
      'batchSize',
      'metrics.reporter.cloudwatch.histogram.percentiles',
    ]);
    expect(error.issues[0]?.suggestion).toBe('namespace');
  });

  it('closes without sending when it was never opened', async () => {
    const reporter = new CloudWatchMetricReporter({ mode: 'dry-run' });
    await reporter.close();
    expect(reporter.isClosed).toBe(true);
    expect(reporter.statistics.requests).toBe(0);
  });
});
