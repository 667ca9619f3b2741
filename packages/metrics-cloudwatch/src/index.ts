// Public surface of @statebackend/metrics-cloudwatch; nothing is defined here.
export { compressDistribution, type Distribution } from './datum/compress-distribution.js';
export { acceptedValue, MAX_MAGNITUDE, MIN_MAGNITUDE } from './datum/outgoing-datum.js';
export { MAX_METRICS_PER_EMF_EVENT } from './emf/emf-events.js';
export { CloudWatchPublishError, CloudWatchReporterUsageError } from './errors.js';
export { buildDimensions, MAX_DIMENSIONS, TASK_DIMENSION_VARIABLES } from './naming/dimensions.js';
export { cloudWatchMetricName, sanitizeName } from './naming/metric-name.js';
export {
  CLOUDWATCH_REPORTER_PREFIX,
  CloudWatchOptions,
  EMF_OUTPUTS,
  type EmfOutput,
  HISTOGRAM_MODES,
  type HistogramMode,
  isValidNamespace,
  MAX_DATUMS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  MAX_VALUES_PER_DATUM,
  REPORTER_MODES,
  type ReporterMode,
} from './options/cloudwatch-options.js';
export type { CloudWatchReporterSettings, ResolvedSettings } from './options/reporter-settings.js';
export {
  CloudWatchMetricReporter,
  type CloudWatchMetricReporterOptions,
} from './reporter/cloudwatch-metric-reporter.js';
export {
  CLOUDWATCH_FACTORY_NAMES,
  CloudWatchMetricReporterFactory,
  JAVA_FACTORY_CLASS,
  registerCloudWatchReporter,
} from './reporter/cloudwatch-metric-reporter-factory.js';
export {
  DROP_REASONS,
  type DropReason,
  type ReporterStatisticsSnapshot,
} from './reporter/reporter-statistics.js';
export { USER_AGENT } from './reporter/senders.js';
