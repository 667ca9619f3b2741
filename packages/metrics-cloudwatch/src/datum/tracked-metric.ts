import type { Dimension, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Counter, Gauge, Meter, Metric } from '@statebackend/aws-base';
import type { HistogramIntervalReader } from '@statebackend/aws-base/spi';
import type { ReporterStatistics } from '../reporter/reporter-statistics.js';
import { type DatumBase, type HistogramSettings, histogramDatums } from './histogram-datums.js';
import { acceptedValue, type OutgoingDatum } from './outgoing-datum.js';

/** What collecting a metric needs besides the metric. */
export interface CollectContext {
  readonly timestamp: Date;
  readonly histogram: HistogramSettings;
  readonly statistics: ReporterStatistics;
  /** Logs `message` the first time `key` is seen. */
  warnOnce(key: string, message: string): void;
}

/** How a metric is named in CloudWatch. */
export interface MetricIdentity {
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
  /** 1 for high-resolution metrics; otherwise left out (60). */
  readonly storageResolution: 1 | undefined;
}

function base(identity: MetricIdentity, timestamp: Date): DatumBase {
  return {
    MetricName: identity.metricName,
    // One array per metric, shared by its datums and never changed (the SDK only reads it): the
    // request packer measures it once per report rather than once per datum.
    Dimensions: identity.dimensions as Dimension[],
    Timestamp: timestamp,
    ...(identity.storageResolution === undefined ? {} : { StorageResolution: identity.storageResolution }),
  };
}

function single(datum: MetricDatum, retainedBySource = false, ack?: () => void): OutgoingDatum[] {
  return [{ datum, retainedBySource, ...(ack === undefined ? {} : { ack }) }];
}

/**
 * A metric the reporter was told of, with what it needs between reports: a counter's
 * acknowledged count, a histogram's interval reader.
 */
export class TrackedMetric {
  readonly identity: MetricIdentity;
  readonly metric: Metric;
  /** Counters: the count CloudWatch has acknowledged; deltas are measured from it. */
  #acknowledged = 0;
  readonly #reader: HistogramIntervalReader | undefined;

  constructor(metric: Metric, identity: MetricIdentity) {
    this.metric = metric;
    this.identity = identity;
    this.#reader = metric.metricType === 'histogram' ? metric.openIntervalReader() : undefined;
  }

  /** The datums of this report. */
  collect(context: CollectContext): OutgoingDatum[] {
    const metric = this.metric;
    switch (metric.metricType) {
      case 'counter':
        return this.#counterDatum(metric, context, true);
      case 'gauge':
        return this.#gaugeDatum(metric, context);
      case 'meter':
        return this.#meterDatum(metric, context);
      case 'histogram':
        return this.#histogramDatums(context);
    }
  }

  /**
   * What has not been delivered yet, for the reporter's last delivery when it closes: a
   * counter's unacknowledged delta (nothing when it is 0), a histogram's values since the last
   * report. Gauges and meters are not read again: their value went out with the final report.
   */
  pending(context: CollectContext): OutgoingDatum[] {
    const metric = this.metric;
    if (metric.metricType === 'counter') {
      return metric.getCount() === this.#acknowledged ? [] : this.#counterDatum(metric, context, false);
    }
    return metric.metricType === 'histogram' ? this.#histogramDatums(context) : [];
  }

  /**
   * What is left to send when the metric is removed: a counter's unacknowledged delta, a
   * histogram's values since the last report. Kept like any buffered datum, since the metric
   * that could resend them is gone.
   */
  close(context: CollectContext): OutgoingDatum[] {
    const metric = this.metric;
    const remaining =
      metric.metricType === 'counter'
        ? this.#counterDatum(metric, context, false)
        : metric.metricType === 'histogram'
          ? this.#histogramDatums(context)
          : [];
    this.#reader?.close();
    return remaining;
  }

  #counterDatum(counter: Counter, context: CollectContext, retained: boolean): OutgoingDatum[] {
    const count = counter.getCount();
    const delta = acceptedValue(count - this.#acknowledged);
    if (delta === undefined) {
      context.statistics.dropped('invalid-value');
      return [];
    }
    const datum: MetricDatum = { ...base(this.identity, context.timestamp), Value: delta, Unit: 'Count' };
    return single(datum, retained, () => {
      this.#acknowledged = count;
    });
  }

  #gaugeDatum(gauge: Gauge<unknown>, context: CollectContext): OutgoingDatum[] {
    let raw: unknown;
    try {
      raw = gauge.getValue();
    } catch (error) {
      context.statistics.skippedGauges.inc();
      const reason = error instanceof Error ? error.message : String(error);
      context.warnOnce(
        `gauge-throws:${this.identity.metricName}`,
        `Gauge '${this.identity.metricName}' threw: ${reason}`,
      );
      return [];
    }
    const numeric = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : undefined;
    if (numeric === undefined) {
      context.statistics.skippedGauges.inc();
      context.warnOnce(
        `gauge-type:${this.identity.metricName}`,
        `Gauge '${this.identity.metricName}' gives a ${raw === null ? 'null' : typeof raw}, not a number; it is not reported`,
      );
      return [];
    }
    const value = acceptedValue(numeric);
    if (value === undefined) {
      context.statistics.dropped('invalid-value');
      return [];
    }
    return single({ ...base(this.identity, context.timestamp), Value: value });
  }

  #meterDatum(meter: Meter, context: CollectContext): OutgoingDatum[] {
    const rate = acceptedValue(meter.getRate());
    if (rate === undefined) {
      context.statistics.dropped('invalid-value');
      return [];
    }
    return single({ ...base(this.identity, context.timestamp), Value: rate, Unit: 'Count/Second' });
  }

  #histogramDatums(context: CollectContext): OutgoingDatum[] {
    if (this.#reader === undefined) return [];
    const datums = histogramDatums(
      this.#reader.take(),
      base(this.identity, context.timestamp),
      context.histogram,
      (n) => context.statistics.dropped('invalid-value', n),
    );
    return datums.map((datum) => ({ datum, retainedBySource: false }));
  }
}
