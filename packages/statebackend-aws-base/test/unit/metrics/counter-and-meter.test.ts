import { MetricSettingError } from '../../../src/index.js';
import { MeterView } from '../../../src/metrics/meter-view.js';
import { ManualScheduler, SimpleCounter } from '../../../src/spi.js';

describe('SimpleCounter', () => {
  it('goes up and down by one or by n', () => {
    const counter = new SimpleCounter();
    counter.inc();
    counter.inc(10);
    counter.dec();
    counter.dec(3);
    expect(counter.getCount()).toBe(7);
    expect(counter.metricType).toBe('counter');
  });
});

describe('MeterView', () => {
  it('measures a steady rate per second over its window', async () => {
    const clock = new ManualScheduler();
    const meter = new MeterView({ clock: () => clock.now() });
    for (let second = 0; second < 120; second++) {
      meter.markEvent(10);
      await clock.advance(1_000);
    }
    expect(meter.getRate()).toBeCloseTo(10, 6);
    expect(meter.getCount()).toBe(1_200);
  });

  it('forgets events older than its window', async () => {
    const clock = new ManualScheduler();
    const meter = new MeterView({ clock: () => clock.now(), timeSpanSeconds: 60 });
    for (let second = 0; second < 60; second++) {
      meter.markEvent(100);
      await clock.advance(1_000);
      meter.getRate();
    }
    for (let second = 0; second < 60; second++) {
      meter.markEvent(1);
      await clock.advance(1_000);
      meter.getRate();
    }
    expect(meter.getRate()).toBeCloseTo(1, 6);
  });

  it('divides by its age while younger than its window, and reads 0 before any time passed', async () => {
    const clock = new ManualScheduler();
    const meter = new MeterView({ clock: () => clock.now() });
    meter.markEvent(50);
    expect(meter.getRate()).toBe(0);
    await clock.advance(10_000);
    expect(meter.getRate()).toBeCloseTo(5, 6);
  });

  it('spreads events evenly over a long time without reads, so the window holds its share', async () => {
    const clock = new ManualScheduler();
    const meter = new MeterView({ clock: () => clock.now(), timeSpanSeconds: 60 });
    meter.getRate();
    meter.markEvent(600); // over 10 minutes, not read in between
    await clock.advance(600_000);
    expect(meter.getRate()).toBeCloseTo(1, 6);
  });

  it('meters an existing counter', async () => {
    const clock = new ManualScheduler();
    const counter = new SimpleCounter();
    const meter = new MeterView({ counter, clock: () => clock.now(), timeSpanSeconds: 10 });
    counter.inc(20);
    await clock.advance(10_000);
    expect(meter.getRate()).toBeCloseTo(2, 6);
    expect(meter.getCount()).toBe(20);
  });

  it('rejects a window that is not a positive number', () => {
    expect(() => new MeterView({ timeSpanSeconds: 0 })).toThrow(MetricSettingError);
  });

  it('names the option, the value given and what to give for a window that is not a positive number', () => {
    for (const seconds of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new MeterView({ timeSpanSeconds: seconds })).toThrow(
        expect.objectContaining({
          name: 'MetricSettingError',
          setting: 'MeterView option timeSpanSeconds',
          received: String(seconds),
          message: `Invalid MeterView option timeSpanSeconds: received ${seconds}; give a finite number of seconds above 0, or leave it out for 60.`,
        }),
      );
    }
  });
});

describe('ManualScheduler', () => {
  it('refuses to repeat a task at an interval that is not above 0, naming the value', () => {
    const scheduler = new ManualScheduler();
    expect(() => scheduler.repeat(() => {}, 0)).toThrow(
      expect.objectContaining({
        name: 'MetricSettingError',
        message:
          'Invalid ManualScheduler.repeat intervalMs: received 0; give a number of milliseconds above 0.',
      }),
    );
  });
});
