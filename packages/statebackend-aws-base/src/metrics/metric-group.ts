import type { Logger } from '../logging/logger.js';
import { HdrHistogram } from './hdr-histogram.js';
import { MeterView } from './meter-view.js';
import type { Counter, Gauge, Histogram, Meter, Metric } from './metric.js';
import { asVariable } from './scope.js';
import { SimpleCounter } from './simple-counter.js';

/** What a reporter sees of the group a metric belongs to. */
export interface MetricGroupView {
  /** The scope components, root first, e.g. `['host-1', 'wordcount', 'Map', '0', 'state']`. */
  getScopeComponents(): readonly string[];
  /** Scope variables (`<job_name>` → `wordcount`), root first. For a reporter: after its excludes and additions. */
  getAllVariables(): Readonly<Record<string, string>>;
  /**
   * Flink's logical scope: level names and user group names, not values, e.g.
   * `taskmanager.job.task.operator.state`. Filters match against it with `.` as delimiter.
   */
  getLogicalScope(delimiter?: string): string;
  /** The part of the logical scope below the system levels: user group names and keys. */
  getUserScope(): readonly string[];
  /** The scope components and the metric name joined, e.g. `host-1.wordcount.Map.0.state.reads`. */
  getMetricIdentifier(metricName: string, delimiter?: string): string;
}

/**
 * A named scope that metrics are registered in, after Flink's `MetricGroup`. Registering never
 * throws: a metric that cannot be registered (name taken by another metric, group closed) is
 * returned working but unreported, and a name clash is logged.
 *
 * @example
 * ```ts
 * const state = operatorGroup.addGroup('state');
 * const reads = state.counter('reads');
 * state.addGroup('name', 'counts').histogram('valueBytes').update(bytes); // variable <name>=counts
 * ```
 */
export interface MetricGroup extends MetricGroupView {
  /** The counter registered under `name`, created if there is none. */
  counter(name: string): Counter;
  /** Registers `counter` under `name`. */
  counter<C extends Counter>(name: string, counter: C): C;
  /** Registers a gauge reading `fn` (or the given gauge) under `name`. */
  gauge<T>(name: string, fn: (() => T) | Pick<Gauge<T>, 'getValue'>): Gauge<T>;
  /** The histogram registered under `name`, created (an {@link HdrHistogram}) if there is none. */
  histogram(name: string): Histogram;
  histogram<H extends Histogram>(name: string, histogram: H): H;
  /** The meter registered under `name`, created (a {@link MeterView}) if there is none. */
  meter(name: string): Meter;
  meter<M extends Meter>(name: string, meter: M): M;
  /** The user group `name` (one scope component and one logical scope component). */
  addGroup(name: string): MetricGroup;
  /**
   * A key-value group, as in Flink: the scope gains `key` and `value`, the logical scope gains
   * `key` only, and the variable `<key>` is set to `value`.
   */
  addGroup(key: string, value: string): MetricGroup;
  /** Unregisters every metric of this group and its subgroups; later registrations are ignored. */
  close(): void;
  readonly isClosed: boolean;
}

/** How a group reaches the registry it belongs to. */
export interface MetricRegistrar {
  readonly logger: Logger;
  /** Milliseconds since the epoch, for meters. */
  now(): number;
  register(metric: Metric, name: string, group: MetricGroupView): void;
  unregister(metric: Metric, name: string, group: MetricGroupView): void;
}

/** One level of a group tree. */
export interface GroupLevel {
  /** Scope components this level adds. */
  readonly components: readonly string[];
  /** Logical scope component this level adds; `undefined` for the value of a key-value group. */
  readonly logicalName: string | undefined;
  readonly variables: ReadonlyMap<string, string>;
  /** True for user groups (`addGroup`), false for the system levels (job, task, ...). */
  readonly user: boolean;
}

/** The {@link MetricGroup} implementation: a node of the group tree of one registry. */
export class MetricGroupNode implements MetricGroup {
  readonly #registrar: MetricRegistrar;
  readonly #parent: MetricGroupNode | undefined;
  readonly #components: readonly string[];
  readonly #logical: readonly string[];
  readonly #userScope: readonly string[];
  readonly #variables: Readonly<Record<string, string>>;
  readonly #metrics = new Map<string, Metric>();
  readonly #children = new Map<string, MetricGroupNode>();
  #closed = false;

