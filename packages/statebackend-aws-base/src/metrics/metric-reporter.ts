import type { Configuration } from '../config/configuration.js';
import type { ConfigurationIssue } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Metric } from './metric.js';
import type { MetricGroup, MetricGroupView } from './metric-group.js';
import type { Scheduler } from './scheduler.js';

/** What a reporter is opened with. */
export interface MetricConfig {
  /** The reporter's name: `cloudwatch` in `metrics.reporter.cloudwatch.*`. */
  readonly name: string;
  /**
   * The reporter's own keys with `metrics.reporter.<name>.` removed (`namespace`, `interval`...),
   * as Flink's `MetricConfig` has them.
   */
  readonly properties: Configuration;
  /** The whole configuration, for keys a reporter shares with others (such as `aws.*`). */
  readonly configuration: Configuration;
  readonly logger: Logger;
  /** The registry's clock and timers; use it for anything time-dependent. */
  readonly scheduler: Scheduler;
  /**
   * A group for the reporter's own metrics (requests sent, failures...), scoped by the host and
   * the variable `<reporter>` = its name. Metrics registered here are reported like any other.
   */
  readonly metricGroup: MetricGroup;
}

/**
 * A metric reporter, after Flink's `MetricReporter` (the SPI): told of every metric added and
 * removed that passes its filter, and, when it implements `report()`, called every interval and
 * once more when the registry closes.
 *
 * Notifications must be quick and must not throw (a throw is logged and ignored); `report()` may
 * take time, and the registry never starts a report before the previous one finished.
 */
export interface MetricReporter {
  /** Called once, after the reporter is created and before any notification. */
  open(config: MetricConfig): void | Promise<void>;
  /**
   * Called once when the registry starts closing, before the final `report()`: a reporter that
   * bounds how long closing may take starts counting here.
   */
  prepareClose?(): void;
  /** Called once when the registry closes, after the final `report()`. */
  close(): void | Promise<void>;
  notifyOfAddedMetric(metric: Metric, metricName: string, group: MetricGroupView): void;
  notifyOfRemovedMetric(metric: Metric, metricName: string, group: MetricGroupView): void;
  /** For scheduled reporters: reports every metric's current value. */
  report?(): void | Promise<void>;
  /** The interval this reporter suits when none is configured; otherwise 10 s, as in Flink. */
  readonly defaultIntervalMs?: number;
}

/**
 * Creates a reporter from configuration, after Flink's `MetricReporterFactory`. Named by
 * `metrics.reporter.<name>.factory.class`, either as a name registered in a
 * {@link MetricReporterFactoryRegistry} or as `<module>#<export>`.
 */
export interface MetricReporterFactory {
  createMetricReporter(config: MetricConfig): MetricReporter | Promise<MetricReporter>;
  /**
   * The problems with the reporter's configuration, without creating it. The registry asks when
   * another key (a generic one such as `interval`) is already wrong, so that one error lists
   * every problem before any reporter is created. Without it, such problems show once the
   * others are fixed (as a `ConfigurationError` of `createMetricReporter`).
   */
  findConfigurationIssues?(config: MetricConfig): readonly ConfigurationIssue[];
  /** The interval used when `metrics.reporter.<name>.interval` is not set; default 10 s, as in Flink. */
  readonly defaultIntervalMs?: number;
}
