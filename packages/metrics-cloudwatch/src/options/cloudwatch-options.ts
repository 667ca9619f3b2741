import { ConfigOptions } from '@statebackend/aws-base';
import {
  type AnyConfigOption,
  type ConfigType,
  ConfigTypes,
  type ConfigurationRule,
  FILTER_ACCEPTS,
  keyValueMapType,
  reporterOptions,
  semicolonListType,
} from '@statebackend/aws-base/spi';

/** Prefix of the reporter's keys. Another reporter name works too; see the README. */
export const CLOUDWATCH_REPORTER_PREFIX = 'metrics.reporter.cloudwatch';

/** Where datums go: the PutMetricData API, Embedded Metric Format lines, or a log of what would be sent. */
export const REPORTER_MODES = ['api', 'emf', 'dry-run'] as const;
export type ReporterMode = (typeof REPORTER_MODES)[number];

/** How a histogram becomes CloudWatch data; see the README's mapping table. */
export const HISTOGRAM_MODES = ['distribution', 'statistic-set', 'percentiles'] as const;
export type HistogramMode = (typeof HISTOGRAM_MODES)[number];

/** Where EMF lines are written when configured by key; in code any line sink can be given. */
export const EMF_OUTPUTS = ['stdout', 'stderr'] as const;
export type EmfOutput = (typeof EMF_OUTPUTS)[number];

/** Most distinct values one datum's Values array may hold (a CloudWatch limit). */
export const MAX_VALUES_PER_DATUM = 150;
/** Most datums per PutMetricData request (a CloudWatch limit). */
export const MAX_DATUMS_PER_REQUEST = 1_000;
/** Most bytes per PutMetricData request body (a CloudWatch limit of 1 MB, taken as 10^6 bytes). */
export const MAX_REQUEST_BYTES = 1_000_000;

/** Printable ASCII, 1 to 255 characters, the first not `:`. */
const NAMESPACE_PATTERN = /^[\u0020-\u0039\u003b-\u007e][\u0020-\u007e]{0,254}$/;

/** True for a namespace CloudWatch accepts and that is not reserved for AWS (`AWS/...`). */
export function isValidNamespace(namespace: string): boolean {
  return NAMESPACE_PATTERN.test(namespace) && !namespace.startsWith('AWS/') && namespace.trim() !== '';
}

/** Percentiles in percent, e.g. `50, 95, 99.9`. */
const percentileListType: ConfigType<readonly number[]> = {
  name: 'list',
  accepts: "percentiles in percent (0 to 100) separated by ',' or ';', e.g. '50,95,99.9'",
  parse(value) {
    const text = Array.isArray(value)
      ? { ok: true, value: value.join(',') }
      : ConfigTypes.string().parse(value);
    if (!text.ok) return { ok: false };
    const parts = text.value.split(/[,;]/).map((part) => part.trim());
    const numbers = parts.map(Number);
    const valid =
      parts.every((p) => p !== '') && numbers.every((n) => Number.isFinite(n) && n >= 0 && n <= 100);
    return valid && numbers.length > 0 ? { ok: true, value: Object.freeze(numbers) } : { ok: false };
  },
  format: (value) => value.join(','),
};

const key = (suffix: string) => ConfigOptions.key(`${CLOUDWATCH_REPORTER_PREFIX}.${suffix}`);
const generic = reporterOptions('cloudwatch');

/** Keys of the Java module's reporter that are not carried over, and what to do instead. */
const JAVA_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['batch-size', 'not set: use batch.max-datums (CloudWatch takes 1,000 datums per request, not 20)'],
  ['parse-metric-name', 'not set: scope variables become dimensions without parsing names'],
  [
    'extract-taskmanager-dimension',
    'not set: use include-task-dimensions (adds tm_id and the other instance dimensions)',
  ],
  ['extract-operator-dimension', 'not set: operator_name is a dimension whenever the scope has an operator'],
  ['job-name', "not set: the job name comes from the metric group's scope (job_name)"],
  ['task-name', "not set: the task name comes from the metric group's scope (task_name)"],
  ['user-agent-prefix', 'not set: the client names this package in its User-Agent'],
];
export const UNSUPPORTED_JAVA_KEYS: ReadonlyArray<readonly [string, string]> = JAVA_KEYS.map(
  ([suffix, instead]) => [`${CLOUDWATCH_REPORTER_PREFIX}.${suffix}`, instead] as const,
);