  constructor(registrar: MetricRegistrar, parent: MetricGroupNode | undefined, level: GroupLevel) {
    this.#registrar = registrar;
    this.#parent = parent;
    const logicalName = level.logicalName === undefined ? [] : [level.logicalName];
    if (parent === undefined) {
      this.#components = Object.freeze([...level.components]);
      this.#logical = Object.freeze(logicalName);
      this.#userScope = Object.freeze(level.user ? logicalName : []);
      this.#variables = Object.freeze(Object.fromEntries(level.variables));
    } else {
      this.#components = Object.freeze([...parent.#components, ...level.components]);
      this.#logical = Object.freeze([...parent.#logical, ...logicalName]);
      this.#userScope = Object.freeze([...parent.#userScope, ...(level.user ? logicalName : [])]);
      this.#variables = Object.freeze({ ...parent.#variables, ...Object.fromEntries(level.variables) });
    }
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  getScopeComponents(): readonly string[] {
    return this.#components;
  }

  getAllVariables(): Readonly<Record<string, string>> {
    return this.#variables;
  }

  getLogicalScope(delimiter = '.'): string {
    return this.#logical.join(delimiter);
  }

  getUserScope(): readonly string[] {
    return this.#userScope;
  }

  getMetricIdentifier(metricName: string, delimiter = '.'): string {
    return [...this.#components, metricName].join(delimiter);
  }

  counter(name: string): Counter;
  counter<C extends Counter>(name: string, counter: C): C;
  counter<C extends Counter>(name: string, counter?: C): C | Counter {
    return this.#add<Counter>(name, counter, 'counter', () => new SimpleCounter());
  }

  gauge<T>(name: string, fn: (() => T) | Pick<Gauge<T>, 'getValue'>): Gauge<T> {
    const getValue = typeof fn === 'function' ? fn : () => fn.getValue();
    const gauge: Gauge<T> = { metricType: 'gauge', getValue };
    return this.#add(name, gauge, 'gauge', () => gauge);
  }

  histogram(name: string): Histogram;
  histogram<H extends Histogram>(name: string, histogram: H): H;
  histogram<H extends Histogram>(name: string, histogram?: H): H | Histogram {
    return this.#add<Histogram>(name, histogram, 'histogram', () => new HdrHistogram());
  }

  meter(name: string): Meter;
  meter<M extends Meter>(name: string, meter: M): M;
  meter<M extends Meter>(name: string, meter?: M): M | Meter {
    return this.#add<Meter>(
      name,
      meter,
      'meter',
      () => new MeterView({ clock: () => this.#registrar.now() }),
    );
  }

  addGroup(name: string): MetricGroup;
  addGroup(key: string, value: string): MetricGroup;
  addGroup(nameOrKey: string, value?: string): MetricGroup {
    const keyGroup = this.child(value === undefined ? `g:${nameOrKey}` : `k:${nameOrKey}`, {
      components: [nameOrKey],
      logicalName: nameOrKey,
      variables: new Map(),
      user: true,
    });
    if (value === undefined) return keyGroup;
    return keyGroup.child(`v:${value}`, {
      components: [value],
      logicalName: undefined,
      variables: new Map([[asVariable(nameOrKey), value]]),
      user: true,
    });
  }

  /** The child group under `id`, created from `level` if there is none (or the old one closed). */
  child(id: string, level: GroupLevel): MetricGroupNode {
    const existing = this.#children.get(id);
    if (existing !== undefined && !existing.#closed) return existing;
    const created = new MetricGroupNode(this.#registrar, this, level);
    if (this.#closed) created.#closed = true;
    else this.#children.set(id, created);
    return created;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const child of this.#children.values()) child.close();
    this.#children.clear();
    for (const [name, metric] of this.#metrics) this.#registrar.unregister(metric, name, this);
    this.#metrics.clear();
    if (this.#parent !== undefined) this.#parent.#forget(this);
  }

  #forget(child: MetricGroupNode): void {
    for (const [id, node] of this.#children) {
      if (node === child) this.#children.delete(id);
    }
  }

  #add<M extends Metric>(name: string, given: M | undefined, type: M['metricType'], create: () => M): M {
    const existing = this.#metrics.get(name);
    if (existing !== undefined && given === undefined && existing.metricType === type && type !== 'gauge') {
      return existing as M;
    }
    const metric = given ?? create();
    if (this.#closed || existing === metric) return metric;
    if (name.trim() === '') {
      this.#registrar.logger.warn('Metric with an empty name not registered', {
        scope: this.getMetricIdentifier(''),
      });
      return metric;
    }
    if (existing !== undefined) {
      this.#registrar.logger.warn(
        `Name collision: '${this.getMetricIdentifier(name)}' is already a ${existing.metricType}; the new ${type} is not reported`,
        { name, type },
      );
      return metric;
    }
    this.#metrics.set(name, metric);
    this.#registrar.register(metric, name, this);
    return metric;
  }
}
