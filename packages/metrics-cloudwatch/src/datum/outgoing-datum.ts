import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

/** A datum on its way to CloudWatch, and what to do once CloudWatch accepted it. */
export interface OutgoingDatum {
  /** The datum as PutMetricData takes it, `Timestamp` set. */
  readonly datum: MetricDatum;
  /** Called once CloudWatch accepted the request holding the datum (or gave up on it as invalid). */
  readonly ack?: () => void;
  /**
   * True when a failed send must not keep the datum: its value stays with its source and goes
   * out with the next report (a counter's delta is measured from the last acknowledged count).
   */
  readonly retainedBySource: boolean;
}

/** Largest magnitude CloudWatch accepts. */
export const MAX_MAGNITUDE = 2 ** 360;
/** Smallest non-zero magnitude CloudWatch accepts. */
export const MIN_MAGNITUDE = 2 ** -360;

/**
 * The value as CloudWatch takes it, or `undefined` when it cannot be sent: `NaN`, infinite, or
 * beyond ±2^360. A non-zero value closer to zero than 2^-360 is sent as 0 (it is zero at any
 * precision CloudWatch shows).
 */
export function acceptedValue(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const magnitude = Math.abs(value);
  if (magnitude > MAX_MAGNITUDE) return undefined;
  return magnitude < MIN_MAGNITUDE ? 0 : value;
}
