import type { CloudWatchClient, CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import {
  type AwsClientManager,
  Configuration,
  type Logger,
  type Metric,
  noopLogger,
} from '@statebackend/aws-base';
import {
  type ClientSource,
  type MetricConfig,
  type MetricGroupView,
  type MetricReporter,
  type Scheduler,
  systemScheduler,
} from '@statebackend/aws-base/spi';
import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import { type CollectContext, TrackedMetric } from '../datum/tracked-metric.js';
import { toEmfEvents } from '../emf/emf-events.js';
import { type CloudWatchPublishError, CloudWatchReporterUsageError } from '../errors.js';
import { buildDimensions } from '../naming/dimensions.js';
import { cloudWatchMetricName } from '../naming/metric-name.js';
import { CloudWatchOptions, MAX_VALUES_PER_DATUM } from '../options/cloudwatch-options.js';
import {
  type CloudWatchReporterSettings,
  type ResolvedSettings,
  resolveSettings,
  settingsToConfiguration,
  unknownFieldIssues,
} from '../options/reporter-settings.js';
import { metricIdentity } from '../publish/batches.js';
import { type Deadline, Publisher, type RejectedDatum } from '../publish/publisher.js';
import { RetryBuffer } from '../publish/retry-buffer.js';
import { LossLog, sampleNames } from './loss-log.js';
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
  /** Which tracked metric holds each CloudWatch identity (name and dimensions). */
  readonly #identities = new Map<string, TrackedMetric>();
  readonly #warned = new Set<string>();
  readonly #losses = new LossLog(() => this.#logger);
  #removed: OutgoingDatum[] = [];
  #logger: Logger;
  #scheduler: Scheduler;
  #buffer: RetryBuffer;
  #publisher: Publisher | undefined;
  #clients: AwsClientManager | undefined;
  #lastError: CloudWatchPublishError | undefined;
  /** Aborted when the close timeout passes: ends any request in flight, a report's included. */
  readonly #closeAbort = new AbortController();
  readonly #deadline: Deadline = {
    atMs: () => this.#closing?.atMs,
    signal: this.#closeAbort.signal,
  };
  #closing: ClosingDeadline | undefined;
  #closed = false;

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
      ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
      issues: unknownFieldIssues(options),
    });
    this.#logger = options.logger ?? noopLogger;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#buffer = new RetryBuffer(this.settings.bufferMaxDatums, this.#statistics);
    this.#statistics.onDropped = (reason, datums, context) => this.#losses.dropped(reason, datums, context);
  }

  /** The reporter's own counts: requests, datums sent, failures, dropped datums. */
  get statistics(): ReporterStatisticsSnapshot {
    return this.#statistics.snapshot();
  }

  /** The last failure to deliver, if the last report had one. */
  get lastError(): CloudWatchPublishError | undefined {
    return this.#lastError;
  }

  /** True once `close()` was called: nothing is sent any more. */
  get isClosed(): boolean {
    return this.#closed;
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
      maxValuesPerMetric: MAX_VALUES_PER_DATUM,
      maxAttempts: settings.retryMaxAttempts,
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: settings.retryMaxDelayMs,
      send,
      sleep: (ms) => this.#scheduler.sleep(ms),
      now: () => this.#scheduler.now(),
      random: this.#options.random ?? Math.random,
      statistics: this.#statistics,
    });
  }

  notifyOfAddedMetric(metric: Metric, metricName: string, group: MetricGroupView): void {
    if (this.#closed) return;
    const name = cloudWatchMetricName(metricName, group);
    if (name === undefined) {
      this.#statistics.dropped('invalid-name');
      this.#warnOnce(
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
      this.#warnOnce(
        `dims:${name}`,
        `Metric '${name}' has more than 30 dimensions; the last ${truncated} are left out`,
      );
    }
    const identity = metricIdentity({ MetricName: name, Dimensions: [...dimensions] });
    const holder = this.#identities.get(identity);
    if (holder !== undefined && holder.metric !== metric) {
      // CloudWatch would file both under one metric and add them up: report the first only.
      this.#statistics.collidingMetrics.inc();
      this.#logger.warn(
        `Metric '${group.getMetricIdentifier(metricName)}' has the same CloudWatch name and dimensions as another ` +
          `metric ('${name}' after sanitizing, shortening and keeping 30 dimensions); it is not reported, ` +
          'so that the two are not summed. Rename it, or exclude variables with scope.variables.excludes',
        { metric: name, dimensions },
      );
      return;
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
    this.#identities.set(identity, tracked);
  }

  notifyOfRemovedMetric(metric: Metric, metricName: string, group: MetricGroupView): void {
    const byName = this.#tracked.get(group);
    const tracked = byName?.get(metricName);
    if (byName === undefined || tracked === undefined || tracked.metric !== metric) return;
    byName.delete(metricName);
    if (byName.size === 0) this.#tracked.delete(group);
    const identity = metricIdentity({
      MetricName: tracked.identity.metricName,
      Dimensions: [...tracked.identity.dimensions],
    });
    if (this.#identities.get(identity) === tracked) this.#identities.delete(identity);
    this.#removed.push(...tracked.close(this.#collectContext()));
  }

  /**
   * Called by the registry when it starts closing, before the final report: from now on the
   * final report and {@link close} together take at most `close.timeout`.
   */
  prepareClose(): void {
    this.#closing ??= this.#startDeadline();
  }

  /**
   * Sends every metric's value of this interval, with what earlier reports could not deliver.
   * Does nothing once the reporter is closed.
   */
  async report(): Promise<void> {
    if (this.#closed) {
      this.#warnOnce(
        'report-after-close',
        'CloudWatch reporter: report() after close() is ignored; nothing is sent',
      );
      return;
    }
    const context = this.#collectContext();
    const datums = this.#removed;
    this.#removed = [];
    for (const byName of this.#tracked.values()) {
      for (const tracked of byName.values()) {
        for (const outgoing of tracked.collect(context)) datums.push(outgoing);
      }
    }
    if (this.settings.mode === 'emf') {
      this.#writeEmf(datums);
      return;
    }
    await this.#deliver(datums);
  }

  /**
   * Delivers what is still undelivered (the buffer, counter deltas not acknowledged, histogram
   * values since the last report), within `close.timeout` of the start of closing; drops and
   * counts (`undelivered-at-close`) what it cannot deliver, with one warning; then releases the
   * client it created. Later reports send nothing. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closing = this.#closing ?? this.#startDeadline();
    this.#closing = closing;
    try {
      const pending = this.#removed;
      this.#removed = [];
      const context = this.#collectContext();
      for (const byName of this.#tracked.values()) {
        for (const tracked of byName.values()) pending.push(...tracked.pending(context));
      }
      if (this.settings.mode === 'emf') this.#writeEmf(pending);
      else if (this.#publisher !== undefined) await this.#deliver(pending, true); // never opened: nothing to send
    } finally {
      closing.cancel();
      this.#clients?.close();
      this.#clients = undefined;
    }
  }

  #startDeadline(): ClosingDeadline {
    const timeoutMs = this.settings.closeTimeoutMs;
    // A real timer: it must end a request that never answers whatever the scheduler's clock does.
    const timer = setTimeout(() => this.#closeAbort.abort(), timeoutMs);
    return { atMs: this.#scheduler.now() + timeoutMs, cancel: () => clearTimeout(timer) };
  }

  async #deliver(datums: OutgoingDatum[], last = false): Promise<void> {
    const publisher = this.#publisher;
    if (publisher === undefined)
      throw new CloudWatchReporterUsageError(
        'CloudWatchMetricReporter.report() called before open(): add the reporter to a MetricRegistry first',
      );
    const all = this.#buffer.drain(this.#scheduler.now());
    for (const outgoing of datums) all.push(outgoing);
    if (all.length === 0) return;
    const { undelivered, rejected, lastError, timedOut } = await publisher.publish(all, this.#deadline);
    this.#lastError = lastError;
    if (rejected.length > 0) this.#countRejected(rejected);
    if (undelivered.length === 0) return;
    if (last) {
      const why = timedOut
        ? `the close timeout (${this.settings.closeTimeoutMs} ms) passed`
        : `CloudWatch is unreachable (${lastError?.code ?? 'unknown error'})`;
      this.#statistics.dropped('undelivered-at-close', undelivered.length, { why });
      this.#losses.closedWithLoss(undelivered, why, lastError?.code);
      return;
    }
    const kept = undelivered.filter((outgoing) => !outgoing.retainedBySource);
    this.#buffer.add(kept);
    const until = this.#closing === undefined ? 'the next report' : 'the last delivery of close()';
    this.#losses.kept(undelivered.length, kept.length, lastError, until);
  }

  #countRejected(rejected: readonly RejectedDatum[]): void {
    const first = rejected[0];
    this.#statistics.dropped('rejected', rejected.length, {
      code: first?.code,
      message: first?.message,
      metrics: sampleNames(rejected.map((r) => r.outgoing.datum.MetricName)),
    });
  }

  #writeEmf(datums: readonly OutgoingDatum[]): void {
    const sink = this.#options.emfSink ?? streamSink(this.settings.emfOutput);
    const { lines, rejected } = toEmfEvents(
      this.settings.namespace,
      datums.map((d) => d.datum),
    );
    for (const line of lines) sink(line);
    for (const outgoing of datums) outgoing.ack?.();
    this.#statistics.datumsSent.inc(datums.length - rejected.length);
    this.#statistics.dropped('rejected', rejected.length, {
      metrics: sampleNames(rejected.map((d) => d.MetricName)),
      message: 'cannot be written as EMF (the metric is named like one of its dimensions)',
    });
  }

  #collectContext(): CollectContext {
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
      warnOnce: (key, message) => this.#warnOnce(key, message),
    };
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#logger.warn(message);
  }
}

/** When closing must end (on the scheduler's clock), and how to stop its timer. */
interface ClosingDeadline {
  readonly atMs: number;
  cancel(): void;
}
