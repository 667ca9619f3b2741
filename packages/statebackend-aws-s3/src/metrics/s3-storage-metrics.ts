import { type Counter, type MetricGroup, SimpleCounter } from '@statebackend/aws-base';

/**
 * Counters of the S3 checkpoint storage, registered under the group passed in (or kept
 * unregistered when there is none, so the storage needs no metric system).
 */
export class S3StorageMetrics {
  /** Bytes of data files and commit records uploaded. */
  readonly bytesUploaded: Counter;
  /** Bytes downloaded by whole and ranged reads. */
  readonly bytesDownloaded: Counter;
  /** Data files and commit records uploaded. */
  readonly filesUploaded: Counter;
  /** Whole or ranged reads. */
  readonly filesDownloaded: Counter;
  /** S3 requests sent (a multipart upload counts each of its requests). */
  readonly requests: Counter;
  /** Attempts the SDK repeated after throttling, 5xx answers or network failures. */
  readonly retries: Counter;
  /** Requests that failed for good, after the SDK's retries. */
  readonly failedRequests: Counter;

  constructor(group?: MetricGroup) {
    const counter = (name: string): Counter =>
      group === undefined ? new SimpleCounter() : group.counter(name, new SimpleCounter());
    this.bytesUploaded = counter('bytesUploaded');
    this.bytesDownloaded = counter('bytesDownloaded');
    this.filesUploaded = counter('filesUploaded');
    this.filesDownloaded = counter('filesDownloaded');
    this.requests = counter('s3Requests');
    this.retries = counter('s3Retries');
    this.failedRequests = counter('s3FailedRequests');
  }

  /** Counts one request from the attempts the SDK reports in `$metadata`. */
  recordAttempts(result: unknown): void {
    this.requests.inc();
    const attempts = (result as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
    if (typeof attempts === 'number' && attempts > 1) this.retries.inc(attempts - 1);
  }
}
