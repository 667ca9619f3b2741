import type { HistogramStatistics, Metric } from './metric.js';
import type { MetricGroupView } from './metric-group.js';

/** A metric as registered: the metric, its name and its group. */
export interface RegisteredMetric {
  readonly metric: Metric;
  readonly name: string;
  readonly group: MetricGroupView;
}

/** The value of a metric at one moment. */
export type MetricValue =
  | { readonly type: 'counter'; readonly count: number }
  | { readonly type: 'gauge'; readonly value: unknown }
  | { readonly type: 'meter'; readonly rate: number; readonly count: number }
  | { readonly type: 'histogram'; readonly statistics: HistogramStatistics };

/** A registered metric and its value, read without a reporter. */
export interface MetricReading extends RegisteredMetric {
  /** The group's scope components and the name, `.`-joined. */
  readonly identifier: string;
  readonly value: MetricValue;
}

/**
 * Reads a metric's current value. A gauge whose function throws reads as the error's message
 * wrapped in an `Error`, so that one broken gauge does not stop a whole read. Histograms give
 * their lifetime statistics; reading never resets anything.
 */
export function readMetricValue(metric: Metric): MetricValue {
  switch (metric.metricType) {
    case 'counter':
      return { type: 'counter', count: metric.getCount() };
    case 'gauge': {
      let value: unknown;
      try {
        value = metric.getValue();
      } catch (error) {
        value = error instanceof Error ? error : new Error(String(error));
      }
      return { type: 'gauge', value };
    }
    case 'meter':
      return { type: 'meter', rate: metric.getRate(), count: metric.getCount() };
    case 'histogram':
      return { type: 'histogram', statistics: metric.getStatistics() };
  }
}

/** {@link readMetricValue} of each metric, with its identifier. */
export function readMetrics(metrics: Iterable<RegisteredMetric>): MetricReading[] {
  const readings: MetricReading[] = [];
  for (const registered of metrics) {
    readings.push({
      ...registered,
      identifier: registered.group.getMetricIdentifier(registered.name),
      value: readMetricValue(registered.metric),
    });
  }
  return readings;
}
