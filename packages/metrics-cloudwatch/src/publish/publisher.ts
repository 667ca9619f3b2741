import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '@statebackend/aws-base';
import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import { CloudWatchPublishError } from '../errors.js';
import type { ReporterStatistics } from '../reporter/reporter-statistics.js';
import { toBatches } from './batches.js';
import { classifyError, errorCode } from './error-kind.js';

/** How the publisher sends and retries. */
export interface PublisherOptions {
  readonly namespace: string;
  readonly maxDatumsPerRequest: number;
  readonly maxRequestBytes: number;
  /** Attempts per request, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Sends one PutMetricData request (the API, or a dry-run log). */
  readonly send: (input: PutMetricDataCommandInput) => Promise<unknown>;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1); for jitter. */
  readonly random: () => number;
  readonly statistics: ReporterStatistics;
  readonly logger: Logger;
}

/** What a publish left undelivered, in order, and the last failure, if any. */
export interface PublishResult {
  readonly undelivered: OutgoingDatum[];
  readonly lastError: CloudWatchPublishError | undefined;
}

type ChunkOutcome = 'delivered' | 'unreachable';

/**
 * Sends datums in requests within CloudWatch's limits, one request at a time, and acknowledges
 * each datum only once CloudWatch accepted its request.
 *
 * - Throttling and transient errors are retried up to `maxAttempts` with exponential back-off
 *   and full jitter (a random delay up to `min(maxDelay, baseDelay * 2^retry)`).
 * - A request rejected for its content is split in halves to isolate the invalid datum (one
 *   bad datum fails a whole request), within a budget of extra requests; the invalid datum is
 *   dropped and counted, the others delivered.
 * - Any other failure, or retries exhausted, means CloudWatch is unreachable: the rest of this
 *   publish is not attempted and comes back as undelivered, for the caller to keep.
 */
export class Publisher {
  readonly #options: PublisherOptions;
  #lastError: CloudWatchPublishError | undefined;

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  async publish(datums: readonly OutgoingDatum[]): Promise<PublishResult> {
    this.#lastError = undefined;
    const undelivered: OutgoingDatum[] = [];
    const batches = toBatches(datums, {
      namespace: this.#options.namespace,
      maxDatums: this.#options.maxDatumsPerRequest,
      maxBytes: this.#options.maxRequestBytes,
    });
    let reachable = true;
    for (const batch of batches) {
      if (reachable) {
        // Enough extra requests to isolate one invalid datum by halving, and no more.
        const budget = { requests: 2 * Math.ceil(Math.log2(batch.length + 1)) + 2 };
        reachable = (await this.sendBatch(batch, budget)) === 'delivered';
        if (reachable) continue;
      }
      undelivered.push(...batch);
    }
    return { undelivered, lastError: this.#lastError };
  }

  private async sendBatch(batch: OutgoingDatum[], budget: { requests: number }): Promise<ChunkOutcome> {
    const { maxAttempts, statistics } = this.#options;
    for (let attempt = 1; ; attempt++) {
      statistics.requests.inc();
      try {
        await this.#options.send({
          Namespace: this.#options.namespace,
          MetricData: batch.map((d) => d.datum),
        });
        for (const outgoing of batch) outgoing.ack?.();
        statistics.datumsSent.inc(batch.length);
        return 'delivered';
      } catch (error) {
        statistics.failedRequests.inc();
        const kind = classifyError(error);
        if (kind === 'retryable' && attempt < maxAttempts) {
          statistics.retries.inc();
          await this.#options.sleep(this.backoff(attempt));
          continue;
        }
        if (kind === 'invalid-data' || kind === 'too-large') return this.isolate(batch, error, budget);
        this.fail(error, batch.length, kind === 'retryable', attempt);
        return 'unreachable';
      }
    }
  }

  /** Halves a rejected batch until the invalid datums are alone, then drops them. */
  private async isolate(
    batch: OutgoingDatum[],
    error: unknown,
    budget: { requests: number },
  ): Promise<ChunkOutcome> {
    if (batch.length === 1 || budget.requests < 2) {
      this.#options.statistics.dropped('rejected', batch.length);
      for (const outgoing of batch) outgoing.ack?.();
      const names = [...new Set(batch.map((d) => d.datum.MetricName))].slice(0, 5);
      this.#options.logger.warn('CloudWatch rejected metric data as invalid; dropped', {
        code: errorCode(error),
        message: error instanceof Error ? error.message : String(error),
        datums: batch.length,
        metrics: names,
      });
      return 'delivered';
    }
    budget.requests -= 2;
    const middle = Math.ceil(batch.length / 2);
    const first = await this.sendBatch(batch.slice(0, middle), budget);
    if (first === 'unreachable') return 'unreachable';
    return this.sendBatch(batch.slice(middle), budget);
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.#options.random() * ceiling);
  }

  private fail(error: unknown, datums: number, retryable: boolean, attempts: number): void {
    const code = errorCode(error);
    this.#lastError = new CloudWatchPublishError(
      `PutMetricData failed after ${attempts} attempt(s) with ${code}; the data is kept for the next report`,
      { code, datums, retryable, cause: error },
    );
    this.#options.logger.error(this.#lastError.message, { code, datums });
  }
}
