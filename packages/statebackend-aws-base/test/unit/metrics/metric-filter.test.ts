import { ConfigurationError, createMetricFilter } from '../../../src/index.js';

describe('createMetricFilter (Flink filter syntax)', () => {
  const scope = 'taskmanager.job.task.operator.state';

  it('reports everything by default', () => {
    const filter = createMetricFilter();
    expect(filter.filter('histogram', 'anything', 'any.scope')).toBe(true);
  });

  it('matches scope and name patterns with * and , alternatives, and types', () => {
    const filter = createMetricFilter({ includes: ['*.operator.*:reads,write*:counter,meter'] });
    expect(filter.filter('counter', 'reads', scope)).toBe(true);
    expect(filter.filter('meter', 'writesPerSecond', scope)).toBe(true);
    expect(filter.filter('gauge', 'reads', scope)).toBe(false);
    expect(filter.filter('counter', 'deletes', scope)).toBe(false);
    expect(filter.filter('counter', 'reads', 'taskmanager.job.task')).toBe(false);
  });

  it('matches the whole name, not a part of it', () => {
    const filter = createMetricFilter({ includes: ['*:read'] });
    expect(filter.filter('counter', 'read', scope)).toBe(true);
    expect(filter.filter('counter', 'reads', scope)).toBe(false);
  });

  it('lets excludes win over includes', () => {
    const filter = createMetricFilter({ includes: ['*:*:*'], excludes: ['*.state:*:histogram', '*:debug*'] });
    expect(filter.filter('histogram', 'latency', scope)).toBe(false);
    expect(filter.filter('counter', 'latency', scope)).toBe(true);
    expect(filter.filter('counter', 'debugCount', 'taskmanager')).toBe(false);
  });

  it("treats '.' as Flink does: a literal dot also matches any other character", () => {
    const filter = createMetricFilter({ includes: ['job.task'] });
    expect(filter.filter('counter', 'x', 'job.task')).toBe(true);
    expect(filter.filter('counter', 'x', 'job_task')).toBe(true);
    expect(filter.filter('counter', 'x', 'jobtask')).toBe(false);
  });

  it('matches other characters literally', () => {
    const filter = createMetricFilter({ includes: ['*:a+b'] });
    expect(filter.filter('counter', 'a+b', scope)).toBe(true);
    expect(filter.filter('counter', 'aab', scope)).toBe(false);
  });

  it('reads types case-insensitively and a missing part as everything', () => {
    const filter = createMetricFilter({ includes: ['*:*:COUNTER', '*.state'] });
    expect(filter.filter('counter', 'x', 'job')).toBe(true);
    expect(filter.filter('gauge', 'x', scope)).toBe(true);
    expect(filter.filter('gauge', 'x', 'job')).toBe(false);
  });

  it('names the key and the unknown type in a ConfigurationError', () => {
    const error = (() => {
      try {
        createMetricFilter({ includes: ['*:*:timer'], includesKey: 'metrics.reporter.cw.filter.includes' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).keys).toEqual(['metrics.reporter.cw.filter.includes']);
    expect((error as ConfigurationError).message).toContain("unknown metric type 'timer'");
  });
});
