import { join } from 'node:path';
import {
  Configuration,
  ConfigurationError,
  createMetricFilter,
  type Logger,
  MetricRegistry,
  MetricSettingError,
  StateBackendError,
} from '../../../src/index.js';
import { ManualScheduler, MetricReporterFactoryRegistry } from '../../../src/spi.js';
import { created } from './fixtures/recording-reporter-factory.js';
import { RecordingReporter } from './recording-reporter.js';

const scope = { host: 'h', jobName: 'job', taskName: 'Map', subtaskIndex: 0 };

function capturingLogger(): { logger: Logger; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const ignore = (): void => {};
  return {
    logger: { debug: ignore, info: ignore, warn: (m) => warnings.push(m), error: (m) => errors.push(m) },
    errors,
    warnings,
  };
}

describe('MetricRegistry', () => {
  it('refuses a reporter interval that is not above 0, naming the reporter, the value and what to give, and opens nothing', async () => {
    const registry = new MetricRegistry();
    for (const intervalMs of [0, -5, Number.NaN]) {
      const reporter = new RecordingReporter();
      const adding = registry.addReporter(reporter, { name: 'slow', intervalMs });
      await expect(adding).rejects.toBeInstanceOf(MetricSettingError);
      await expect(adding).rejects.toMatchObject({
        setting: "intervalMs of reporter 'slow'",
        received: String(intervalMs),
        message: `Invalid intervalMs of reporter 'slow': received ${intervalMs}; give a number of milliseconds above 0, or leave it out for the reporter's default.`,
      });
      expect(reporter.events).toEqual([]);
    }
    await registry.close();
  });

  it('tells a reporter of metrics registered before and after it was added, through its filter', async () => {
    const registry = new MetricRegistry();
    const group = registry.createGroup(scope);
    group.counter('before');
    const reporter = new RecordingReporter();
    await registry.addReporter(reporter, {
      name: 'r',
      filter: createMetricFilter({ excludes: ['*:*:gauge'] }),
    });
    group.counter('after');
    group.gauge('hidden', () => 1);
    expect(reporter.events[0]).toBe('open');
    expect(reporter.current).toEqual(['before', 'after']);
    expect(registry.getMetrics().map((m) => m.name)).toEqual(['before', 'after', 'hidden']);
  });

  it('shows each reporter the variables after its excludes and additions', async () => {
    const registry = new MetricRegistry();
    const reporter = new RecordingReporter();
    await registry.addReporter(reporter, {
      name: 'r',
      excludedVariables: ['host', '<subtask_index>'],
      additionalVariables: { region: 'eu-west-1', job_name: 'not-this' },
    });
    registry.createGroup(scope).counter('c');
    expect(reporter.notifications[0]?.group.getAllVariables()).toEqual({
      '<region>': 'eu-west-1',
      '<job_name>': 'job',
      '<task_name>': 'Map',
    });
    // The group's own variables first, root first, the additional ones last.
    expect(Object.keys(reporter.notifications[0]?.group.getAllVariables() ?? {})).toEqual([
      '<job_name>',
      '<task_name>',
      '<region>',
    ]);
  });

  it('reports every interval on the scheduler, and never starts a report while one runs', async () => {
    const scheduler = new ManualScheduler();
    const { logger, warnings } = capturingLogger();
    const registry = new MetricRegistry({ scheduler, logger });
    const reporter = new RecordingReporter();
    await registry.addReporter(reporter, { name: 'r', intervalMs: 10_000 });
    await scheduler.advance(9_999);
    expect(reporter.reports).toBe(0);
    await scheduler.advance(20_001);
    expect(reporter.reports).toBe(3);

    let release: () => void = () => {};
    reporter.hold = new Promise((resolve) => {
      release = resolve;
    });
    const slow = registry.reportNow();
    await registry.reportNow();
    expect(reporter.reports).toBe(4);
    expect(warnings).toEqual(["Metric reporter 'r' is still reporting; this interval is skipped"]);
    release();
    await slow;
  });

  it("uses the reporter's own default interval when none is given", async () => {
    const scheduler = new ManualScheduler();
    const registry = new MetricRegistry({ scheduler });
    const reporter = Object.assign(new RecordingReporter(), { defaultIntervalMs: 60_000 });
    await registry.addReporter(reporter, { name: 'r' });
    await scheduler.advance(59_999);
    expect(reporter.reports).toBe(0);
    await scheduler.advance(1);
    expect(reporter.reports).toBe(1);
    expect(reporter.config?.metricGroup.getAllVariables()['<reporter>']).toBe('r');
  });

  it('on close, stops the timer, reports a last time, then closes the reporter', async () => {
    const scheduler = new ManualScheduler();
    const registry = new MetricRegistry({ scheduler });
    const reporter = new RecordingReporter();
    await registry.addReporter(reporter, { name: 'r', intervalMs: 1_000 });
    await registry.close();
    expect(reporter.events).toEqual(['open', 'report', 'close']);
    expect(scheduler.pendingTasks).toBe(0);
    await expect(registry.addReporter(new RecordingReporter(), { name: 'late' })).rejects.toBeInstanceOf(
      StateBackendError,
    );
  });

  it('tells a reporter closing starts before the final report, and reports nothing after close', async () => {
    class ClosingReporter extends RecordingReporter {
      prepareClose(): void {
        this.events.push('prepareClose');
      }
    }
    const registry = new MetricRegistry({ scheduler: new ManualScheduler() });
    const reporter = new ClosingReporter();
    await registry.addReporter(reporter, { name: 'r', intervalMs: 1_000 });
    await registry.close();
    await registry.reportNow();
    expect(reporter.events).toEqual(['open', 'prepareClose', 'report', 'close']);
  });

  it('logs a failing reporter and goes on with the others', async () => {
    const { logger, errors } = capturingLogger();
    const registry = new MetricRegistry({ logger });
    const broken = new RecordingReporter();
    broken.notifyOfAddedMetric = () => {
      throw new Error('boom');
    };
    broken.report = async () => {
      throw new Error('down');
    };
    const healthy = new RecordingReporter();
    await registry.addReporter(broken, { name: 'broken' });
    await registry.addReporter(healthy, { name: 'healthy' });
    registry.createGroup(scope).counter('c');
    await registry.reportNow();
    expect(healthy.current).toEqual(['c']);
    expect(healthy.reports).toBe(1);
    expect(errors).toEqual([
      "Metric reporter 'broken' failed in notifyOfAddedMetric",
      "Metric reporter 'broken' failed to report",
    ]);
  });

  it('reads every metric without a reporter', () => {
    const registry = new MetricRegistry();
    const group = registry.createGroup(scope);
    group.counter('c').inc(2);
    group.histogram('h').update(5);
    group.gauge('g', () => 'text');
    const readings = registry.read().map((r) => [r.identifier, r.value.type]);
    expect(readings).toEqual([
      ['h.job.Map.0.c', 'counter'],
      ['h.job.Map.0.h', 'histogram'],
      ['h.job.Map.0.g', 'gauge'],
    ]);
  });
});

