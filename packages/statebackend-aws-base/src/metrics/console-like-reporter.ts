import type { Metric } from './metric.js';
import type { MetricGroupView } from './metric-group.js';
import { type MetricValue, readMetricValue } from './metric-reading.js';
import type { MetricConfig, MetricReporter } from './metric-reporter.js';

/** Options of {@link ConsoleLikeReporter}. */
export interface ConsoleLikeReporterOptions {
  /** Receives each line; e.g. `(line) => process.stdout.write(`${line}\n`)` or a logger. */
  readonly sink: (line: string) => void;
  /** Quantiles shown for histograms; default 0.5, 0.95, 0.99. */
  readonly quantiles?: readonly number[];
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(6).replace(/\.?0+$/, '');
}

function formatValue(value: MetricValue, quantiles: readonly number[]): string {
  switch (value.type) {
    case 'counter':
      return `count=${formatNumber(value.count)}`;
    case 'gauge': {
      const shown = value.value instanceof Error ? `error(${value.value.message})` : String(value.value);
      return `value=${typeof value.value === 'number' ? formatNumber(value.value) : shown}`;
    }
    case 'meter':
      return `rate=${formatNumber(value.rate)}/s count=${formatNumber(value.count)}`;
    case 'histogram': {
      const s = value.statistics;
      const parts = [`count=${s.count}`, `min=${formatNumber(s.min)}`, `max=${formatNumber(s.max)}`];
      parts.push(`mean=${formatNumber(s.mean)}`, `stddev=${formatNumber(s.stdDev)}`);
      for (const q of quantiles) parts.push(`p${formatNumber(q * 100)}=${formatNumber(s.getQuantile(q))}`);
      return parts.join(' ');
    }
  }
}

/**
 * A scheduled reporter that writes one line per metric, sorted by identifier, to an injected
 * sink: `<identifier> <type> <values>`, e.g.
 * `host-1.wordcount.Map.0.state.reads counter count=42`. For development and debugging.
 */
export class ConsoleLikeReporter implements MetricReporter {
  readonly #sink: (line: string) => void;
  readonly #quantiles: readonly number[];
  readonly #metrics = new Map<string, Metric>();

  constructor(options: ConsoleLikeReporterOptions) {
    this.#sink = options.sink;
    this.#quantiles = options.quantiles ?? [0.5, 0.95, 0.99];
  }

  open(_config: MetricConfig): void {}

  close(): void {
    this.#metrics.clear();
  }

  notifyOfAddedMetric(metric: Metric, metricName: string, group: MetricGroupView): void {
    this.#metrics.set(group.getMetricIdentifier(metricName), metric);
  }

  notifyOfRemovedMetric(metric: Metric, metricName: string, group: MetricGroupView): void {
    const identifier = group.getMetricIdentifier(metricName);
    if (this.#metrics.get(identifier) === metric) this.#metrics.delete(identifier);
  }

  report(): void {
    const identifiers = [...this.#metrics.keys()].sort();
    for (const identifier of identifiers) {
      const metric = this.#metrics.get(identifier);
      if (metric === undefined) continue;
      this.#sink(
        `${identifier} ${metric.metricType} ${formatValue(readMetricValue(metric), this.#quantiles)}`,
      );
    }
  }
}
