import { ConsoleLikeReporter, MetricRegistry, ProcessorDriver } from '../../../src/index.js';
import { heapBackendIn, type Rec, records, tempDirectory } from './driver-fixtures.js';

let dir: Awaited<ReturnType<typeof tempDirectory>>;
beforeEach(async () => {
  dir = await tempDirectory();
});
afterEach(() => dir.remove());

describe('ProcessorDriver metrics', () => {
  it('counts records and timers fired, and reports the offset and the watermark', async () => {
    const registry = new MetricRegistry();
    const lines: string[] = [];
    await registry.addReporter(new ConsoleLikeReporter({ sink: (line) => lines.push(line) }), {
      name: 'lines',
      intervalMs: 3_600_000,
    });
    const driver = new ProcessorDriver<Rec, string>({
      createBackend: heapBackendIn(dir.path),
      keyOf: (r) => r.key,
      process: (r, ctx) => ctx.timers.registerEventTimeTimer(r.ts + 5),
      eventTime: { timestampOf: (r) => r.ts, watermarkEveryRecords: 10 },
      fireTimersAtEnd: false,
      metricGroup: registry.createGroup({ host: 'h', jobName: 'job', taskName: 'op', subtaskIndex: 0 }),
    });
    await driver.start();
    await driver.run(records(0, 25));
    await registry.close();
    const reported = Object.fromEntries(
      lines
        .filter((l) => l.includes('.driver.'))
        .map((l) => [l.split(' ')[0]?.replace(/^.*\.driver\./, ''), l.split(' ').slice(2).join(' ')]),
    );
    // The last watermark, before record 20 (ts 200), is 199: the timers of records 0..19 fired.
    expect(reported).toEqual({
      currentWatermark: 'value=199',
      inFlight: 'value=0',
      offset: 'value=25',
      records: 'count=25',
      timersFired: 'count=20',
    });
    await driver.backend.dispose();
  });
});
