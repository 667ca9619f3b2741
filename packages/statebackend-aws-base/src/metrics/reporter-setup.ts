import type { ConfigOption } from '../config/config-option.js';
import { Configuration } from '../config/configuration.js';
import { findConfigurationIssues } from '../config/validation.js';
import { ConfigurationError, type ConfigurationIssue } from '../errors.js';
import { createMetricFilter, type MetricFilter } from './metric-filter.js';
import { METRICS_REPORTER_PREFIX, REPORTERS_LIST, reporterOptions } from './reporter-options.js';

/** How the registry runs one reporter. */
export interface ReporterSettings {
  /** Names the reporter in logs and in `metrics.reporter.<name>.*`. */
  readonly name: string;
  /** Time between `report()` calls; default the factory's or the reporter's, else 10 s. */
  readonly intervalMs?: number;
  /** Which metrics the reporter is told of; default all. */
  readonly filter?: MetricFilter;
  /** Variables the reporter does not see, with or without angle brackets (`host`, `<tm_id>`). */
  readonly excludedVariables?: readonly string[];
  /** Variables added to every metric the reporter sees; a group's own variables take precedence. */
  readonly additionalVariables?: Readonly<Record<string, string>>;
}

/** A reporter's settings as configured, with its factory and its own keys. */
export interface ConfiguredReporter extends ReporterSettings {
  readonly factoryClass: string;
  /** The reporter's keys with `metrics.reporter.<name>.` removed. */
  readonly properties: Configuration;
}

const FACTORY_KEY = /^metrics\.reporter\.([^.\s]+)\.factory\.class$/;

/**
 * The reporters a configuration names, as Flink finds them: every `metrics.reporter.<name>.factory.class`,
 * restricted to `metrics.reporters` (comma-separated) when that is set. Sorted by name.
 */
export function findReporterNames(configuration: Configuration): string[] {
  const enabled = (configuration.get(REPORTERS_LIST) ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const names = new Set<string>();
  for (const key of configuration.keys()) {
    const name = FACTORY_KEY.exec(key)?.[1];
    if (name !== undefined && (enabled.length === 0 || enabled.includes(name))) names.add(name);
  }
  return [...names].sort();
}

/** The keys under `metrics.reporter.<name>.`, with that prefix removed. */
export function reporterProperties(configuration: Configuration, name: string): Configuration {
  const prefix = `${METRICS_REPORTER_PREFIX}${name}.`;
  const entries: [string, string][] = [];
  for (const [key, value] of configuration.toMap()) {
    if (key.startsWith(prefix)) entries.push([key.slice(prefix.length), value]);
  }
  return new Configuration(entries);
}

/** The configured reporters as far as their keys parse, and every problem with their generic keys. */
export interface ConfiguredReporters {
  /** Every configured reporter; a malformed generic key is left out of its settings. */
  readonly reporters: readonly ConfiguredReporter[];
  /** Problems with the generic keys of all reporters, in the order found. */
  readonly issues: readonly ConfigurationIssue[];
}

/**
 * Reads the generic settings of every configured reporter without throwing: a reporter whose
 * generic keys have problems is still listed (so that its factory can report its own problems
 * in the same error), with the malformed keys left out.
 */
export function findConfiguredReporters(configuration: Configuration): ConfiguredReporters {
  const issues: ConfigurationIssue[] = [];
  const reporters: ConfiguredReporter[] = [];
  for (const name of findReporterNames(configuration)) {
    const options = reporterOptions(name);
    const found = findConfigurationIssues(configuration, options.all, { allowUnknownKeys: true });
    issues.push(...found);
    const malformed = new Set(found.map((issue) => issue.key));
    const read = <T>(option: ConfigOption<T, false>): T | undefined =>
      malformed.has(option.key) ? undefined : configuration.get(option);
    let filter: MetricFilter = createMetricFilter();
    try {
      filter = createMetricFilter({
        includes: read(options.FILTER_INCLUDES) ?? [],
        excludes: read(options.FILTER_EXCLUDES) ?? [],
        includesKey: options.FILTER_INCLUDES.key,
        excludesKey: options.FILTER_EXCLUDES.key,
      });
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      issues.push(...error.issues);
    }
    const intervalMs = read(options.INTERVAL);
    const additionalVariables = read(options.SCOPE_VARIABLES_ADDITIONAL);
    reporters.push({
      name,
      factoryClass: read(options.FACTORY_CLASS) ?? '',
      properties: reporterProperties(configuration, name),
      filter,
      excludedVariables: read(options.SCOPE_VARIABLES_EXCLUDES) ?? [],
      ...(intervalMs === undefined ? {} : { intervalMs }),
      ...(additionalVariables === undefined ? {} : { additionalVariables }),
    });
  }
  return { reporters, issues };
}

/**
 * Reads the generic settings of every configured reporter. Malformed values (an interval that
 * is not a duration, a filter naming an unknown metric type, ...) of all reporters are reported
 * together in one {@link ConfigurationError}. Keys a reporter's factory defines are left to it.
 */
export function readConfiguredReporters(configuration: Configuration): ConfiguredReporter[] {
  const { reporters, issues } = findConfiguredReporters(configuration);
  if (issues.length > 0) throw new ConfigurationError(issues);
  return [...reporters];
}
