import { type Logger, MetricRegistry } from '../../../src/index.js';
import { SimpleCounter } from '../../../src/spi.js';
import { RecordingReporter } from './recording-reporter.js';

function warnings(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const ignore = (): void => {};
  return { logger: { debug: ignore, info: ignore, error: ignore, warn: (m) => messages.push(m) }, messages };
}

describe('MetricGroup', () => {
  const scope = {
    host: 'host-1',
    jobName: 'wordcount',
    taskName: 'Map',
    subtaskIndex: 2,
    operatorName: 'Tokenizer',
  };

  it('carries the scope variables, components and logical scope of its levels', () => {
    const group = new MetricRegistry().createGroup(scope);
    expect(group.getAllVariables()).toEqual({
      '<host>': 'host-1',
      '<job_name>': 'wordcount',
      '<task_name>': 'Map',
      '<subtask_index>': '2',
      '<operator_name>': 'Tokenizer',
    });
    expect(group.getScopeComponents()).toEqual(['host-1', 'wordcount', 'Map', '2', 'Tokenizer']);
    expect(group.getLogicalScope()).toBe('taskmanager.job.task.operator');
    expect(group.getMetricIdentifier('records')).toBe('host-1.wordcount.Map.2.Tokenizer.records');
  });

  it('adds a variable for a key-value group, and only the key to the logical scope', () => {
    const group = new MetricRegistry().createGroup(scope).addGroup('state').addGroup('name', 'counts');
    expect(group.getAllVariables()['<name>']).toBe('counts');
    expect(group.getLogicalScope()).toBe('taskmanager.job.task.operator.state.name');
    expect(group.getUserScope()).toEqual(['state', 'name']);
    expect(group.getMetricIdentifier('reads', '/')).toBe(
      'host-1/wordcount/Map/2/Tokenizer/state/name/counts/reads',
    );
  });

  it('returns the same group and the same counter for the same names', () => {
    const registry = new MetricRegistry();
    const a = registry.createGroup(scope).addGroup('state');
    const b = registry.createGroup(scope).addGroup('state');
    expect(a).toBe(b);
    expect(a.addGroup('k', 'v')).toBe(b.addGroup('k', 'v'));
    const reads = a.counter('reads');
    reads.inc(3);
    expect(b.counter('reads').getCount()).toBe(3);
    expect(b.histogram('h')).toBe(a.histogram('h'));
    expect(b.meter('m')).toBe(a.meter('m'));
  });

  it('reports a name clash and keeps the first metric', () => {
    const { logger, messages } = warnings();
    const registry = new MetricRegistry({ logger });
    const group = registry.createGroup(scope);
    const first = group.counter('records');
    const second = group.counter('records', new SimpleCounter());
    group.gauge('records', () => 1);
    expect(second).not.toBe(first);
    expect(registry.getMetrics().map((m) => m.metric)).toEqual([first]);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain(
      "Name collision: 'host-1.wordcount.Map.2.Tokenizer.records' is already a counter",
    );
  });

  it('wraps a gauge function and reads it when asked', () => {
    let size = 1;
    const gauge = new MetricRegistry().createGroup(scope).gauge('cacheSize', () => size);
    size = 42;
    expect(gauge.getValue()).toBe(42);
    expect(gauge.metricType).toBe('gauge');
  });

  it('unregisters every metric of its subtree when closed, and ignores later registrations', async () => {
    const registry = new MetricRegistry();
    const reporter = new RecordingReporter();
    await registry.addReporter(reporter, { name: 'r' });
    const operator = registry.createGroup(scope);
    operator.counter('records');
    operator.addGroup('state').histogram('latency');
    operator.close();
    expect(operator.isClosed).toBe(true);
    expect(reporter.current).toEqual([]);
    expect(
      reporter.notifications
        .filter((n) => n.kind === 'removed')
        .map((n) => n.name)
        .sort(),
    ).toEqual(['latency', 'records']);
    operator.counter('late').inc();
    expect(registry.getMetrics()).toEqual([]);
    // The same scope afterwards is a fresh group (an operator restarted).
    registry.createGroup(scope).counter('records');
    expect(reporter.current).toEqual(['records']);
  });
});
