import { Configuration } from '../config/configuration.js';
import {
  ConfigurationError,
  type ConfigurationIssue,
  MetricSettingError,
  StateBackendError,
} from '../errors.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import type { Metric } from './metric.js';
import { createMetricFilter, type MetricFilter } from './metric-filter.js';
import {
  type MetricGroup,
  MetricGroupNode,
  type MetricGroupView,
  type MetricRegistrar,
} from './metric-group.js';
import { type MetricReading, type RegisteredMetric, readMetrics } from './metric-reading.js';
import type { MetricConfig, MetricReporter } from './metric-reporter.js';
import { defaultReporterFactories, type MetricReporterFactoryRegistry } from './reporter-factory-registry.js';
import { ReporterGroupView } from './reporter-group-view.js';
import { DEFAULT_REPORT_INTERVAL_MS } from './reporter-options.js';
import { findConfiguredReporters, type ReporterSettings } from './reporter-setup.js';
import { type ScheduledTask, type Scheduler, systemScheduler } from './scheduler.js';
import { asVariable, type MetricScope, scopeLevels } from './scope.js';

/** Options of {@link MetricRegistry}. */
export interface MetricRegistryOptions {
  /** Clock and timers; default the system's. */
  readonly scheduler?: Scheduler;
  readonly logger?: Logger;
}

/** Options of {@link MetricRegistry.fromConfiguration}. */
export interface MetricRegistryConfigurationOptions extends MetricRegistryOptions {
  /** Where `factory.class` names are looked up; default {@link defaultReporterFactories}. */
  readonly factories?: MetricReporterFactoryRegistry;
}

interface ReporterEntry {
  readonly name: string;
  readonly reporter: MetricReporter;
  readonly filter: MetricFilter;
  readonly excluded: ReadonlySet<string>;
  readonly additional: Readonly<Record<string, string>>;
  readonly views: WeakMap<MetricGroupView, ReporterGroupView>;
  readonly accepted: Set<RegisteredMetric>;
  task: ScheduledTask | undefined;
  running: Promise<void> | undefined;
}

/**
 * Holds every metric of a process and tells reporters about them, after Flink's
 * `MetricRegistryImpl`. Scheduled reporters run every interval on an `unref`'d timer (metrics
 * never keep a process alive), never overlapping themselves; `close()` runs a final report of
 * each and then closes them.
 *
 * @example
 * ```ts
 * const registry = await MetricRegistry.fromConfiguration(Configuration.fromYamlFile('conf.yaml'));
 * const operator = registry.createGroup({ jobName: 'wordcount', taskName: 'Map', subtaskIndex: 0 });
 * operator.counter('records').inc();
 * await registry.close(); // final report
 * ```
 */
