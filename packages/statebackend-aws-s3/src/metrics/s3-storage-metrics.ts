import type { Counter, MetricGroup } from '@statebackend/aws-base';
import { SimpleCounter } from '@statebackend/aws-base/spi';

/**
 * Metrics of the S3 checkpoint storage, registered under the group passed in (or kept
 * unregistered when there is none, so the storage needs no metric system): counters of bytes,
 * files, requests and retries, and gauges of the last checkpoint's uploaded and referenced bytes
 * and their ratio. Checkpoint counts and durations are aws-base's checkpoint metrics.
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
  #lastUploaded = 0;
  #lastReferenced = 0;

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
    group?.gauge('lastCheckpointUploadedBytes', () => this.#lastUploaded);
    group?.gauge('lastCheckpointReferencedBytes', () => this.#lastReferenced);
    group?.gauge('lastIncrementalRatio', () => this.lastIncrementalRatio);
  }

  /** A checkpoint was committed: it uploaded `uploaded` data bytes and references `referenced`. */
  recordCommit(uploaded: number, referenced: number): void {
    this.#lastUploaded = uploaded;
    this.#lastReferenced = referenced;
  }

  /**
   * Data bytes the last committed checkpoint uploaded over the data bytes it references: 1 for a
   * full checkpoint, about the share of changed state for an incremental one.
   */
  get lastIncrementalRatio(): number {
    return this.#lastReferenced === 0 ? 1 : this.#lastUploaded / this.#lastReferenced;
  }

  /** Counts one request from the attempts the SDK reports in `$metadata`. */
  recordAttempts(result: unknown): void {
    this.requests.inc();
    const attempts = (result as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
    if (typeof attempts === 'number' && attempts > 1) this.retries.inc(attempts - 1);
  }
}