/** Declared (so never "unknown"), and reported by {@link unsupportedJavaKeys} with what to use instead. */
const UNSUPPORTED_JAVA_OPTIONS: readonly AnyConfigOption[] = UNSUPPORTED_JAVA_KEYS.map(
  ([unsupported, instead]) =>
    ConfigOptions.key(unsupported)
      .stringType()
      .noDefaultValue()
      .withDescription(`Not supported; ${instead}.`),
);

/** A validation rule reporting every key of the Java module's reporter that is set. */
export const unsupportedJavaKeys: ConfigurationRule = (context) => {
  for (const [unsupported, expected] of UNSUPPORTED_JAVA_KEYS) {
    if (context.configuration.contains(unsupported)) context.report({ key: unsupported, expected });
  }
};

/**
 * The options of the CloudWatch reporter, under `metrics.reporter.cloudwatch.`. The reporter
 * also reads the `aws.*` options of `@statebackend/aws-base` (region, credentials, endpoint) in
 * `api` mode, and the generic reporter options (`interval`, `filter.*`, `scope.variables.*`).
 */
export class CloudWatchOptions {
  private constructor() {}

  static readonly FACTORY_CLASS = generic.FACTORY_CLASS;
  /** Default 60 s: CloudWatch stores standard metrics per minute, and each request is billed. */
  static readonly INTERVAL = generic.INTERVAL;

  static readonly NAMESPACE = key('namespace')
    .stringType()
    .check(
      isValidNamespace,
      "a CloudWatch namespace: 1 to 255 ASCII characters, not starting with ':' or 'AWS/'",
    )
    .defaultValue('StateBackend')
    .withDescription('The CloudWatch namespace of every metric.');

  static readonly INCLUDE_TASK_DIMENSIONS = key('include-task-dimensions')
    .booleanType()
    .defaultValue(false)
    .withDescription(
      'Add the dimensions that identify one parallel instance (host, tm_id, subtask_index, attempt, ids). Each combination is a billed metric.',
    );

  static readonly DIMENSIONS = key('dimensions')
    .ofType(
      keyValueMapType(
        "dimensions as 'name:value' pairs separated by ',' (e.g. 'Environment:prod,Team:data')",
      ),
    )
    .noDefaultValue()
    .withDescription(
      "Dimensions added to every metric, first, as 'name:value' pairs, e.g. 'Environment:prod'.",
    );

  static readonly MODE = key('mode')
    .enumType(REPORTER_MODES)
    .defaultValue('api')
    .withDescription(
      'api: PutMetricData; emf: Embedded Metric Format JSON lines; dry-run: log what would be sent.',
    );

  static readonly HISTOGRAM_MODE = key('histogram.mode')
    .enumType(HISTOGRAM_MODES)
    .defaultValue('distribution')
    .withDescription(
      'distribution (Values/Counts, real percentiles), statistic-set, or percentiles (one metric each).',
    );

  static readonly HISTOGRAM_PERCENTILES = key('histogram.percentiles')
    .ofType(percentileListType)
    .defaultValue([50, 95, 99])
    .withDescription(
      "Percentiles written in 'percentiles' mode and in EMF mode, as metrics '<name>.p<percentile>'.",
    );

  static readonly HISTOGRAM_MAX_VALUES = key('histogram.max-values')
    .intType()
    .check((n) => n >= 3 && n <= MAX_VALUES_PER_DATUM, `an integer from 3 to ${MAX_VALUES_PER_DATUM}`)
    .defaultValue(MAX_VALUES_PER_DATUM)
    .withDescription('Most distinct values per histogram datum; more are merged into value ranges.');

