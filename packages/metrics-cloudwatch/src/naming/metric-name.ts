import { createHash } from 'node:crypto';
import type { MetricGroupView } from '@statebackend/aws-base/spi';

/** CloudWatch's limit on metric names and dimension names. */
export const MAX_NAME_LENGTH = 255;

/** Characters CloudWatch does not take in names: control and non-ASCII characters. */
const UNSUPPORTED = /[^\u0020-\u007e]/g;

/**
 * `text` made acceptable to CloudWatch: every control or non-ASCII character becomes `_`, and
 * text longer than `max` keeps its first characters and ends with `~` and 8 hex digits of a hash
 * of the whole, so that two long names differing only at the end stay two metrics.
 */
export function sanitizeName(text: string, max: number = MAX_NAME_LENGTH): string {
  const ascii = text.replace(UNSUPPORTED, '_');
  if (ascii.length <= max) return ascii;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${ascii.slice(0, max - 9)}~${hash}`;
}

/**
 * The CloudWatch metric name of a metric: its user scope (group names and keys below the job,
 * task and operator, which become dimensions) and its name, joined with `.`, then sanitized.
 * `undefined` for a name that is blank (CloudWatch rejects it): the metric is not reported.
 *
 * @example `operator.addGroup('state').addGroup('name', 'counts').counter('reads')` → `state.name.reads`
 */
export function cloudWatchMetricName(metricName: string, group: MetricGroupView): string | undefined {
  const joined = [...group.getUserScope(), metricName].join('.');
  if (metricName.trim() === '') return undefined;
  return sanitizeName(joined);
}
