import {
  type AnyConfigOption,
  type ConfigOption,
  Configuration,
  createMetricFilter,
  type MetricFilter,
  validateAwsConfiguration,
  validateConfiguration,
} from '@statebackend/aws-base';
import {
  CLOUDWATCH_REPORTER_PREFIX,
  CloudWatchOptions,
  type EmfOutput,
  type HistogramMode,
  type ReporterMode,
  unsupportedJavaKeys,
} from './cloudwatch-options.js';

/**
 * The reporter's settings in code; each has the default of its configuration key (see
 * {@link CloudWatchOptions} and the README).
 */
export interface CloudWatchReporterSettings {
  /** `namespace`; default `StateBackend`. */
  readonly namespace?: string;
  /** `mode`; default `api`. */
  readonly mode?: ReporterMode;
  /** `include-task-dimensions`; default false. */
  readonly includeTaskDimensions?: boolean;
  /** `dimensions`: added to every metric, first. */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** `histogram.mode`; default `distribution`. */
  readonly histogramMode?: HistogramMode;
  /** `histogram.percentiles`, in percent; default 50, 95, 99. */
  readonly percentiles?: readonly number[];
  /** `histogram.max-values`; default 150. */
  readonly maxValuesPerDatum?: number;
  /** `high-resolution.includes`: Flink filters of the metrics stored at 1-second resolution. */
  readonly highResolution?: readonly string[];
  /** `batch.max-datums`; default 1,000. */
  readonly maxDatumsPerRequest?: number;
  /** `batch.max-bytes`; default 1,000,000. */
  readonly maxRequestBytes?: number;
  /** `retry.max-attempts`; default 3. */
  readonly retryMaxAttempts?: number;
  /** `retry.base-delay` in ms; default 200. */
  readonly retryBaseDelayMs?: number;
  /** `retry.max-delay` in ms; default 5,000. */
  readonly retryMaxDelayMs?: number;
  /** `buffer.max-datums`; default 10,000. */
  readonly bufferMaxDatums?: number;
  /** `emf.output`; default `stdout`. Ignored when an `emfSink` is given. */
  readonly emfOutput?: EmfOutput;
}

/** Every setting with its value. */
export interface ResolvedSettings {
  readonly namespace: string;
  readonly mode: ReporterMode;
  readonly includeTaskDimensions: boolean;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly histogramMode: HistogramMode;
  readonly percentiles: readonly number[];
  readonly maxValuesPerDatum: number;
  /** Undefined when no metric is high-resolution. */
  readonly highResolution: MetricFilter | undefined;
  readonly maxDatumsPerRequest: number;
  readonly maxRequestBytes: number;
  readonly retryMaxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly bufferMaxDatums: number;
  readonly emfOutput: EmfOutput;
}

const O = CloudWatchOptions;
const SETTING_OPTIONS: ReadonlyArray<readonly [keyof CloudWatchReporterSettings, AnyConfigOption]> = [
  ['namespace', O.NAMESPACE],
  ['mode', O.MODE],
  ['includeTaskDimensions', O.INCLUDE_TASK_DIMENSIONS],
  ['dimensions', O.DIMENSIONS],
  ['histogramMode', O.HISTOGRAM_MODE],
  ['percentiles', O.HISTOGRAM_PERCENTILES],
  ['maxValuesPerDatum', O.HISTOGRAM_MAX_VALUES],
  ['highResolution', O.HIGH_RESOLUTION],
  ['maxDatumsPerRequest', O.BATCH_MAX_DATUMS],
  ['maxRequestBytes', O.BATCH_MAX_BYTES],
  ['retryMaxAttempts', O.RETRY_MAX_ATTEMPTS],
  ['retryBaseDelayMs', O.RETRY_BASE_DELAY],
  ['retryMaxDelayMs', O.RETRY_MAX_DELAY],
  ['bufferMaxDatums', O.BUFFER_MAX_DATUMS],
  ['emfOutput', O.EMF_OUTPUT],
];

/**
 * Settings given in code as configuration keys, so that code and YAML are validated alike and
 * an error names the key a user could also have set.
 */
export function settingsToConfiguration(settings: CloudWatchReporterSettings): Configuration {
  const configuration = new Configuration();
  for (const [field, option] of SETTING_OPTIONS) {
    const value = settings[field];
    if (value === undefined) continue;
    const formatted =
      typeof value === 'object' || typeof value === 'string' ? option.format(value) : String(value);
    configuration.setString(option.key, formatted);
  }
  return configuration;
}

/** Validation settings: unknown keys are looked for under the reporter's prefix (and `aws.`). */
export interface ResolveSettingsOptions {
  /** Also validate the `aws.*` keys and require `aws.region` (api mode without a client of the caller's). */
  readonly validateAws?: boolean;
}

/**
 * Validates the reporter's keys of `configuration` (listing every problem in one
 * `ConfigurationError`, unknown keys with a suggestion) and reads them with their defaults.
 */
export function resolveSettings(
  configuration: Configuration,
  options: ResolveSettingsOptions = {},
): ResolvedSettings {
  const scopePrefixes = [`${CLOUDWATCH_REPORTER_PREFIX}.`];
  const rules = [unsupportedJavaKeys];
  if (options.validateAws === true) {
    validateAwsConfiguration(configuration, {
      options: CloudWatchOptions.all(),
      scopePrefixes: ['aws.', ...scopePrefixes],
      rules,
    });
  } else {
    validateConfiguration(configuration, CloudWatchOptions.all(), { scopePrefixes, rules });
  }
  const get = <T>(option: ConfigOption<T, true>): T => configuration.get(option);
  const highResolution = configuration.get(O.HIGH_RESOLUTION) ?? [];
  return {
    namespace: get(O.NAMESPACE),
    mode: get(O.MODE),
    includeTaskDimensions: get(O.INCLUDE_TASK_DIMENSIONS),
    dimensions: configuration.get(O.DIMENSIONS) ?? {},
    histogramMode: get(O.HISTOGRAM_MODE),
    percentiles: get(O.HISTOGRAM_PERCENTILES),
    maxValuesPerDatum: get(O.HISTOGRAM_MAX_VALUES),
    highResolution:
      highResolution.length === 0
        ? undefined
        : createMetricFilter({ includes: highResolution, includesKey: O.HIGH_RESOLUTION.key }),
    maxDatumsPerRequest: get(O.BATCH_MAX_DATUMS),
    maxRequestBytes: get(O.BATCH_MAX_BYTES),
    retryMaxAttempts: get(O.RETRY_MAX_ATTEMPTS),
    retryBaseDelayMs: get(O.RETRY_BASE_DELAY),
    retryMaxDelayMs: get(O.RETRY_MAX_DELAY),
    bufferMaxDatums: get(O.BUFFER_MAX_DATUMS),
    emfOutput: get(O.EMF_OUTPUT),
  };
}
