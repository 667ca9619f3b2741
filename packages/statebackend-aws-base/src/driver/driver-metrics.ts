import type { Counter } from '../metrics/metric.js';
import type { MetricGroup } from '../metrics/metric-group.js';
import { SimpleCounter } from '../metrics/simple-counter.js';

/** What the driver's gauges read. */
export interface DriverGaugeSources {
  inFlight(): number;
  /** The watermark emitted last; `-Infinity` before the first. */
  watermark(): number;
  /** Records consumed from the start of the stream. */
  offset(): number;
}

/**
 * The driver's metrics, under `driver` in the group given: `records` and `timersFired`
 * (counters), `inFlight`, `offset` and `currentWatermark` (gauges; the watermark reads -1 until
 * the first one, as gauges must be finite for most reporters).
 */
export class DriverMetrics {
  readonly records: Counter;
  readonly timersFired: Counter;

  constructor(group: MetricGroup | undefined, sources: DriverGaugeSources) {
    const driver = group?.addGroup('driver');
    this.records = driver?.counter('records') ?? new SimpleCounter();
    this.timersFired = driver?.counter('timersFired') ?? new SimpleCounter();
    driver?.gauge('inFlight', () => sources.inFlight());
    driver?.gauge('offset', () => sources.offset());
    driver?.gauge('currentWatermark', () => {
      const watermark = sources.watermark();
      return Number.isFinite(watermark) ? watermark : -1;
    });
  }
}
