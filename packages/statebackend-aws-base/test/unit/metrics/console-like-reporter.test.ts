import { ConsoleLikeReporter, MetricRegistry } from '../../../src/index.js';
import { ManualScheduler } from '../../../src/spi.js';

describe('ConsoleLikeReporter', () => {
  it('writes one line per metric, sorted by identifier, to its sink', async () => {
    const lines: string[] = [];
    const scheduler = new ManualScheduler();
    const registry = new MetricRegistry({ scheduler });
    await registry.addReporter(
      new ConsoleLikeReporter({ sink: (line) => lines.push(line), quantiles: [0.5] }),
      {
        name: 'console',
        intervalMs: 60_000,
      },
    );
    const group = registry.createGroup({ host: 'h', jobName: 'job' });
    group.counter('b.count').inc(42);
    group.gauge('a.gauge', () => 1.5);
    const histogram = group.histogram('c.histogram');
    for (const value of [10, 20, 30]) histogram.update(value);
    group.meter('d.meter').markEvent(120);
    group.gauge('e.broken', () => {
      throw new Error('unavailable');
    });
    await scheduler.advance(60_000);
    expect(lines).toEqual([
      'h.job.a.gauge gauge value=1.5',
      'h.job.b.count counter count=42',
      'h.job.c.histogram histogram count=3 min=10 max=30 mean=20 stddev=8.16497 p50=20',
      'h.job.d.meter meter rate=2/s count=120',
      'h.job.e.broken gauge value=error(unavailable)',
    ]);
  });

  it('stops writing a metric once its group is closed', async () => {
    const lines: string[] = [];
    const registry = new MetricRegistry({ scheduler: new ManualScheduler() });
    await registry.addReporter(new ConsoleLikeReporter({ sink: (line) => lines.push(line) }), {
      name: 'console',
    });
    const group = registry.createGroup({ host: 'h' });
    group.counter('gone');
    group.close();
    await registry.reportNow();
    expect(lines).toEqual([]);
  });
});
