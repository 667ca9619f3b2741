import { Configuration, ConfigurationError, type ConfigurationIssue } from '@statebackend/aws-base';
import {
  defaultReporterFactories,
  METRICS_REPORTER_PREFIX,
  type MetricConfig,
  type MetricReporterFactory,
  type MetricReporterFactoryRegistry,
} from '@statebackend/aws-base/spi';
import { CLOUDWATCH_REPORTER_PREFIX } from '../options/cloudwatch-options.js';
import { CloudWatchMetricReporter } from './cloudwatch-metric-reporter.js';

/** The factory's name in the Java module, accepted so that its configuration carries over. */
export const JAVA_FACTORY_CLASS =
  'org.apache.flink.state.backend.aws.metrics.CloudWatchMetricReporterFactory';

/** The names this package registers its factory under in `defaultReporterFactories`. */
export const CLOUDWATCH_FACTORY_NAMES: readonly string[] = [
  'cloudwatch',
  '@statebackend/metrics-cloudwatch',
  'CloudWatchMetricReporterFactory',
  JAVA_FACTORY_CLASS,
];

/**
 * Creates a {@link CloudWatchMetricReporter} from `metrics.reporter.<name>.*` and `aws.*` keys.
 * Whatever the reporter's name, its keys are read as the `metrics.reporter.cloudwatch.*` options
 * (so `metrics.reporter.cw.namespace` works for a reporter named `cw`). Reports every 60 s
 * (the reporter's default) unless `.interval` says otherwise.
 */
export class CloudWatchMetricReporterFactory implements MetricReporterFactory {
  /** @throws ConfigurationError naming the keys as configured (`metrics.reporter.<name>.*`). */
  createMetricReporter(config: MetricConfig): CloudWatchMetricReporter {
    try {
      return new CloudWatchMetricReporter({
        configuration: reporterConfiguration(config),
        logger: config.logger,
      });
    } catch (error) {
      if (!(error instanceof ConfigurationError) || config.name === 'cloudwatch') throw error;
      throw new ConfigurationError(error.issues.map((issue) => asConfigured(issue, config.name)));
    }
  }

  /**
   * Every problem with the reporter's keys and the `aws.*` keys it needs, as
   * `createMetricReporter` would throw them; asked by the registry when a generic key (such as
   * `interval`) is wrong too, so that one error lists them all.
   */
  findConfigurationIssues(config: MetricConfig): readonly ConfigurationIssue[] {
    try {
      // The constructor validates and holds nothing (the client is built by open()).
      this.createMetricReporter(config);
      return [];
    } catch (error) {
      if (error instanceof ConfigurationError) return error.issues;
      throw error;
    }
  }
}

/** An issue about a `metrics.reporter.cloudwatch.*` key, named as the reporter `name`'s key. */
function asConfigured(issue: ConfigurationIssue, name: string): ConfigurationIssue {
  const rename = (key: string) =>
    key.startsWith(`${CLOUDWATCH_REPORTER_PREFIX}.`)
      ? `${METRICS_REPORTER_PREFIX}${name}.${key.slice(CLOUDWATCH_REPORTER_PREFIX.length + 1)}`
      : key;
  return {
    ...issue,
    key: rename(issue.key),
    ...(issue.suggestion === undefined ? {} : { suggestion: rename(issue.suggestion) }),
  };
}

/** The whole configuration, with the reporter's own keys read as `metrics.reporter.cloudwatch.*`. */
function reporterConfiguration(config: MetricConfig): Configuration {
  const entries: [string, string][] = [];
  for (const [key, value] of config.configuration.toMap()) {
    if (!key.startsWith(METRICS_REPORTER_PREFIX)) entries.push([key, value]);
  }
  for (const [key, value] of config.properties.toMap())
    entries.push([`${CLOUDWATCH_REPORTER_PREFIX}.${key}`, value]);
  return new Configuration(entries);
}

/**
 * Registers the CloudWatch reporter factory in `registry` (aws-base's default registry unless
 * given) under {@link CLOUDWATCH_FACTORY_NAMES}, so that configuration can name it
 * (`metrics.reporter.cloudwatch.factory.class: cloudwatch`). Call it once at start-up; it is
 * what keeps the factory in a bundle (esbuild, webpack), where nothing imports the package by
 * name at run time.
 *
 * @example
 * ```ts
 * registerCloudWatchReporter();
 * const registry = await MetricRegistry.fromConfiguration(Configuration.fromYamlFile('statebackend.yaml'));
 * ```
 */
export function registerCloudWatchReporter(
  registry: MetricReporterFactoryRegistry = defaultReporterFactories,
): MetricReporterFactoryRegistry {
  return registry.register(new CloudWatchMetricReporterFactory(), ...(CLOUDWATCH_FACTORY_NAMES as [string]));
}

// Also on import, for `factory.class: "@statebackend/metrics-cloudwatch"` (the registry imports
// the package by name). package.json lists this module and the entry point in `sideEffects`, so
// bundlers keep it.
registerCloudWatchReporter();
