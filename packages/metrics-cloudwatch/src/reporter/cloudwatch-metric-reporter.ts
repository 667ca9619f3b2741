import type { CloudWatchClient, CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import {
  type AwsClientManager,
  type ClientSource,
  Configuration,
  type Logger,
  type Metric,
  type MetricConfig,
  type MetricGroupView,
  type MetricReporter,
  noopLogger,
  type Scheduler,
  systemScheduler,
} from '@statebackend/aws-base';
import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import { type CollectContext, TrackedMetric } from '../datum/tracked-metric.js';
import { toEmfEvents } from '../emf/emf-events.js';
import type { CloudWatchPublishError } from '../errors.js';
import { buildDimensions } from '../naming/dimensions.js';
import { cloudWatchMetricName } from '../naming/metric-name.js';
import { CloudWatchOptions } from '../options/cloudwatch-options.js';
import {
  type CloudWatchReporterSettings,
  type ResolvedSettings,
  resolveSettings,
  settingsToConfiguration,
} from '../options/reporter-settings.js';
import { Publisher } from '../publish/publisher.js';
import { RetryBuffer } from '../publish/retry-buffer.js';
import { ReporterStatistics, type ReporterStatisticsSnapshot } from './reporter-statistics.js';
import { apiSender, dryRunSender, type Send, streamSink } from './senders.js';

/** Everything the reporter takes in code: settings, where the client comes from, and collaborators. */
export type CloudWatchMetricReporterOptions = CloudWatchReporterSettings &
  ClientSource<CloudWatchClient, CloudWatchClientConfig> & {
    /**
     * `aws.*` keys for the client the reporter creates, and `metrics.reporter.cloudwatch.*` keys
     * (settings given in code win). Default: the registry's configuration.
     */
    readonly configuration?: Configuration;
    /** Default: the registry's logger. */
    readonly logger?: Logger;
    /** Clock and back-off pauses; default the registry's scheduler. */
    readonly scheduler?: Scheduler;
    /** Receives each EMF line in `emf` mode; default `emf.output` (stdout). */
    readonly emfSink?: (line: string) => void;
    /** In [0, 1), for back-off jitter; default `Math.random`. */
    readonly random?: () => number;
  };

/**
 * Reports metrics to Amazon CloudWatch: through PutMetricData (`api`), as Embedded Metric Format
 * lines (`emf`) or as a log of what it would send (`dry-run`). See the package README for how
 * each metric type maps to CloudWatch, the options and their defaults.
 *
 * @example
 * ```ts
 * const registry = new MetricRegistry();
 * await registry.addReporter(
 *   new CloudWatchMetricReporter({ namespace: 'MyApp', configuration: Configuration.fromObject({ 'aws.region': 'eu-west-1' }) }),
 *   { name: 'cloudwatch', intervalMs: 60_000 },
 * );
 * ```
 */
export class CloudWatchMetricReporter implements MetricReporter {
  /** CloudWatch keeps standard metrics per minute; reporting more often only adds requests. */
  readonly defaultIntervalMs = 60_000;
  readonly settings: ResolvedSettings;
  readonly #options: CloudWatchMetricReporterOptions;
  readonly #statistics = new ReporterStatistics();
  readonly #tracked = new Map<MetricGroupView, Map<string, TrackedMetric>>();
  readonly #warned = new Set<string>();
  #removed: OutgoingDatum[] = [];
  #logger: Logger;
  #scheduler: Scheduler;
  #buffer: RetryBuffer;
  #publisher: Publisher | undefined;
  #clients: AwsClientManager | undefined;
  #lastError: CloudWatchPublishError | undefined;

  /** @throws ConfigurationError listing every invalid setting, before any AWS call. */
  constructor(options: CloudWatchMetricReporterOptions = {}) {
    this.#options = options;
    const configuration = (options.configuration ?? new Configuration()).merge(
      settingsToConfiguration(options),
    );
    // The AWS keys matter only when this reporter builds the client; then they are checked now.
    const mode = CloudWatchOptions.MODE.tryParse(
      configuration.findValue(CloudWatchOptions.MODE)?.raw ?? 'api',
    );
    const buildsClient = (!mode.ok || mode.value === 'api') && options.client === undefined;
    this.settings = resolveSettings(configuration, {
      validateAws: buildsClient && options.configuration !== undefined,
    });
    this.#logger = options.logger ?? noopLogger;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#buffer = new RetryBuffer(this.settings.bufferMaxDatums, this.#statistics);
  }

  /** The reporter's own counts: requests, datums sent, failures, dropped values. */
  get statistics(): ReporterStatisticsSnapshot {
    return this.#statistics.snapshot();
  }

  /** The last failure to deliver, if the last report had one. */
  get lastError(): CloudWatchPublishError | undefined {
    return this.#lastError;
  }

  open(config: MetricConfig): void {
    this.#logger = this.#options.logger ?? config.logger;
    this.#scheduler = this.#options.scheduler ?? config.scheduler;
    this.#statistics.register(config.metricGroup);
    if (this.settings.mode === 'emf') return;
    let send: Send;
    if (this.settings.mode === 'api') {
      const sender = apiSender(
        this.#options,
        this.#options.configuration ?? config.configuration,
        this.#logger,
      );
      send = sender.send;
      this.#clients = sender.clients;
    } else {
      send = dryRunSender(this.#logger);
    }
    const settings = this.settings;
    this.#publisher = new Publisher({
      namespace: settings.namespace,
      maxDatumsPerRequest: settings.maxDatumsPerRequest,
      maxRequestBytes: settings.maxRequestBytes,
      maxAttempts: settings.retryMaxAttempts,
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: settings.retryMaxDelayMs,
      send,
      sleep: (ms) => this.#scheduler.sleep(ms),
      random: this.#options.random ?? Math.random,
      statistics: this.#statistics,
      logger: this.#logger,
    });
  }

  notifyOfAddedMetric(metric: Metric, metricName: string, group: MetricGroupView): void {
    const name = cloudWatchMetricName(metricName, group);
    if (name === undefined) {
      this.#statistics.dropped('invalid-name');
      this.warnOnce(
        `name:${group.getMetricIdentifier(metricName)}`,
        `Metric '${group.getMetricIdentifier(metricName)}' has a blank name; it is not reported`,
      );
      return;
    }
    const { dimensions, truncated } = buildDimensions(
      group.getAllVariables(),
      this.settings.dimensions,
      this.settings.includeTaskDimensions,
    );
    if (truncated > 0) {
      this.#statistics.truncatedDimensions.inc(truncated);
      this.warnOnce(
        `dims:${name}`,
        `Metric '${name}' has more than 30 dimensions; the last ${truncated} are left out`,
      );
    }
    const highResolution = this.settings.highResolution?.filter(
      metric.metricType,
      metricName,
      group.getLogicalScope('.'),
    );
    const tracked = new TrackedMetric(metric, {
      metricName: name,
      dimensions,
      storageResolution: highResolution === true ? 1 : undefined,
    });
    let byName = this.#tracked.get(group);
    if (byName === undefined) {
      byName = new Map();
      this.#tracked.set(group, byName);
    }
    byName.set(metricName, tracked);
  }

  notifyOfRemovedMetric(metric: Metric, metricName: string, group: MetricGroupView): void {
    const byName = this.#tracked.get(group);
    const tracked = byName?.get(metricName);
    if (byName === undefined || tracked === undefined || tracked.metric !== metric) return;
    byName.delete(metricName);
    if (byName.size === 0) this.#tracked.delete(group);
    this.#removed.push(...tracked.close(this.collectContext()));
  }

  /** Sends every metric's value of this interval, with what earlier reports could not deliver. */
  async report(): Promise<void> {
    const context = this.collectContext();
    const datums = this.#removed;
    this.#removed = [];
    for (const byName of this.#tracked.values()) {
      for (const tracked of byName.values()) {
        for (const outgoing of tracked.collect(context)) datums.push(outgoing);
      }
    }
    if (this.settings.mode === 'emf') {
      this.writeEmf(datums);
      return;
    }
    await this.deliver(datums);
  }

  /** Tries once more to deliver what the buffer holds, then releases the client it created. */
  async close(): Promise<void> {
    const pending = this.#removed;
    this.#removed = [];
    try {
      if (this.settings.mode === 'emf') this.writeEmf(pending);
      else if (this.#buffer.size > 0 || pending.length > 0) await this.deliver(pending);
    } finally {
      this.#clients?.close();
      this.#clients = undefined;
    }
  }

  private async deliver(datums: OutgoingDatum[]): Promise<void> {
    const publisher = this.#publisher;
    if (publisher === undefined)
      throw new TypeError('CloudWatchMetricReporter.report() called before open()');
    const all = this.#buffer.drain(this.#scheduler.now());
    for (const outgoing of datums) all.push(outgoing);
    if (all.length === 0) return;
    const { undelivered, lastError } = await publisher.publish(all);
    this.#lastError = lastError;
    this.#buffer.add(undelivered.filter((outgoing) => !outgoing.retainedBySource));
  }

  private writeEmf(datums: readonly OutgoingDatum[]): void {
    const sink = this.#options.emfSink ?? streamSink(this.settings.emfOutput);
    const { lines, rejected } = toEmfEvents(
      this.settings.namespace,
      datums.map((d) => d.datum),
    );
    for (const line of lines) sink(line);
    for (const outgoing of datums) outgoing.ack?.();
    this.#statistics.datumsSent.inc(datums.length - rejected.length);
    this.#statistics.dropped('rejected', rejected.length);
    for (const datum of rejected) {
      this.warnOnce(
        `emf:${datum.MetricName}`,
        `Metric '${datum.MetricName}' cannot be written as EMF (its name is a dimension name)`,
      );
    }
  }

  private collectContext(): CollectContext {
    const settings = this.settings;
    return {
      timestamp: new Date(this.#scheduler.now()),
      histogram: {
        // EMF has no Values/Counts and no statistic sets: histograms are written as percentiles there.
        mode: settings.mode === 'emf' ? 'percentiles' : settings.histogramMode,
        percentiles: settings.percentiles,
        maxValuesPerDatum: settings.maxValuesPerDatum,
      },
      statistics: this.#statistics,
      warnOnce: (key, message) => this.warnOnce(key, message),
    };
  }

  private warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#logger.warn(message);
  }
}