  static readonly HIGH_RESOLUTION = key('high-resolution.includes')
    .ofType(semicolonListType(FILTER_ACCEPTS))
    .noDefaultValue()
    .withDescription(
      "Metrics stored at 1-second resolution, as Flink filters 'scope[:name[:types]]' separated by ';'.",
    );

  static readonly BATCH_MAX_DATUMS = key('batch.max-datums')
    .intType()
    .check((n) => n >= 1 && n <= MAX_DATUMS_PER_REQUEST, `an integer from 1 to ${MAX_DATUMS_PER_REQUEST}`)
    .defaultValue(MAX_DATUMS_PER_REQUEST)
    .withDescription('Most datums per PutMetricData request.');

  static readonly BATCH_MAX_BYTES = key('batch.max-bytes')
    .intType()
    .check((n) => n >= 50_000 && n <= MAX_REQUEST_BYTES, `an integer from 50000 to ${MAX_REQUEST_BYTES}`)
    .defaultValue(MAX_REQUEST_BYTES)
    .withDescription('Most bytes of uncompressed JSON per PutMetricData request.');

  static readonly RETRY_MAX_ATTEMPTS = key('retry.max-attempts')
    .intType()
    .check((n) => n >= 1 && n <= 10, 'an integer from 1 to 10')
    .defaultValue(3)
    .withDescription('Attempts per request, the first included, on throttling and transient errors.');

  static readonly RETRY_BASE_DELAY = key('retry.base-delay')
    .durationType()
    .min(1)
    .defaultValue(200)
    .withDescription('Back-off before the first retry; doubles each retry, with full jitter.');

  static readonly RETRY_MAX_DELAY = key('retry.max-delay')
    .durationType()
    .min(1)
    .defaultValue(5_000)
    .withDescription('Longest back-off between retries.');

  static readonly BUFFER_MAX_DATUMS = key('buffer.max-datums')
    .intType()
    .min(0)
    .defaultValue(10_000)
    .withDescription(
      'Datums kept for the next report while CloudWatch is unreachable; the oldest are dropped first.',
    );

  /** Default 5 s: a shutdown must not wait long for metrics, and must never hang. */
  static readonly CLOSE_TIMEOUT = key('close.timeout')
    .durationType()
    .check((ms) => ms >= 1 && ms <= 600_000, 'a duration from 1 ms to 10 min')
    .defaultValue(5_000)
    .withDescription(
      "Longest time the registry's close() spends on this reporter: the final report and the last delivery together; what is not delivered by then is dropped and counted.",
    );

  static readonly EMF_OUTPUT = key('emf.output')
    .enumType(EMF_OUTPUTS)
    .defaultValue('stdout')
    .withDescription('Where EMF lines go in emf mode: stdout or stderr.');

  /** Every option of the reporter, the generic reporter options included. */
  static all(): AnyConfigOption[] {
    return [
      ...generic.all,
      CloudWatchOptions.NAMESPACE,
      CloudWatchOptions.INCLUDE_TASK_DIMENSIONS,
      CloudWatchOptions.DIMENSIONS,
      CloudWatchOptions.MODE,
      CloudWatchOptions.HISTOGRAM_MODE,
      CloudWatchOptions.HISTOGRAM_PERCENTILES,
      CloudWatchOptions.HISTOGRAM_MAX_VALUES,
      CloudWatchOptions.HIGH_RESOLUTION,
      CloudWatchOptions.BATCH_MAX_DATUMS,
      CloudWatchOptions.BATCH_MAX_BYTES,
      CloudWatchOptions.RETRY_MAX_ATTEMPTS,
      CloudWatchOptions.RETRY_BASE_DELAY,
      CloudWatchOptions.RETRY_MAX_DELAY,
      CloudWatchOptions.BUFFER_MAX_DATUMS,
      CloudWatchOptions.CLOSE_TIMEOUT,
      CloudWatchOptions.EMF_OUTPUT,
      ...UNSUPPORTED_JAVA_OPTIONS,
    ];
  }
}
