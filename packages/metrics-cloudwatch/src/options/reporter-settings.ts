import {
  type ConfigOption,
  Configuration,
  ConfigurationError,
  type ConfigurationIssue,
  createMetricFilter,
  type MetricFilter,
  validateConfiguration,
} from '@statebackend/aws-base';
import { type AnyConfigOption, suggestKey, validateAwsConfiguration } from '@statebackend/aws-base/spi';
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
  /**
   * `dimensions`: added to every metric, first, in the record's order. Names and values are
   * taken as they are (a `,` or `:` in a value is fine here, unlike in the configuration key).
   */
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
  /** `close.timeout` in ms; default 5,000. */
  readonly closeTimeoutMs?: number;
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
  readonly closeTimeoutMs: number;
  readonly emfOutput: EmfOutput;
}

const O = CloudWatchOptions;
const SETTING_OPTIONS: ReadonlyArray<readonly [keyof CloudWatchReporterSettings, AnyConfigOption]> = [
  ['namespace', O.NAMESPACE],
  ['mode', O.MODE],
  ['includeTaskDimensions', O.INCLUDE_TASK_DIMENSIONS],
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
  ['closeTimeoutMs', O.CLOSE_TIMEOUT],
  ['emfOutput', O.EMF_OUTPUT],
];

/**
 * Settings given in code as configuration keys, so that code and YAML are validated alike and
 * an error names the key a user could also have set. `dimensions` is left out: a record is
 * checked as it is (see {@link dimensionIssues}), never through the `k:v` text form.
 */
export function settingsToConfiguration(settings: CloudWatchReporterSettings): Configuration {
  const configuration = new Configuration();
  for (const [field, option] of SETTING_OPTIONS) {
    const value = settings[field];
    if (value === undefined || field === 'dimensions') continue;
    const formatted =
      typeof value === 'object' || typeof value === 'string' ? option.format(value) : String(value);
    configuration.setString(option.key, formatted);
  }
  return configuration;
}

/** Fields of the reporter's options in code besides the settings above. */
const OTHER_FIELDS = [
  'dimensions',
  'client',
  'clientConfig',
  'configuration',
  'logger',
  'scheduler',
  'emfSink',
  'random',
];

/**
 * Fields of the options given in code that the reporter does not know (a misspelling, or a
 * setting from JavaScript without types), each with the nearest known field.
 */
export function unknownFieldIssues(options: object): ConfigurationIssue[] {
  const known = [...SETTING_OPTIONS.map(([field]) => field), ...OTHER_FIELDS];
  const issues: ConfigurationIssue[] = [];
  for (const field of Object.keys(options)) {
    if (known.includes(field)) continue;
    const suggestion = suggestKey(field, known);
    issues.push({
      key: field,
      received: '(an option of CloudWatchMetricReporter in code)',
      expected: `one of the reporter's options: ${known.join(', ')}`,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }
  return issues;
}

/** Validation settings: unknown keys are looked for under the reporter's prefix (and `aws.`). */
export interface ResolveSettingsOptions {
  /** Also validate the `aws.*` keys and require `aws.region` (api mode without a client of the caller's). */
  readonly validateAws?: boolean;
  /** Dimensions given in code; they replace the `dimensions` key. */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Problems found in the options given in code, reported with the others. */
  readonly issues?: readonly ConfigurationIssue[];
}

const MAX_GLOBAL_DIMENSIONS = 30;

/** Problems with global dimensions: blank or too long names and values, more than 30. */
export function dimensionIssues(dimensions: Readonly<Record<string, string>>): ConfigurationIssue[] {
  const key = O.DIMENSIONS.key;
  const issues: ConfigurationIssue[] = [];
  const entries = Object.entries(dimensions);
  if (entries.length > MAX_GLOBAL_DIMENSIONS) {
    issues.push({ key, received: `${entries.length} dimensions`, expected: 'at most 30 dimensions' });
  }
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || value.trim() === '' || value.length > 1_024) {
      issues.push({
        key,
        received: `${JSON.stringify(name)}: ${typeof value === 'string' ? JSON.stringify(value) : typeof value}`,
        expected: 'a dimension value of 1 to 1,024 characters, not blank',
      });
    }
    if (name.trim() === '' || name.length > 255 || name.startsWith(':')) {
      issues.push({
        key,
        received: JSON.stringify(name),
        expected: "a dimension name of 1 to 255 characters, not blank, not starting with ':'",
      });
    }
  }
  return issues;
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
  const issues: ConfigurationIssue[] = [...(options.issues ?? [])];
  try {
    if (options.validateAws === true) {
      validateAwsConfiguration(configuration, {
        options: CloudWatchOptions.all(),
        scopePrefixes: ['aws.', ...scopePrefixes],
        rules,
      });
    } else {
      validateConfiguration(configuration, CloudWatchOptions.all(), { scopePrefixes, rules });
    }
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    issues.push(...error.issues);
  }
  // Dimensions from code, or the key's when it parses (a malformed key is reported above).
  const parsed = O.DIMENSIONS.tryParse(configuration.findValue(O.DIMENSIONS)?.raw ?? '');
  const dimensions = options.dimensions ?? (parsed.ok ? parsed.value : {});
  issues.push(...dimensionIssues(dimensions));
  if (issues.length > 0) throw new ConfigurationError(issues);
  const get = <T>(option: ConfigOption<T, true>): T => configuration.get(option);
  const highResolution = configuration.get(O.HIGH_RESOLUTION) ?? [];
  return {
    namespace: get(O.NAMESPACE),
    mode: get(O.MODE),
    includeTaskDimensions: get(O.INCLUDE_TASK_DIMENSIONS),
    dimensions: Object.freeze({ ...dimensions }),
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
    closeTimeoutMs: get(O.CLOSE_TIMEOUT),
    emfOutput: get(O.EMF_OUTPUT),
  };
}