export class MetricRegistry implements MetricRegistrar {
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly #root: MetricGroupNode;
  readonly #metrics = new Map<MetricGroupView, Map<string, RegisteredMetric>>();
  readonly #reporters: ReporterEntry[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: MetricRegistryOptions = {}) {
    this.logger = options.logger ?? noopLogger;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.#root = new MetricGroupNode(this, undefined, {
      components: [],
      logicalName: undefined,
      variables: new Map(),
      user: false,
    });
  }

  /**
   * A registry with the reporters `configuration` names (`metrics.reporter.<name>.*`). Every
   * problem with the configuration of every reporter, its generic keys and the keys its factory
   * checks, is reported at once in one {@link ConfigurationError}, before any reporter is opened.
   */
  static async fromConfiguration(
    configuration: Configuration,
    options: MetricRegistryConfigurationOptions = {},
  ): Promise<MetricRegistry> {
    const registry = new MetricRegistry(options);
    const factories = options.factories ?? defaultReporterFactories;
    const { reporters: configured, issues } = findConfiguredReporters(configuration);
    const all: ConfigurationIssue[] = [...issues];
    const collect = (error: unknown): void => {
      if (!(error instanceof ConfigurationError)) throw error;
      for (const issue of error.issues) {
        if (!all.some((known) => known.key === issue.key && known.expected === issue.expected))
          all.push(issue);
      }
    };
    try {
      const resolved = [];
      for (const reporter of configured) {
        const key = `metrics.reporter.${reporter.name}.factory.class`;
        try {
          const factory = await factories.resolve(reporter.factoryClass, key);
          const config = registry.#metricConfig(reporter.name, reporter.properties, configuration);
          resolved.push({ reporter, factory, config });
        } catch (error) {
          collect(error);
        }
      }
      // With a problem found already, factories that can are asked for theirs without creating
      // anything; otherwise every reporter is created (not opened) before any is added.
      const created = [];
      for (const { reporter, factory, config } of resolved) {
        if (all.length > 0) {
          collect(new ConfigurationError([...(factory.findConfigurationIssues?.(config) ?? [])]));
          continue;
        }
        try {
          created.push({ reporter, factory, config, instance: await factory.createMetricReporter(config) });
        } catch (error) {
          collect(error);
        }
      }
      if (all.length > 0) throw new ConfigurationError(all);
      for (const { reporter, factory, config, instance } of created) {
        const intervalMs = reporter.intervalMs ?? factory.defaultIntervalMs;
        await registry.addReporter(
          instance,
          { ...reporter, ...(intervalMs === undefined ? {} : { intervalMs }) },
          config,
        );
      }
    } catch (error) {
      await registry.close();
      throw error;
    }
    return registry;
  }

  /** The names of the reporters, in the order added. */
  get reporterNames(): string[] {
    return this.#reporters.map((entry) => entry.name);
  }

  get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  now(): number {
    return this.scheduler.now();
  }

  /** The metric group of a scope (same scope, same group), e.g. one per operator instance. */
  createGroup(scope: MetricScope = {}): MetricGroup {
    let group = this.#root;
    for (const level of scopeLevels(scope)) {
      const id = `${level.logicalName}:${JSON.stringify([...level.variables])}`;
      group = group.child(id, { ...level, user: false });
    }
    return group;
  }

  /**
   * Opens `reporter` and tells it of every metric registered so far. A reporter with `report()`
   * then runs every `settings.intervalMs` (default the reporter's `defaultIntervalMs`, else 10 s).
   */
  async addReporter(
    reporter: MetricReporter,
    settings: ReporterSettings,
    config: MetricConfig = this.#metricConfig(settings.name, new Configuration(), new Configuration()),
  ): Promise<void> {
    if (this.isClosed)
      throw new StateBackendError(`Cannot add reporter '${settings.name}': the metric registry is closed`);
    const intervalMs = settings.intervalMs ?? reporter.defaultIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS;
    if (!(intervalMs > 0))
      throw new MetricSettingError(
        `intervalMs of reporter '${settings.name}'`,
        String(intervalMs),
        "give a number of milliseconds above 0, or leave it out for the reporter's default",
      );
    await reporter.open(config);
    const entry: ReporterEntry = {
      name: settings.name,
      reporter,
      filter: settings.filter ?? createMetricFilter(),
      excluded: new Set((settings.excludedVariables ?? []).map(asVariable)),
      additional: Object.fromEntries(
        Object.entries(settings.additionalVariables ?? {}).map(([key, value]) => [asVariable(key), value]),
      ),
      views: new WeakMap(),
      accepted: new Set(),
      task: undefined,
      running: undefined,
    };
    this.#reporters.push(entry);
    for (const byName of this.#metrics.values()) {
      for (const registered of byName.values()) this.#notifyAdded(entry, registered);
    }
    if (reporter.report !== undefined) {
      entry.task = this.scheduler.repeat(() => this.#runReport(entry), intervalMs);
    }
  }

  /** Every metric registered and not removed. */
  getMetrics(): RegisteredMetric[] {
    return [...this.#metrics.values()].flatMap((byName) => [...byName.values()]);
  }

  /** Every metric's current value, without a reporter (nothing is reset). */
  read(): MetricReading[] {
    return readMetrics(this.getMetrics());
  }

  /** Runs every scheduled reporter now and waits for them. Does nothing once the registry is closing. */
  async reportNow(): Promise<void> {
    if (this.isClosed) return;
    await Promise.all(this.#reporters.map((entry) => this.#runReport(entry)));
  }

  /**
   * Stops the timers, tells each reporter closing starts (`prepareClose`), runs a final report of
   * each scheduled reporter, then closes every reporter.
   */
  close(): Promise<void> {
    this.#closing ??= Promise.all(
      this.#reporters.map(async (entry) => {
        entry.task?.cancel();
        try {
          entry.reporter.prepareClose?.();
        } catch (error) {
          this.logger.error(`Metric reporter '${entry.name}' failed in prepareClose`, {
            reporter: entry.name,
            error,
          });
        }
        await entry.running;
        await this.#runReport(entry);
        try {
          await entry.reporter.close();
        } catch (error) {
          this.logger.error(`Metric reporter '${entry.name}' failed to close`, {
            reporter: entry.name,
            error,
          });
        }
      }),
    ).then(() => undefined);
    return this.#closing;
  }

  /** @internal Called by metric groups. */
  register(metric: Metric, name: string, group: MetricGroupView): void {
    if (this.isClosed) return;
    const registered: RegisteredMetric = { metric, name, group };
    let byName = this.#metrics.get(group);
    if (byName === undefined) {
      byName = new Map();
      this.#metrics.set(group, byName);
    }
    byName.set(name, registered);
    for (const entry of this.#reporters) this.#notifyAdded(entry, registered);
  }

  /** @internal Called by metric groups. */
  unregister(metric: Metric, name: string, group: MetricGroupView): void {
    const byName = this.#metrics.get(group);
    const registered = byName?.get(name);
    if (byName === undefined || registered === undefined || registered.metric !== metric) return;
    byName.delete(name);
    if (byName.size === 0) this.#metrics.delete(group);
    for (const entry of this.#reporters) {
      if (!entry.accepted.delete(registered)) continue;
      this.#notify(entry, 'notifyOfRemovedMetric', registered);
    }
  }

  #metricConfig(name: string, properties: Configuration, configuration: Configuration): MetricConfig {
    const metricGroup = this.createGroup().addGroup('reporter', name);
    return { name, properties, configuration, logger: this.logger, scheduler: this.scheduler, metricGroup };
  }

  #notifyAdded(entry: ReporterEntry, registered: RegisteredMetric): void {
    const { metric, name, group } = registered;
    if (!entry.filter.filter(metric.metricType, name, group.getLogicalScope('.'))) return;
    entry.accepted.add(registered);
    this.#notify(entry, 'notifyOfAddedMetric', registered);
  }

  #notify(
    entry: ReporterEntry,
    method: 'notifyOfAddedMetric' | 'notifyOfRemovedMetric',
    { metric, name, group }: RegisteredMetric,
  ): void {
    let view = entry.views.get(group);
    if (view === undefined) {
      view = new ReporterGroupView(group, entry.excluded, entry.additional);
      entry.views.set(group, view);
    }
    try {
      entry.reporter[method](metric, name, view);
    } catch (error) {
      this.logger.error(`Metric reporter '${entry.name}' failed in ${method}`, {
        reporter: entry.name,
        metric: name,
        error,
      });
    }
  }

  async #runReport(entry: ReporterEntry): Promise<void> {
    const report = entry.reporter.report;
    if (report === undefined) return;
    if (entry.running !== undefined) {
      this.logger.warn(`Metric reporter '${entry.name}' is still reporting; this interval is skipped`, {
        reporter: entry.name,
      });
      return;
    }
    const run = (async () => {
      try {
        await report.call(entry.reporter);
      } catch (error) {
        this.logger.error(`Metric reporter '${entry.name}' failed to report`, {
          reporter: entry.name,
          error,
        });
      }
    })();
    entry.running = run;
    try {
      await run;
    } finally {
      entry.running = undefined;
    }
  }
}