describe('MetricRegistry.fromConfiguration', () => {
  it('creates the configured reporters from registered names, with their keys and intervals', async () => {
    const factories = new MetricReporterFactoryRegistry();
    const reporters: RecordingReporter[] = [];
    factories.register(
      {
        createMetricReporter: () =>
          reporters[reporters.push(new RecordingReporter()) - 1] as RecordingReporter,
      },
      'recording',
    );
    const scheduler = new ManualScheduler();
    const configuration = Configuration.fromYaml(
      [
        'metrics.reporter.first.factory.class: recording',
        'metrics.reporter.first.interval: 5 s',
        'metrics.reporter.first.filter.includes: "*:kept"',
        'metrics.reporter.first.custom.key: value',
        'metrics.reporter.second.factory.class: recording',
        'metrics.reporter.second.scope.variables.additional: region:eu-west-1,team:data',
        'metrics.reporter.second.scope.variables.excludes: host;task_name',
        'aws.region: eu-west-1',
      ].join('\n'),
    );
    const registry = await MetricRegistry.fromConfiguration(configuration, { factories, scheduler });
    registry.createGroup(scope).counter('kept');
    registry.createGroup(scope).counter('dropped');
    const [first, second] = reporters;
    expect(registry.reporterNames).toEqual(['first', 'second']);
    expect(first?.current).toEqual(['kept']);
    expect(first?.config?.properties.getString('custom.key')).toBe('value');
    expect(first?.config?.configuration.getString('aws.region')).toBe('eu-west-1');
    expect(second?.current).toEqual(['kept', 'dropped']);
    expect(second?.notifications[0]?.group.getAllVariables()).toEqual({
      '<region>': 'eu-west-1',
      '<team>': 'data',
      '<job_name>': 'job',
      '<subtask_index>': '0',
    });
    await scheduler.advance(10_000);
    expect([first?.reports, second?.reports]).toEqual([2, 1]);
    await registry.close();
  });

  it('loads a factory by module path and export name, with the factory default interval', async () => {
    const scheduler = new ManualScheduler();
    const path = join(__dirname, 'fixtures', 'recording-reporter-factory.ts');
    const configuration = Configuration.fromObject({
      'metrics.reporter.mod.factory.class': `${path}#recordingFactory`,
    });
    const registry = await MetricRegistry.fromConfiguration(configuration, { scheduler });
    const reporter = created[created.length - 1];
    await scheduler.advance(29_999);
    expect(reporter?.reports).toBe(0);
    await scheduler.advance(1);
    expect(reporter?.reports).toBe(1);
    await registry.close();
  });

  it('starts only the reporters metrics.reporters lists', async () => {
    const factories = new MetricReporterFactoryRegistry().register(
      { createMetricReporter: () => new RecordingReporter() },
      'rec',
    );
    const configuration = Configuration.fromObject({
      'metrics.reporters': 'b',
      'metrics.reporter.a.factory.class': 'rec',
      'metrics.reporter.b.factory.class': 'rec',
    });
    const registry = await MetricRegistry.fromConfiguration(configuration, { factories });
    expect(registry.reporterNames).toEqual(['b']);
    await registry.close();
  });

  it('lists every malformed reporter key at once, before creating any reporter', async () => {
    let createdCount = 0;
    const factories = new MetricReporterFactoryRegistry().register(
      {
        createMetricReporter: () => {
          createdCount++;
          return new RecordingReporter();
        },
      },
      'rec',
    );
    const configuration = Configuration.fromObject({
      'metrics.reporter.a.factory.class': 'rec',
      'metrics.reporter.a.interval': 'often',
      'metrics.reporter.b.factory.class': 'rec',
      'metrics.reporter.b.filter.excludes': '*:*:timer',
      'metrics.reporter.c.factory.class': 'rec',
      'metrics.reporter.c.scope.variables.additional': 'no-colon',
    });
    const error = await MetricRegistry.fromConfiguration(configuration, { factories }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).keys).toEqual([
      'metrics.reporter.a.interval',
      'metrics.reporter.b.filter.excludes',
      'metrics.reporter.c.scope.variables.additional',
    ]);
    expect(createdCount).toBe(0);
  });

  it("lists a factory's problems with the malformed generic keys, still creating no reporter", async () => {
    let createdCount = 0;
    const factories = new MetricReporterFactoryRegistry().register(
      {
        createMetricReporter: () => {
          createdCount++;
          return new RecordingReporter();
        },
        findConfigurationIssues: (config) =>
          config.properties.contains('colour')
            ? [{ key: `metrics.reporter.${config.name}.colour`, received: 'mauve', expected: 'red or blue' }]
            : [],
      },
      'rec',
    );
    const configuration = Configuration.fromObject({
      'metrics.reporter.a.factory.class': 'rec',
      'metrics.reporter.a.interval': '-1 s',
      'metrics.reporter.a.colour': 'mauve',
    });
    const error = await MetricRegistry.fromConfiguration(configuration, { factories }).catch(
      (e: unknown) => e,
    );
    expect((error as ConfigurationError).keys).toEqual([
      'metrics.reporter.a.interval',
      'metrics.reporter.a.colour',
    ]);
    expect(createdCount).toBe(0);
  });

  it('names the unknown factory and the registered ones', async () => {
    const factories = new MetricReporterFactoryRegistry().register(
      { createMetricReporter: () => new RecordingReporter() },
      'rec',
    );
    const configuration = Configuration.fromObject({
      'metrics.reporter.x.factory.class': 'no-such-module-here',
    });
    const error = await MetricRegistry.fromConfiguration(configuration, { factories }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).keys).toEqual(['metrics.reporter.x.factory.class']);
    expect((error as ConfigurationError).message).toContain('a registered reporter factory (rec)');
  });
});
