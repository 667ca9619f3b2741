import { StateBackendError } from '@statebackend/aws-base';

/**
 * A PutMetricData request that failed after its retries, or that CloudWatch rejected. The
 * reporter never throws it out of `report()` (metrics must not fail the job): it logs it and
 * counts it, and a caller publishing directly can inspect it.
 */
export class CloudWatchPublishError extends StateBackendError {
  override readonly name: string = 'CloudWatchPublishError';
  override readonly isRetryable: boolean;
  /** The AWS error code, e.g. `Throttling`, or the network error code. */
  readonly code: string;
  /** Datums in the failed request. */
  readonly datums: number;

  constructor(
    message: string,
    details: { code: string; datums: number; retryable: boolean; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.datums = details.datums;
    this.isRetryable = details.retryable;
  }
}

/**
 * The reporter or one of its exported helpers was used in a way it does not support: `report()`
 * before `open()`, `compressDistribution` asked for fewer than 3 values. A programming error, so
 * not retryable.
 */
export class CloudWatchReporterUsageError extends StateBackendError {
  override readonly name: string = 'CloudWatchReporterUsageError';
}
